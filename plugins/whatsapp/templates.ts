import type { TemplateOffer, TemplateUse } from '../../core/channels/index.js'
import type { RemoteTemplate } from './cloud.js'

/** `{{1}}`, `{{2}}`… in a template's body, in order of their numbers. */
const PLACEHOLDER = /\{\{(\d+)\}\}/g

/** A template as the reply box offers it: approved ones only, with their body and parameter names. */
export function offerOf (t: RemoteTemplate): TemplateOffer | null {
  if (t.status !== 'APPROVED') return null
  const body = t.components.find(c => c.type === 'BODY')?.text ?? ''
  const count = Math.max(0, ...[...body.matchAll(PLACEHOLDER)].map(m => Number(m[1])))
  const examples = t.components.find(c => c.type === 'BODY')?.example?.body_text?.[0] ?? []
  return { name: t.name, language: t.language, category: t.category, body, parameters: Array.from({ length: count }, (_, i) => examples[i] !== undefined ? `{{${i + 1}}} e.g. ${examples[i]}` : `{{${i + 1}}}`) }
}

/** The text the customer will read, or why the template cannot go as given. */
export function fill (offers: TemplateOffer[], use: TemplateUse): { text: string } | { code: string, message: string } {
  const offer = offers.find(o => o.name === use.name && o.language === use.language)
  if (offer === undefined) {
    const languages = offers.filter(o => o.name === use.name).map(o => o.language)
    return { code: 'template_unknown', message: languages.length > 0 ? `Template "${use.name}" is approved in ${languages.join(', ')}, not ${use.language}.` : `No approved template "${use.name}"; refresh the list or choose one of those offered.` }
  }
  const missing = offer.parameters.findIndex((_, i) => (use.parameters[i] ?? '').trim() === '')
  if (missing !== -1) return { code: 'template_parameter_missing', message: `Template "${use.name}" needs a value for parameter ${offer.parameters[missing]!}.` }
  if (use.parameters.length > offer.parameters.length) return { code: 'template_parameters', message: `Template "${use.name}" takes ${offer.parameters.length} parameter(s), not ${use.parameters.length}.` }
  return { text: offer.body.replace(PLACEHOLDER, (_m, n: string) => use.parameters[Number(n) - 1] ?? '') }
}
