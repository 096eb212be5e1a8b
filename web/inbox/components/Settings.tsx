import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { t } from '../i18n.js'
import { agents, channels, me, teams } from '../state.js'
import type { Agent, Team } from '../types.js'
import { editableScopes, lines, pageRules, reloadRules, Said, useAction, type AutoClose, type Rules } from './settings-form.js'
import { SpamRules } from './SpamRules.js'
import { WelcomeGroups } from './WelcomeGroups.js'

/** A new agent: admins choose any role and team; supervisors add agents to their own teams. */
function NewAgentForm ({ onCreated }: { onCreated: (agent: Agent) => void }) {
  const admin = me.value?.role === 'admin'
  const ownTeams = teams.value.filter(x => admin || me.value?.teams.includes(x.id))
  const [form, setForm] = useState({ name: '', email: '', role: 'agent', teams: ownTeams.slice(0, 1).map(x => x.id), capacity: '' })
  const [said, failed, run] = useAction()
  const submit = (e: Event): void => {
    e.preventDefault()
    void run(async () => {
      const { agent } = await api<{ agent: Agent }>('POST', '/agents', { name: form.name, email: form.email, role: form.role, teams: form.teams, ...(form.capacity !== '' ? { capacity: Number(form.capacity) } : {}) })
      onCreated(agent)
      setForm(f => ({ ...f, name: '', email: '' }))
      return t('settings.agentAdded', { name: agent.name })
    })
  }
  return (
    <form class="new-agent" aria-label={t('settings.addAgent')} onSubmit={submit}>
      <label>{t('settings.name')} <input name="name" required maxLength={200} value={form.name} onInput={e => setForm({ ...form, name: e.currentTarget.value })} /></label>
      <label>{t('settings.email')} <input name="email" type="email" required value={form.email} onInput={e => setForm({ ...form, email: e.currentTarget.value })} /></label>
      {admin && (
        <label>{t('supervisor.role')} <select name="role" value={form.role} onChange={e => setForm({ ...form, role: e.currentTarget.value })}>
          {['agent', 'supervisor', 'admin'].map(r => <option value={r}>{t(`role.${r}` as 'role.agent')}</option>)}
        </select></label>
      )}
      <fieldset><legend>{t('supervisor.team')}</legend>
        {ownTeams.map(x => (
          <label><input type="checkbox" name="teams" value={x.id} checked={form.teams.includes(x.id)}
            onChange={e => setForm({ ...form, teams: e.currentTarget.checked ? [...form.teams, x.id] : form.teams.filter(id => id !== x.id) })} /> {x.name}</label>
        ))}
      </fieldset>
      <label>{t('settings.capacity')} <input name="capacity" type="number" min={1} max={10000} placeholder={t('settings.defaultCapacity')} value={form.capacity} onInput={e => setForm({ ...form, capacity: e.currentTarget.value })} /></label>
      <button type="submit" class="primary">{t('settings.addAgent')}</button>
      <Said said={said} failed={failed} />
    </form>
  )
}

