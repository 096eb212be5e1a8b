import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, get, session } from '../api.js'
import { t } from '../i18n.js'
import { agentName, me, teams } from '../state.js'
import type { FaqMatch } from '../types.js'
import { FormEnd } from './FormEnd.js'

const lines = (text: string): string[] => text.split('\n').map(l => l.trim()).filter(l => l !== '')

/** One entry's form: a new one, or changes to one. */
function EntryForm ({ entry, onDone }: { entry: FaqMatch | null, onDone: (changed: boolean) => void }) {
  const admin = me.value?.role === 'admin'
  const own = teams.value.filter(x => admin || me.value?.teams.includes(x.id))
  const [teamId, setTeamId] = useState(entry?.teamId ?? (admin ? '' : own[0]?.id ?? ''))
  const [question, setQuestion] = useState(entry?.question ?? '')
  const [alternatives, setAlternatives] = useState(entry?.alternatives.join('\n') ?? '')
  const [answer, setAnswer] = useState(entry?.answer ?? '')
  const [error, setError] = useState<string | null>(null)
  const save = async (e: Event): Promise<void> => {
    e.preventDefault()
    const body = { question, answer, alternatives: lines(alternatives) }
    try {
      if (entry === null) await api('POST', '/faq', { ...body, teamId: teamId === '' ? null : teamId })
      else await api('PATCH', `/faq/${entry.id}`, body)
      onDone(true)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <form class="dialog faq-entry" aria-label={entry === null ? t('faq.new') : t('faq.edit')} onSubmit={e => { void save(e) }}>
      {entry === null && (
        <label>{t('supervisor.team')}
          <select value={teamId} onChange={e => setTeamId(e.currentTarget.value)}>
            {admin && <option value="">{t('faq.everyTeam')}</option>}
            {own.map(x => <option value={x.id}>{x.name}</option>)}
          </select>
        </label>
      )}
      <label>{t('faq.question')}<input value={question} required maxLength={1000} onInput={e => setQuestion(e.currentTarget.value)} /></label>
      <label>{t('faq.alternatives')}<textarea rows={3} value={alternatives} onInput={e => setAlternatives(e.currentTarget.value)} /></label>
      <label>{t('faq.answer')}<textarea rows={4} value={answer} required maxLength={5000} onInput={e => setAnswer(e.currentTarget.value)} /></label>
      <FormEnd error={error} onCancel={() => onDone(false)} />
    </form>
  )
}

/** The knowledge base: search it as the robot would, add, change, remove, import a CSV. */
export function Faq () {
  const [q, setQ] = useState('')
  const [items, setItems] = useState<FaqMatch[]>([])
  const [suggestions, setSuggestions] = useState<FaqMatch[]>([])
  const [total, setTotal] = useState(0)
  const [editing, setEditing] = useState<FaqMatch | null | 'new'>(null)
  const [message, setMessage] = useState<{ error: boolean, text: string, problems?: string[] } | null>(null)
  const [version, setVersion] = useState(0)
  const manager = me.value?.role !== 'agent'
  useEffect(() => {
    let live = true
    const timer = setTimeout(() => {
      get<{ items: FaqMatch[], total: number }>(`/faq?limit=100${q.trim() !== '' ? `&q=${encodeURIComponent(q)}` : '&suggested=false'}`)
        .then(r => { if (live) { setItems(r.items); setTotal(r.total) } }, () => {})
      get<{ items: FaqMatch[] }>('/faq?limit=100&suggested=true').then(r => { if (live) setSuggestions(r.items) }, () => {})
    }, 150)
    return () => { live = false; clearTimeout(timer) }
  }, [q, version])
  const importFile = async (file: File, teamId: string): Promise<void> => {
    const response = await fetch(`/api/v1/faq/import${teamId !== '' ? `?teamId=${encodeURIComponent(teamId)}` : ''}`, {
      method: 'POST', headers: { authorization: `Bearer ${session.token ?? ''}`, 'content-type': 'text/csv' }, body: await file.text()
    })
    const body = await response.json() as { created?: number, updated?: number, message?: string, problems?: string[] }
    setMessage(response.ok
      ? { error: false, text: t('faq.imported', { created: body.created ?? 0, updated: body.updated ?? 0 }) }
      : { error: true, text: body.message ?? response.statusText, ...(body.problems !== undefined ? { problems: body.problems } : {}) })
    setVersion(v => v + 1)
  }
  const act = async (id: string, how: 'DELETE' | 'approve'): Promise<void> => {
    try {
      await (how === 'DELETE' ? api('DELETE', `/faq/${id}`) : api('POST', `/faq/${id}/approve`))
      setVersion(v => v + 1)
    } catch (err) {
      setMessage({ error: true, text: err instanceof ApiError ? err.message : String(err) })
    }
  }
  const admin = me.value?.role === 'admin'
  const mayManage = (e: FaqMatch): boolean => admin || (manager && e.teamId !== null && me.value?.teams.includes(e.teamId) === true)
  const ownTeams = teams.value.filter(x => admin || me.value?.teams.includes(x.id))
  const [importTeam, setImportTeam] = useState(admin ? '' : ownTeams[0]?.id ?? '')
  return (
    <main class="faq-page">
      <header class="faq-tools">
        <h2>{t('faq.title')} <span class="count">{total}</span></h2>
        <input type="search" aria-label={t('faq.search')} placeholder={t('faq.search')} value={q} onInput={e => setQ(e.currentTarget.value)} />
        {manager && <button class="primary" onClick={() => setEditing('new')}>{t('faq.new')}</button>}
        {manager && (
          <select aria-label={t('faq.importTo')} value={importTeam} onChange={e => setImportTeam(e.currentTarget.value)}>
            {admin && <option value="">{t('faq.everyTeam')}</option>}
            {ownTeams.map(x => <option value={x.id}>{x.name}</option>)}
          </select>
        )}
        {manager && (
          <label class="button">{t('faq.import')}
            <input type="file" accept=".csv,text/csv" hidden onChange={e => { const f = e.currentTarget.files?.[0]; e.currentTarget.value = ''; if (f !== undefined) void importFile(f, importTeam) }} />
          </label>
        )}
      </header>
      {manager && <p class="hint">{t('faq.importHint')}</p>}
      {message !== null && (
        <div class={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'}>
          {message.text}
          {message.problems !== undefined && <ul>{message.problems.map(p => <li>{p}</li>)}</ul>}
        </div>
      )}
      {manager && suggestions.length > 0 && (
        <section class="faq-suggestions" aria-labelledby="faq-suggestions-title">
          <h3 id="faq-suggestions-title">{t('faq.suggestions')} <span class="count">{suggestions.length}</span></h3>
          <ul class="faq-list">
            {suggestions.map(e => (
              <li data-id={e.id}>
                <div class="question">{e.question}</div>
                <div class="answer">{e.answer}</div>
                <div class="hint">{e.teamId === null ? t('faq.everyTeam') : teams.value.find(x => x.id === e.teamId)?.name ?? e.teamId} · {t('faq.suggestionBy', { name: e.createdBy === null ? '—' : agentName(e.createdBy) })}</div>
                {mayManage(e) && (
                  <div class="row-actions">
                    <button class="primary approve" onClick={() => { void act(e.id, 'approve') }}>{t('faq.approve')}</button>
                    <button class="link" onClick={() => setEditing(e)}>{t('faq.edit')}</button>
                    <button class="link" onClick={() => { void act(e.id, 'DELETE') }}>{t('faq.remove')}</button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {editing !== null && <EntryForm entry={editing === 'new' ? null : editing} onDone={changed => { setEditing(null); if (changed) setVersion(v => v + 1) }} />}
      <ul class="faq-list">
        {items.map(e => (
          <li data-id={e.id}>
            <div class="question">{e.question}{q.trim() !== '' && <span class="hint"> {Math.round(e.confidence * 100)}%</span>}</div>
            {e.alternatives.length > 0 && <div class="hint">{e.alternatives.join(' · ')}</div>}
            <div class="answer">{e.answer}</div>
            <div class="hint">{e.teamId === null ? t('faq.everyTeam') : teams.value.find(x => x.id === e.teamId)?.name ?? e.teamId}</div>
            {mayManage(e) && (
              <div class="row-actions">
                <button class="link" onClick={() => setEditing(e)}>{t('faq.edit')}</button>
                <button class="link" onClick={() => { void act(e.id, 'DELETE') }}>{t('faq.remove')}</button>
              </div>
            )}
          </li>
        ))}
      </ul>
      {items.length === 0 && <p class="empty">{q.trim() === '' ? t('faq.empty') : t('faq.noMatch')}</p>}
    </main>
  )
}
