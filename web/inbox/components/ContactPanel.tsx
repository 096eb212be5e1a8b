import { useEffect, useState } from 'preact/hooks'
import { ApiError, api } from '../api.js'
import { duration, locale, t, time } from '../i18n.js'
import { agentName, contact, contactConversations, me, openId, phoneView } from '../state.js'
import type { Contact } from '../types.js'
import { ChannelIcon } from './ChannelIcon.js'
import { FormEnd } from './FormEnd.js'
import { TagEditor } from './TagEditor.js'

function Notes ({ person }: { person: Contact }) {
  const [notes, setNotes] = useState(person.notes ?? '')
  const [state, setState] = useState<string | null>(null)
  useEffect(() => { setNotes(person.notes ?? ''); setState(null) }, [person.id])
  const save = async (): Promise<void> => {
    if (notes === (person.notes ?? '')) return
    try {
      contact.value = { ...contact.value!, ...await api<Contact>('PATCH', `/contacts/${person.id}`, { notes }) }
      setState(t('contact.saved'))
    } catch (err) {
      setState(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <label class="notes">{t('contact.notes')}
      <textarea rows={3} value={notes} onInput={e => { setNotes(e.currentTarget.value); setState(null) }} onBlur={() => { void save() }} />
      {state !== null && <span class="hint" role="status">{state}</span>}
    </label>
  )
}

/** Why nothing automatic goes to this contact; supervisors may lift it. */
function Suppression ({ person }: { person: Contact }) {
  const [error, setError] = useState<string | null>(null)
  const suppression = person.suppression
  if (suppression === null) return null
  const lift = async (): Promise<void> => {
    try {
      contact.value = { ...contact.value!, ...await api<Contact>('PATCH', `/contacts/${person.id}`, { suppression: null }) }
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <p class={`suppression suppression-${suppression.reason}`} role="note" title={suppression.detail ?? undefined}>
      {t(`contact.suppressed.${suppression.reason}`)} <span class="hint">{suppression.channelId} · {time(suppression.at)}</span>
      {me.value?.role !== 'agent' && <button type="button" onClick={() => { void lift() }}>{t('contact.suppressed.lift')}</button>}
      {error !== null && <span class="hint" role="status">{error}</span>}
    </p>
  )
}

/** Blocking: what the contact writes on any channel is held in Spam; any agent who serves them may block and unblock. */
function Block ({ person }: { person: Contact }) {
  const [error, setError] = useState<string | null>(null)
  const toggle = async (): Promise<void> => {
    try {
      contact.value = { ...contact.value!, ...await api<Contact>(person.blocked === null ? 'POST' : 'DELETE', `/contacts/${person.id}/block`, person.blocked === null ? {} : undefined) }
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <div class="block-contact">
      {person.blocked !== null && <p class="blocked" role="note">{t('contact.blocked', { name: agentName(person.blocked.by), at: time(person.blocked.at) })}</p>}
      <button type="button" class={person.blocked === null ? 'link danger' : ''} onClick={() => { void toggle() }}>{person.blocked === null ? t('contact.block') : t('contact.unblock')}</button>
      {error !== null && <span class="hint" role="status">{error}</span>}
    </div>
  )
}

/** Whether the customer is on the seller's site now, and on which page; or when they left. */
function OnSite ({ person }: { person: Contact }) {
  const presence = person.presence
  if (presence == null) return null
  const page = presence.url === null ? null : <a href={presence.url} target="_blank" rel="noopener noreferrer" title={presence.url}>{presence.title || presence.url}</a>
  return (
    <p class={`presence ${presence.online ? 'online' : 'offline'}`} role="status">
      {presence.online ? t('presence.onSiteNow') : t('presence.left', { ago: duration(Date.now() - new Date(presence.since).getTime()) })}
      {page !== null && <> · {page}</>}
    </p>
  )
}

/** The customer's local time in their zone, now (kept current by the panel's minute tick). */
const localTime = (zone: string, now: number): string | null => {
  try {
    return new Date(now).toLocaleTimeString(locale.value === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', weekday: 'short' })
  } catch {
    return null
  }
}

/** Language, country and time zone with the customer's local time; an agent corrects or fills them. */
function Whereabouts ({ person }: { person: Contact }) {
  const [now, setNow] = useState(Date.now())
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState({ language: '', country: '', timeZone: '' })
  const [error, setError] = useState<string | null>(null)
  useEffect(() => { const timer = setInterval(() => setNow(Date.now()), 30_000); return () => clearInterval(timer) }, [])
  useEffect(() => { setEditing(false); setError(null) }, [person.id])
  const open = (): void => {
    setDraft({ language: person.language ?? '', country: person.country ?? '', timeZone: person.timeZone ?? '' })
    setEditing(true)
  }
  const save = async (e: Event): Promise<void> => {
    e.preventDefault()
    const value = (v: string): string | null => v.trim() === '' ? null : v.trim()
    try {
      contact.value = { ...contact.value!, ...await api<Contact>('PATCH', `/contacts/${person.id}`, { language: value(draft.language.toLowerCase()), country: value(draft.country.toUpperCase()), timeZone: value(draft.timeZone) }) }
      setEditing(false); setError(null)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  if (editing) {
    return (
      <form class="whereabouts" aria-label={t('contact.whereabouts')} onSubmit={e => { void save(e) }}>
        <label>{t('contact.language')} <input name="language" placeholder="zh" value={draft.language} onInput={e => setDraft({ ...draft, language: e.currentTarget.value })} /></label>
        <label>{t('contact.country')} <input name="country" placeholder="CN" value={draft.country} onInput={e => setDraft({ ...draft, country: e.currentTarget.value })} /></label>
        <label>{t('contact.timeZone')} <input name="timeZone" placeholder="Asia/Shanghai" value={draft.timeZone} onInput={e => setDraft({ ...draft, timeZone: e.currentTarget.value })} /></label>
        <FormEnd error={error} onCancel={() => setEditing(false)} />
      </form>
    )
  }
  const time = person.timeZone === null ? null : localTime(person.timeZone, now)
  return (
    <div class="whereabouts">
      <dl class="profile">
        {person.language !== null && <><dt>{t('contact.language')}</dt><dd>{person.language}</dd></>}
        {person.country !== null && <><dt>{t('contact.country')}</dt><dd>{person.country}</dd></>}
        {time !== null && <><dt>{t('contact.localTime')}</dt><dd class="local-time" title={person.timeZone!}>{time} <span class="hint">{person.timeZone}</span></dd></>}
      </dl>
      <button type="button" class="link" onClick={open}>{t('contact.editWhereabouts')}</button>
    </div>
  )
}

/** Who the customer is: profile, channels, tags and notes (editable), attributes, pages visited, past conversations. */
export function ContactPanel () {
  const person = contact.value
  if (person === null) return <aside class="contact-panel" />
  const saveTags = async (tags: string[]): Promise<void> => {
    contact.value = { ...person, ...await api<Contact>('PATCH', `/contacts/${person.id}`, { tags }) }
  }
  const attributes = Object.entries(person.attributes)
  const pages = person.browsing?.recentPages ?? []
  return (
    <aside class="contact-panel" aria-label={t('contact.title')}>
      <button type="button" class="link phone-only back" onClick={() => { phoneView.value = 'conversation' }}>‹ {t('phone.toConversation')}</button>
      <h2>{person.name ?? person.email ?? t('someone')}</h2>
      <Suppression person={person} />
      <Block person={person} />
      <OnSite person={person} />
      <dl class="profile">
        {person.email !== null && <><dt>{t('contact.email')}</dt><dd>{person.email}</dd></>}
        {person.phone !== null && <><dt>{t('contact.phone')}</dt><dd>{person.phone}</dd></>}
      </dl>
      <Whereabouts person={person} />
      <h3>{t('contact.identities')}</h3>
      <ul class="identities">
        {person.identities.map(i => <li><ChannelIcon channelId={i.channelId} size={13} /> <span>{i.channelId}</span> <code>{i.externalId}</code></li>)}
      </ul>
      <h3>{t('contact.tags')}</h3>
      <TagEditor label={t('contact.tags')} tags={person.tags} onSave={saveTags} />
      <Notes person={person} />
      {attributes.length > 0 && (
        <>
          <h3>{t('contact.attributes')}</h3>
          <dl class="attributes">{attributes.map(([k, v]) => <><dt>{k}</dt><dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd></>)}</dl>
        </>
      )}
      {(pages.length > 0 || person.browsing?.firstVisit != null) && (
        <>
          <h3>{t('contact.browsing')}</h3>
          {person.browsing?.firstVisit != null && (
            <p class="hint">{t('contact.firstVisit')}: {person.browsing.firstVisit.referrer ?? person.browsing.firstVisit.url}</p>
          )}
          <ol class="trail">
            {pages.map(p => <li><a href={p.url} target="_blank" rel="noopener noreferrer" title={p.url}>{p.title || p.url}</a> <span class="hint">{duration(Date.now() - new Date(p.at).getTime())}</span></li>)}
          </ol>
        </>
      )}
      <h3>{t('contact.past')}</h3>
      <ul class="past">
        {contactConversations.value.map(c => (
          <li class={c.id === openId.value ? 'current' : ''}>
            <a href={`#/c/${c.id}`}><ChannelIcon channelId={c.channelId} size={13} /> {t(`conv.${c.status}`)} · {time(c.createdAt)}</a>
          </li>
        ))}
      </ul>
    </aside>
  )
}