/** Agents' accounts: add, capacity, a sign-in link to hand over, deactivate and reactivate. */
function AgentAccounts () {
  const [link, setLink] = useState<{ name: string, url: string } | null>(null)
  const [said, failed, run] = useAction()
  const admin = me.value?.role === 'admin'
  const manageable = (a: Agent): boolean => admin || (a.role === 'agent' && a.teams.some(x => me.value?.teams.includes(x) === true))
  const replace = (agent: Agent): void => { agents.value = agents.value.some(a => a.id === agent.id) ? agents.value.map(a => a.id === agent.id ? agent : a) : [...agents.value, agent] }
  const makeLink = async (a: Agent): Promise<string> => {
    const { url } = await api<{ url: string }>('POST', `/agents/${a.id}/sign-in-link`)
    setLink({ name: a.name, url })
    return t('settings.linkMade', { name: a.name })
  }
  const teamNames = (ids: string[]): string => ids.map(id => teams.value.find(x => x.id === id)?.name ?? id).join(', ') || '—'
  return (
    <section aria-labelledby="accounts-title">
      <h2 id="accounts-title">{t('settings.agents')}</h2>
      <NewAgentForm onCreated={agent => { replace(agent); void run(async () => await makeLink(agent)) }} />
      {link !== null && (
        <p class="sign-in-link" role="status">{t('settings.linkFor', { name: link.name })} <input readOnly value={link.url} aria-label={t('settings.link')} onFocus={e => e.currentTarget.select()} /></p>
      )}
      <Said said={said} failed={failed} />
      <table class="accounts">
        <thead><tr>{['settings.name', 'settings.email', 'supervisor.role', 'supervisor.team', 'settings.capacity', 'supervisor.status', 'settings.actions'].map(k => <th>{t(k as 'settings.name')}</th>)}</tr></thead>
        <tbody>
          {agents.value.map(a => (
            <tr data-id={a.id} class={a.deactivatedAt !== null ? 'deactivated' : ''}>
              <td>{a.name}</td><td>{a.email}</td><td>{t(`role.${a.role}` as 'role.agent')}</td><td>{teamNames(a.teams)}</td>
              <td>{manageable(a)
                ? <input type="number" min={1} max={10000} aria-label={t('settings.capacityOf', { name: a.name })} value={a.capacity ?? ''} placeholder={t('settings.defaultCapacity')}
                    onChange={e => { const v = e.currentTarget.value; void run(async () => { replace(await api<Agent>('PATCH', `/agents/${a.id}`, { capacity: v === '' ? null : Number(v) })); return t('settings.saved') }) }} />
                : a.capacity ?? '—'}</td>
              <td>{a.deactivatedAt !== null ? t('settings.deactivated') : t(`status.${a.status}`)}</td>
              <td>{manageable(a) && a.id !== me.value?.id && (a.deactivatedAt === null
                ? (
                  <>
                    <button class="link" onClick={() => { void run(async () => await makeLink(a)) }}>{t('settings.signInLink')}</button>
                    <button class="link danger" onClick={() => { void run(async () => { replace(await api<Agent>('POST', `/agents/${a.id}/deactivate`)); return t('settings.deactivatedName', { name: a.name }) }) }}>{t('settings.deactivate')}</button>
                  </>
                  )
                : <button class="link" onClick={() => { void run(async () => { replace(await api<Agent>('POST', `/agents/${a.id}/reactivate`)); return t('settings.reactivatedName', { name: a.name }) }) }}>{t('settings.reactivate')}</button>)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

/** Admins add teams. */
function TeamList () {
  const [form, setForm] = useState({ id: '', name: '' })
  const [said, failed, run] = useAction()
  return (
    <section aria-labelledby="teams-title">
      <h2 id="teams-title">{t('settings.teams')}</h2>
      <ul class="team-list">{teams.value.map(x => <li data-id={x.id}>{x.name} <span class="hint">{x.id}</span></li>)}</ul>
      <form class="new-team" aria-label={t('settings.addTeam')} onSubmit={e => {
        e.preventDefault()
        void run(async () => { const team = await api<Team>('POST', '/teams', form); teams.value = [...teams.value, team]; setForm({ id: '', name: '' }); return t('settings.saved') })
      }}>
        <label>{t('settings.teamId')} <input name="id" required pattern="[a-z0-9][a-z0-9_-]*" value={form.id} onInput={e => setForm({ ...form, id: e.currentTarget.value })} /></label>
        <label>{t('settings.name')} <input name="name" required value={form.name} onInput={e => setForm({ ...form, name: e.currentTarget.value })} /></label>
        <button type="submit">{t('settings.addTeam')}</button>
      </form>
      <Said said={said} failed={failed} />
    </section>
  )
}

/** Banned words: the hub's (admins) and each of the supervisor's teams', one per line. */
function BannedWords () {
  const rules = pageRules.value
  const [drafts, setDrafts] = useState<Record<string, string>>({})
  const [said, failed, run] = useAction()
  if (rules === null) return null
  const scopes = editableScopes(rules, teams.value, me.value, t('settings.hubWide')).map(x => ({ ...x, words: x.rules?.bannedWords ?? [] }))
  const save = (key: string, path: string): void => {
    void run(async () => {
      const saved = await api<Rules>('PUT', path, { bannedWords: lines(drafts[key] ?? '') })
      await reloadRules()
      setDrafts(d => ({ ...d, [key]: saved.bannedWords.join('\n') }))
      return t('settings.saved')
    })
  }
  return (
    <section aria-labelledby="banned-title">
      <h2 id="banned-title">{t('settings.bannedWords')}</h2>
      <p class="hint">{t('settings.bannedHint')}</p>
      {scopes.map(scope => (
        <form class="banned-words" data-scope={scope.key} aria-label={t('settings.bannedOf', { name: scope.name })} onSubmit={e => { e.preventDefault(); save(scope.key, scope.path) }}>
          <label>{scope.name}
            <textarea rows={4} value={drafts[scope.key] ?? scope.words.join('\n')} onInput={e => { const v = e.currentTarget.value; setDrafts(d => ({ ...d, [scope.key]: v })) }} />
          </label>
          <button type="submit">{t('faq.save')}</button>
        </form>
      ))}
      <Said said={said} failed={failed} />
    </section>
  )
}

/** One scope's auto-close: off, or after so many quiet minutes, with an optional closing message. */
function AutoCloseForm ({ path, name, rule, run }: { path: string, name: string, rule: AutoClose | null, run: (work: () => Promise<string>) => Promise<void> }) {
  const [on, setOn] = useState(rule !== null)
  const [minutes, setMinutes] = useState(String(rule?.afterMinutes ?? 30))
  const [message, setMessage] = useState(rule?.message ?? '')
  const save = (e: Event): void => {
    e.preventDefault()
    void run(async () => {
      await api('PUT', path, { autoClose: on ? { afterMinutes: Number(minutes), message: message.trim() === '' ? null : message } : null })
      return t('settings.saved')
    })
  }
  return (
    <form class="auto-close" aria-label={t('settings.autoCloseOf', { name })} onSubmit={save}>
      <strong>{name}</strong>
      <label><input type="checkbox" checked={on} onChange={e => setOn(e.currentTarget.checked)} /> {t('settings.autoCloseOn')}</label>
      <label>{t('settings.afterMinutes')} <input type="number" min={1} max={10080} disabled={!on} value={minutes} onInput={e => setMinutes(e.currentTarget.value)} /></label>
      <label>{t('settings.closingMessage')} <textarea rows={2} maxLength={2000} disabled={!on} value={message} onInput={e => setMessage(e.currentTarget.value)} /></label>
      <button type="submit">{t('faq.save')}</button>
    </form>
  )
}

/** Auto-close per team, and per channel (a channel's wins over its team's). */
function AutoCloseRules () {
  const rules = pageRules.value
  const [said, failed, run] = useAction()
  if (rules === null) return null
  const admin = me.value?.role === 'admin'
  const mine = (team: string | null): boolean => admin || (team !== null && me.value?.teams.includes(team) === true)
  return (
    <section aria-labelledby="auto-close-title">
      <h2 id="auto-close-title">{t('settings.autoClose')}</h2>
      <p class="hint">{t('settings.autoCloseHint')}</p>
      {teams.value.filter(x => mine(x.id)).map(x => <AutoCloseForm path={`/rules/teams/${x.id}`} name={x.name} rule={rules.teams[x.id]?.autoClose ?? null} run={run} />)}
      {[...channels.value.values()].filter(c => mine(c.team)).map(c => (
        <AutoCloseForm path={`/rules/channels/${c.id}`} name={t('settings.channelNamed', { id: c.id })} rule={rules.channels[c.id]?.autoClose ?? null} run={run} />
      ))}
      <Said said={said} failed={failed} />
    </section>
  )
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
type Replies = { welcome?: string, firstMessage?: string, busy?: string, away?: string, businessHours?: { timezone: string, days: Partial<Record<typeof DAYS[number], string[]>> }, periodHours?: number, quietMinutes?: number }
const TEXTS = ['welcome', 'firstMessage', 'busy', 'away'] as const

/** A channel's automatic replies and business hours, as its team's supervisors keep them; "Use the config file's" goes back to the YAML. */
function AutoRepliesForm ({ channelId, inUse, fromApp, run }: { channelId: string, inUse: Replies, fromApp: boolean, run: (work: () => Promise<string>) => Promise<void> }) {
  const [texts, setTexts] = useState<Record<string, string>>(Object.fromEntries(TEXTS.map(k => [k, inUse[k] ?? ''])))
  const [zone, setZone] = useState(inUse.businessHours?.timezone ?? '')
  const [days, setDays] = useState<Record<string, string>>(Object.fromEntries(DAYS.map(d => [d, (inUse.businessHours?.days[d] ?? []).join(', ')])))
  const save = (e: Event): void => {
    e.preventDefault()
    const replies: Replies = {
      ...Object.fromEntries(TEXTS.filter(k => texts[k]!.trim() !== '').map(k => [k, texts[k]!.trim()])),
      ...(zone.trim() !== '' ? { businessHours: { timezone: zone.trim(), days: Object.fromEntries(DAYS.filter(d => days[d]!.trim() !== '').map(d => [d, days[d]!.split(',').map(x => x.trim()).filter(x => x !== '')])) } } : {}),
      ...(inUse.periodHours !== undefined ? { periodHours: inUse.periodHours } : {}),
      ...(inUse.quietMinutes !== undefined ? { quietMinutes: inUse.quietMinutes } : {})
    }
    void run(async () => { await api('PUT', `/rules/channels/${channelId}`, { autoReplies: replies }); return t('settings.saved') })
  }
  return (
    <form class="auto-replies" aria-label={t('settings.autoRepliesOf', { id: channelId })} onSubmit={save}>
      <strong>{t('settings.channelNamed', { id: channelId })}</strong> <span class="hint">{fromApp ? t('settings.fromApp') : t('settings.fromYaml')}</span>
      {TEXTS.map(k => (
        <label>{t(`settings.reply.${k}` as 'settings.reply.welcome')} <textarea rows={2} maxLength={2000} value={texts[k]} onInput={e => { const v = e.currentTarget.value; setTexts(x => ({ ...x, [k]: v })) }} /></label>
      ))}
      <label>{t('settings.timeZone')} <input placeholder="Asia/Shanghai" value={zone} onInput={e => setZone(e.currentTarget.value)} /></label>
      {DAYS.map(d => (
        <label>{t(`settings.day.${d}` as 'settings.day.mon')} <input placeholder="09:00-12:00, 13:00-18:00" value={days[d]} onInput={e => { const v = e.currentTarget.value; setDays(x => ({ ...x, [d]: v })) }} /></label>
      ))}
      <button type="submit">{t('faq.save')}</button>
      {fromApp && <button type="button" class="link" onClick={() => { void run(async () => { await api('PUT', `/rules/channels/${channelId}`, { autoReplies: null }); return t('settings.backToYaml') }) }}>{t('settings.useYaml')}</button>}
    </form>
  )
}

/** Automatic replies of the channels the supervisor's teams serve (admins: every channel). */
function AutoReplyRules () {
  const rules = pageRules.value
  const [said, failed, run] = useAction()
  if (rules === null) return null
  const admin = me.value?.role === 'admin'
  const mine = [...channels.value.values()].filter(c => admin || (c.team !== null && me.value?.teams.includes(c.team) === true))
  const reloading = async (work: () => Promise<string>): Promise<void> => { await run(work); await reloadRules() }
  return (
    <section aria-labelledby="auto-replies-title">
      <h2 id="auto-replies-title">{t('settings.autoReplies')}</h2>
      <p class="hint">{t('settings.autoRepliesHint')}</p>
      {/* A form starts from what the hub uses now: saved or reset, it starts again from that. */}
      {mine.map(c => <AutoRepliesForm key={`${c.id}:${JSON.stringify(rules.autoRepliesInUse[c.id])}`} channelId={c.id} inUse={(rules.autoRepliesInUse[c.id] ?? {}) as Replies} fromApp={rules.channels[c.id]?.autoReplies != null} run={reloading} />)}
      <Said said={said} failed={failed} />
    </section>
  )
}

/** Settings for supervisors (their teams) and admins (the hub): agents, teams, banned words, spam rules, welcomes, automatic replies, auto-close. */
export function Settings () {
  useEffect(() => { void reloadRules() }, [])
  return (
    <main class="settings">
      <AgentAccounts />
      {me.value?.role === 'admin' && <TeamList />}
      <BannedWords />
      <SpamRules />
      <WelcomeGroups />
      <AutoReplyRules />
      <AutoCloseRules />
    </main>
  )
}

