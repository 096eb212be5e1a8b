import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { t } from '../i18n.js'
import { channels, me, teams } from '../state.js'
import { editableScopes, lines, pageRules, reloadRules, Said, useAction, type Rules, type WelcomeGroup } from './settings-form.js'

type Draft = Omit<WelcomeGroup, 'questions'> & { questions: string }
const draftOf = (g: WelcomeGroup): Draft => ({ ...g, questions: g.questions.join('\n') })

/** One scope's welcome groups, in order (the first is the default): edit, add, remove, then save them together. */
function GroupsForm ({ name, path, groups, run }: { name: string, path: string, groups: WelcomeGroup[], run: (work: () => Promise<string>) => Promise<void> }) {
  const [drafts, setDrafts] = useState<Draft[]>(groups.map(draftOf))
  const edit = (i: number, patch: Partial<Draft>): void => setDrafts(d => d.map((g, j) => j === i ? { ...g, ...patch } : g))
  const save = (e: Event): void => {
    e.preventDefault()
    void run(async () => {
      const saved = await api<Rules>('PUT', path, { welcomes: drafts.map(g => ({ id: g.id.trim(), name: g.name.trim(), text: g.text, questions: lines(g.questions) })) })
      setDrafts(saved.welcomes.map(draftOf))
      return t('settings.saved')
    })
  }
  return (
    <form class="welcome-groups" aria-label={t('settings.welcomesOf', { name })} onSubmit={save}>
      <strong>{name}</strong>
      {drafts.map((g, i) => (
        <fieldset class="welcome-group" data-group={g.id}>
          <label>{t('settings.groupId')} <input required pattern="[a-z0-9][a-z0-9\-]{0,39}" value={g.id} onInput={e => edit(i, { id: e.currentTarget.value })} /></label>
          <label>{t('settings.name')} <input required maxLength={80} value={g.name} onInput={e => edit(i, { name: e.currentTarget.value })} /></label>
          <label>{t('settings.groupText')} <textarea required rows={2} maxLength={2000} value={g.text} onInput={e => edit(i, { text: e.currentTarget.value })} /></label>
          <label>{t('settings.groupQuestions')} <textarea rows={2} value={g.questions} onInput={e => edit(i, { questions: e.currentTarget.value })} /></label>
          <button type="button" class="link" onClick={() => setDrafts(d => d.filter((_, j) => j !== i))}>{t('settings.removeGroup')}</button>
        </fieldset>
      ))}
      <button type="button" onClick={() => setDrafts(d => [...d, { id: '', name: '', text: '', questions: '' }])}>{t('settings.addGroup')}</button>
      <button type="submit">{t('faq.save')}</button>
    </form>
  )
}

/** Store-entry welcomes: groups per scope, and which group each of the supervisor's channels shows. */
export function WelcomeGroups () {
  const rules = pageRules.value
  const [said, failed, run] = useAction()
  if (rules === null) return null
  const admin = me.value?.role === 'admin'
  const mine = [...channels.value.values()].filter(c => admin || (c.team !== null && me.value?.teams.includes(c.team) === true))
  // Saved groups change what each channel may choose: read the rules again after a save.
  const reloading = async (work: () => Promise<string>): Promise<void> => { await run(work); await reloadRules() }
  const choose = (channelId: string, group: string): void => {
    void reloading(async () => { await api('PUT', `/rules/channels/${channelId}`, { welcomeGroup: group === '' ? null : group }); return t('settings.saved') })
  }
  return (
    <section aria-labelledby="welcomes-title">
      <h2 id="welcomes-title">{t('settings.welcomes')}</h2>
      <p class="hint">{t('settings.welcomesHint')}</p>
      {editableScopes(rules, teams.value, me.value, t('settings.hubWide')).map(scope => (
        <GroupsForm key={`${scope.key}:${JSON.stringify(scope.rules?.welcomes ?? [])}`} name={scope.name} path={scope.path} groups={scope.rules?.welcomes ?? []} run={reloading} />
      ))}
      {mine.map(c => {
        const groups = [...(c.team === null ? [] : rules.teams[c.team]?.welcomes ?? []), ...rules.hub.welcomes]
        return (
          <label class="welcome-choice">{t('settings.welcomeGroupOf', { id: c.id })}
            <select value={rules.channels[c.id]?.welcomeGroup ?? ''} onChange={e => choose(c.id, e.currentTarget.value)}>
              <option value="">{t('settings.teamFirst')}</option>
              {groups.map(g => <option value={g.id}>{g.name} ({g.id})</option>)}
            </select>
          </label>
        )
      })}
      <Said said={said} failed={failed} />
    </section>
  )
}
