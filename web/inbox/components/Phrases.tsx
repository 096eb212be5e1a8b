import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, get, upload } from '../api.js'
import { t } from '../i18n.js'
import { me, teams } from '../state.js'
import type { Attachment, Phrase } from '../types.js'
import { FormEnd } from './FormEnd.js'

/** Where a phrase may be kept: your own, a team you supervise, the hub's (admins). */
type Place = { scope: 'personal' } | { scope: 'team', teamId: string } | { scope: 'hub' }

const placeKey = (p: Place): string => p.scope === 'team' ? `team:${p.teamId}` : p.scope

/** A phrase is yours to change when it is personal and yours, your team's and you supervise it, or the hub's and you are an admin. */
function mayEdit (p: Phrase): boolean {
  const agent = me.value
  if (agent === null) return false
  if (p.scope === 'personal') return p.ownerId === agent.id
  if (p.scope === 'hub') return agent.role === 'admin'
  return agent.role === 'admin' || (agent.role === 'supervisor' && p.teamId !== null && agent.teams.includes(p.teamId))
}

function PhraseForm ({ phrase, places, onDone }: { phrase: Phrase | null, places: Place[], onDone: (changed: boolean) => void }) {
  const [place, setPlace] = useState(placeKey(places[0]!))
  const [form, setForm] = useState({ code: phrase?.code ?? '', title: phrase?.title ?? '', text: phrase?.text ?? '' })
  const [media, setMedia] = useState<Attachment[]>(phrase?.attachments ?? [])
  const [error, setError] = useState<string | null>(null)
  const save = async (e: Event): Promise<void> => {
    e.preventDefault()
    try {
      const fields = { ...form, attachments: media }
      if (phrase === null) {
        const where = places.find(p => placeKey(p) === place)!
        await api('POST', '/phrases', { ...fields, ...where })
      } else {
        await api('PATCH', `/phrases/${phrase.id}`, fields)
      }
      onDone(true)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  const attach = async (file: File): Promise<void> => {
    try { const a = await upload(file); setMedia(m => [...m, a]) } catch (err) { setError(err instanceof ApiError ? err.message : String(err)) }
  }
  return (
    <form class="phrase-form" aria-label={phrase === null ? t('phrases.new') : t('phrases.editing', { code: phrase.code })} onSubmit={e => { void save(e) }}>
      {phrase === null && (
        <label>{t('phrases.where')} <select name="place" value={place} onChange={e => setPlace(e.currentTarget.value)}>
          {places.map(p => <option value={placeKey(p)}>{p.scope === 'personal' ? t('phrases.mine') : p.scope === 'hub' ? t('phrases.hub') : teams.value.find(x => x.id === p.teamId)?.name ?? p.teamId}</option>)}
        </select></label>
      )}
      <label>{t('phrases.code')} <input name="code" required maxLength={32} pattern="[\p{L}\p{N}_-]+" value={form.code} onInput={e => setForm({ ...form, code: e.currentTarget.value })} /></label>
      <label>{t('phrases.title')} <input name="title" required maxLength={200} value={form.title} onInput={e => setForm({ ...form, title: e.currentTarget.value })} /></label>
      <label>{t('phrases.text')} <textarea name="text" required rows={3} maxLength={5000} value={form.text} onInput={e => setForm({ ...form, text: e.currentTarget.value })} /></label>
      <div class="phrase-media">
        {media.map(a => <span class="chip">{a.name ?? a.kind} <button type="button" class="link" aria-label={t('phrases.removeMedia', { name: a.name ?? a.kind })} onClick={() => setMedia(m => m.filter(x => x !== a))}>×</button></span>)}
        <label class="button">{t('phrases.addMedia')}<input type="file" accept="image/*,video/*" hidden onChange={e => { const f = e.currentTarget.files?.[0]; e.currentTarget.value = ''; if (f !== undefined) void attach(f) }} /></label>
      </div>
      <FormEnd error={error} onCancel={() => onDone(false)} />
    </form>
  )
}

/** Quick phrases: yours, your teams' and the hub's; each kept where you may keep it, with its images and videos. */
export function Phrases () {
  const [items, setItems] = useState<Phrase[]>([])
  const [editing, setEditing] = useState<Phrase | null | 'new'>(null)
  const [version, setVersion] = useState(0)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => { void get<{ items: Phrase[] }>('/phrases?limit=100').then(r => setItems(r.items)) }, [version])
  const agent = me.value!
  const places: Place[] = [
    { scope: 'personal' },
    ...teams.value.filter(x => agent.role === 'admin' || (agent.role === 'supervisor' && agent.teams.includes(x.id))).map(x => ({ scope: 'team' as const, teamId: x.id })),
    ...(agent.role === 'admin' ? [{ scope: 'hub' as const }] : [])
  ]
  const remove = async (p: Phrase): Promise<void> => {
    try { await api('DELETE', `/phrases/${p.id}`); setVersion(v => v + 1) } catch (err) { setError(err instanceof ApiError ? err.message : String(err)) }
  }
  const where = (p: Phrase): string => p.scope === 'personal' ? t('phrases.mine') : p.scope === 'hub' ? t('phrases.hub') : teams.value.find(x => x.id === p.teamId)?.name ?? String(p.teamId)
  return (
    <main class="phrases-page">
      <header class="faq-tools">
        <h2>{t('phrases.list')} <span class="count">{items.length}</span></h2>
        <button class="primary" onClick={() => setEditing('new')}>{t('phrases.new')}</button>
      </header>
      {editing !== null && <PhraseForm phrase={editing === 'new' ? null : editing} places={places} onDone={changed => { setEditing(null); if (changed) setVersion(v => v + 1) }} />}
      {error !== null && <p class="error" role="alert">{error}</p>}
      <ul class="faq-list">
        {items.map(p => (
          <li data-id={p.id}>
            <div class="question">/{p.code} · {p.title}</div>
            <div class="answer">{p.text}</div>
            <div class="hint">{where(p)}{p.attachments.length > 0 ? ` · ${t('phrases.withMedia', { n: p.attachments.length })}` : ''}</div>
            {mayEdit(p) && (
              <div class="row-actions">
                <button class="link" onClick={() => setEditing(p)}>{t('faq.edit')}</button>
                <button class="link" onClick={() => { void remove(p) }}>{t('faq.remove')}</button>
              </div>
            )}
          </li>
        ))}
      </ul>
      {items.length === 0 && <p class="empty">{t('phrases.empty')}</p>}
    </main>
  )
}
