import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { t } from '../i18n.js'
import { me, teams } from '../state.js'
import { editableScopes, lines, pageRules, Said, useAction, type Rules } from './settings-form.js'

/** One scope's spam phrases and patterns, one per line. */
function SpamForm ({ name, path, rules, run }: { name: string, path: string, rules: Rules['spam'], run: (work: () => Promise<string>) => Promise<void> }) {
  const [phrases, setPhrases] = useState(rules.phrases.join('\n'))
  const [patterns, setPatterns] = useState(rules.patterns.join('\n'))
  const save = (e: Event): void => {
    e.preventDefault()
    void run(async () => {
      const saved = await api<Rules>('PUT', path, { spam: { phrases: lines(phrases), patterns: lines(patterns) } })
      setPhrases(saved.spam.phrases.join('\n'))
      setPatterns(saved.spam.patterns.join('\n'))
      return t('settings.saved')
    })
  }
  return (
    <form class="spam-rules" aria-label={t('settings.spamOf', { name })} onSubmit={save}>
      <strong>{name}</strong>
      <label>{t('settings.spamPhrases')} <textarea rows={3} value={phrases} onInput={e => setPhrases(e.currentTarget.value)} /></label>
      <label>{t('settings.spamPatterns')} <textarea rows={2} value={patterns} placeholder="v\s*x\s*[:：]\s*\w+" onInput={e => setPatterns(e.currentTarget.value)} /></label>
      <button type="submit">{t('faq.save')}</button>
    </form>
  )
}

/** Anti-harassment: what holds a customer's message as spam, the hub's (admins) and each of the supervisor's teams'. */
export function SpamRules () {
  const rules = pageRules.value
  const [said, failed, run] = useAction()
  if (rules === null) return null
  return (
    <section aria-labelledby="spam-rules-title">
      <h2 id="spam-rules-title">{t('settings.spam')}</h2>
      <p class="hint">{t('settings.spamHint')}</p>
      {editableScopes(rules, teams.value, me.value, t('settings.hubWide')).map(scope => (
        <SpamForm name={scope.name} path={scope.path} rules={scope.rules?.spam ?? { phrases: [], patterns: [] }} run={run} />
      ))}
      <Said said={said} failed={failed} />
    </section>
  )
}
