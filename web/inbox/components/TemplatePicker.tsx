import { useState } from 'preact/hooks'
import { ApiError, api, get } from '../api.js'
import { t } from '../i18n.js'
import { putMessage } from '../state.js'
import type { Message, TemplateOffer } from '../types.js'

const fill = (body: string, values: string[]): string => body.replace(/\{\{(\d+)\}\}/g, (m, n: string) => values[Number(n) - 1] !== undefined && values[Number(n) - 1] !== '' ? values[Number(n) - 1]! : m)

/**
 * Outside a channel's window (WhatsApp's 24 hours), the approved templates: one chosen, its
 * parameters filled in, previewed as the customer will read it, and sent. Its category is
 * shown because it decides the price.
 */
export function TemplatePicker ({ conversationId, offered, onSent }: { conversationId: string, offered: TemplateOffer[], onSent: () => void }) {
  const [templates, setTemplates] = useState(offered)
  const [chosen, setChosen] = useState(0)
  const [values, setValues] = useState<string[]>([])
  const [error, setError] = useState<string | null>(null)
  const template = templates[chosen]
  const refresh = async (): Promise<void> => {
    setTemplates((await get<{ items: TemplateOffer[] }>(`/conversations/${conversationId}/templates?refresh=true`)).items)
    setChosen(0); setValues([])
  }
  const send = async (): Promise<void> => {
    if (template === undefined) return
    try {
      putMessage(await api<Message>('POST', `/conversations/${conversationId}/messages`, { text: '', template: { name: template.name, language: template.language, parameters: values.slice(0, template.parameters.length) } }))
      setValues([]); setError(null)
      onSent()
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <div class="templates" role="group" aria-label={t('template.title')}>
      <label>{t('template.title')}{' '}
        <select aria-label={t('template.title')} value={chosen} onChange={e => { setChosen(Number(e.currentTarget.value)); setValues([]) }}>
          {templates.map((x, i) => <option value={i}>{x.name} · {x.language} · {x.category}</option>)}
        </select>
      </label>
      <button type="button" class="link" onClick={() => { void refresh() }}>{t('template.refresh')}</button>
      {template !== undefined && (
        <>
          {template.parameters.map((p, i) => (
            <label class="parameter">{p}
              <input value={values[i] ?? ''} onInput={e => { const next = [...values]; next[i] = e.currentTarget.value; setValues(next) }} />
            </label>
          ))}
          <p class="preview" aria-label={t('template.preview')}>{fill(template.body, values)}</p>
          <span class="hint">{t('template.category', { category: template.category })}</span>
          <button type="button" onClick={() => { void send() }}>{t('template.send')}</button>
        </>
      )}
      {error !== null && <span class="hint error" role="alert">{error}</span>}
    </div>
  )
}
