import { signal } from '@preact/signals'
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, api, get, upload } from '../api.js'
import { duration, known, t } from '../i18n.js'
import { channels, putMessage, quoting } from '../state.js'
import type { Attachment, Card, Conversation, Message, Verdict } from '../types.js'
import { CardPicker } from './CardPicker.js'
import { CardView } from './MessageView.js'
import { Clip } from './ChannelIcon.js'
import { PhraseMenu, usePhrases } from './PhraseMenu.js'
import { Suggestions } from './Suggestions.js'
import { TemplatePicker } from './TemplatePicker.js'

/** A channel a reply can go out on (GET …/reply-channels). */
interface ReplyChannel { channelId: string, address: string | null, verdict: Verdict }

/** Files dropped anywhere on the conversation pane land here. */
export const droppedFiles = signal<File[]>([])

interface Pending { key: number, name: string, attachment: Attachment | null, error: string | null }
const drafts = new Map<string, string>()
const TYPING_EVERY_MS = 3000
const TYPING_IDLE_MS = 4000

/** The draft split around banned words, so they can be marked in place behind the text. */
function highlighted (text: string, words: string[]) {
  if (words.length === 0) return [text]
  const pattern = new RegExp(`(${words.map(w => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'giu')
  return text.split(pattern).map((part, i) => i % 2 === 1 ? <mark>{part}</mark> : part)
}

/**
 * The reply box. It asks the channel's policy before the agent types and shows the outcome:
 * tags to choose, or why replies cannot go; refusals from guards are marked in the text.
 */
export function Composer ({ conversation }: { conversation: Conversation }) {
  const [mode, setMode] = useState<'reply' | 'note'>('reply')
  const [text, setText] = useState(drafts.get(conversation.id) ?? '')
  const [verdict, setVerdict] = useState<Verdict | null>(null)
  const [tag, setTag] = useState('')
  const [files, setFiles] = useState<Pending[]>([])
  const [banned, setBanned] = useState<string[]>([])
  const [error, setError] = useState<string | null>(null)
  const [sending, setSending] = useState(false)
  /** The picker's own search, when opened from its button; null: closed (a draft starting with / opens it too). */
  const [picker, setPicker] = useState<string | null>(null)
  /** An attitude warning on the draft as it stands: the agent edits it or sends it anyway. */
  const [warning, setWarning] = useState<string | null>(null)
  const [dismissed, setDismissed] = useState(false)
  const field = useRef<HTMLTextAreaElement>(null)
  const backdrop = useRef<HTMLDivElement>(null)
  const typing = useRef({ sentAt: 0, idle: undefined as ReturnType<typeof setTimeout> | undefined })
  /** The channels that can reach the contact, its own first; `via` the one the agent chose ('' : the conversation's). */
  const [options, setOptions] = useState<ReplyChannel[]>([])
  /** Cards to send with the reply, and whether the picker is open (or why cards cannot go here). */
  const [cards, setCards] = useState<Card[]>([])
  const [cardPicker, setCardPicker] = useState(false)
  const [cardRefusal, setCardRefusal] = useState<string | null>(null)
  const [via, setVia] = useState('')
  const channel = channels.value.get(via === '' ? conversation.channelId : via)

  useEffect(() => {
    setText(drafts.get(conversation.id) ?? '')
    setFiles([]); setBanned([]); setError(null); setTag(''); setCards([]); setCardRefusal(null)
    if (quoting.value?.conversationId !== conversation.id) quoting.value = null
  }, [conversation.id])

  useEffect(() => {
    setVia('')
    let live = true
    get<{ items: ReplyChannel[] }>(`/conversations/${conversation.id}/reply-channels`).then(r => { if (live) setOptions(r.items) }, () => {})
    return () => { live = false }
  }, [conversation.id, conversation.contactId])

  useEffect(() => {
    let live = true
    const check = (): void => { get<Verdict>(`/conversations/${conversation.id}/reply-policy${via !== '' ? `?channelId=${encodeURIComponent(via)}` : ''}`).then(v => { if (live) setVerdict(v) }, () => {}) }
    check()
    const timer = setInterval(check, 60_000)
    return () => { live = false; clearInterval(timer) }
  }, [conversation.id, conversation.lastInboundAt, conversation.status, JSON.stringify(conversation.channelState), via])

  // Banned words are marked while the agent types, asked of the hub, which refuses a send by the same lists.
  useEffect(() => {
    if (mode !== 'reply' || text.trim() === '') { setBanned([]); return }
    let live = true
    const timer = setTimeout(() => { api<{ words: string[] }>('POST', '/guards/banned-words', { text }).then(r => { if (live) setBanned(r.words) }, () => {}) }, 300)
    return () => { live = false; clearTimeout(timer) }
  }, [text, mode])

  useEffect(() => {
    if (droppedFiles.value.length === 0) return
    attach(droppedFiles.value)
    droppedFiles.value = []
  }, [droppedFiles.value])

  /** A channel action the verdict offers (take the thread from another app); the verdict is asked again after. */
  const runAction = async (action: string): Promise<void> => {
    try {
      await api('POST', `/conversations/${conversation.id}/actions/${action}`)
      setVerdict(await get<Verdict>(`/conversations/${conversation.id}/reply-policy`))
      setError(null)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }

  const attach = (list: File[]): void => {
    for (const file of list) {
      const key = Math.random()
      setFiles(f => [...f, { key, name: file.name, attachment: null, error: null }])
      upload(file).then(
        attachment => setFiles(f => f.map(p => p.key === key ? { ...p, attachment } : p)),
        err => setFiles(f => f.map(p => p.key === key ? { ...p, error: err instanceof ApiError ? err.message : String(err) } : p))
      )
    }
  }

  const signalTyping = (on: boolean): void => {
    if (channel?.capabilities.typing !== true) return
    void api('POST', `/conversations/${conversation.id}/typing`, { on }).catch(() => {})
  }
  const onInput = (value: string): void => {
    setText(value)
    setWarning(null)
    if (!value.startsWith('/')) setDismissed(false)
    drafts.set(conversation.id, value)
    if (mode !== 'reply' || value === '') return
    const now = Date.now()
    if (now - typing.current.sentAt > TYPING_EVERY_MS) { typing.current.sentAt = now; signalTyping(true) }
    clearTimeout(typing.current.idle)
    typing.current.idle = setTimeout(() => { typing.current.sentAt = 0; signalTyping(false) }, TYPING_IDLE_MS)
  }

  const slash = mode === 'reply' && !dismissed && /^\/[^\n]*$/.test(text) ? text : null
  const phraseQuery = picker ?? slash
  const phrases = usePhrases(conversation.id, phraseQuery)
  const pickPhrase = (p: { expanded: { text: string, attachments: Attachment[] } }): void => {
    onInput(p.expanded.text)
    setFiles(f => [...f, ...p.expanded.attachments.map(a => ({ key: Math.random(), name: a.name ?? a.kind, attachment: a, error: null }))])
    setPicker(null)
    field.current?.focus()
  }

  const denied = mode === 'reply' && verdict?.verdict === 'deny'
  const needsTag = mode === 'reply' && verdict?.verdict === 'tag_required'
  const uploading = files.some(f => f.attachment === null && f.error === null)
  const attachments = files.flatMap(f => f.attachment === null ? [] : [f.attachment])
  const tooLong = mode === 'reply' && channel !== undefined && text.length > channel.capabilities.maxTextLength
  const canSend = !sending && !denied && !uploading && !tooLong && (text.trim() !== '' || (mode === 'reply' && (attachments.length > 0 || cards.length > 0))) && (!needsTag || tag !== '')
  const openCards = (): void => {
    // The channel's capabilities say it first; the hub refuses the same (cards_unsupported) if sent anyway.
    if (channel?.capabilities.cards !== true) { setCardRefusal(t('cards.unsupported', { channel: via === '' ? conversation.channelId : via })); return }
    setCardRefusal(null)
    setCardPicker(true)
  }

  const send = async (confirm = false): Promise<void> => {
    if (!canSend) return
    // The box empties at once, so the agent can write on while this goes; a refusal puts it back.
    const sentText = text
    const sentFiles = files
    const sentCards = cards
    const quoted = mode === 'reply' ? quoting.value : null
    setText(''); setFiles([]); setCards([]); drafts.delete(conversation.id)
    setSending(true)
    setError(null)
    setWarning(null)
    try {
      const message = mode === 'note'
        ? await api<Message>('POST', `/conversations/${conversation.id}/notes`, { text })
        : await api<Message>('POST', `/conversations/${conversation.id}/messages`, { text, attachments, ...(sentCards.length > 0 ? { cards: sentCards } : {}), ...(needsTag ? { tag } : {}), ...(confirm ? { confirm } : {}), ...(quoted !== null ? { replyTo: quoted.id } : {}), ...(via !== '' ? { channelId: via } : {}) })
      putMessage(message)
      if (quoted !== null) quoting.value = null
      setBanned([])
      clearTimeout(typing.current.idle)
      if (mode === 'reply' && typing.current.sentAt !== 0) { typing.current.sentAt = 0; signalTyping(false) }
    } catch (err) {
      // Unless the agent has started something new, what was refused comes back to be fixed.
      setText(current => current === '' ? sentText : current)
      setFiles(current => current.length === 0 ? sentFiles : current)
      setCards(current => current.length === 0 ? sentCards : current)
      if (drafts.get(conversation.id) === undefined) drafts.set(conversation.id, sentText)
      if (err instanceof ApiError && err.code === 'attitude_warning') {
        setWarning(err.message.replace(/ Edit it, or send it as written with confirm: true\.$/, ''))
      } else if (err instanceof ApiError && err.code === 'banned_words') {
        setBanned((err.body.words as string[] | undefined) ?? [])
        setError(`${t('reply.bannedWords')} ${err.message}`)
      } else {
        setError(err instanceof ApiError ? err.message : String(err))
        if (err instanceof ApiError && err.status === 422 && err.body.verdict !== undefined) setVerdict(err.body as unknown as Verdict)
      }
    } finally {
      setSending(false)
      field.current?.focus()
    }
  }

  const onKeyDown = (e: KeyboardEvent): void => {
    if (phraseQuery !== null && !e.isComposing) {
      const step = { ArrowDown: 1, ArrowUp: -1 }[e.key]
      if (step !== undefined) { e.preventDefault(); phrases.moveBy(step); return }
      if ((e.key === 'Enter' || e.key === 'Tab') && phrases.items.length > 0) { e.preventDefault(); pickPhrase(phrases.items[phrases.active]!); return }
      if (e.key === 'Escape') { e.preventDefault(); setPicker(null); setDismissed(true); return }
    }
    // Enter while an input method is composing (Chinese, Japanese) picks a candidate; it does not send.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault()
      void send()
    }
  }
  const onPaste = (e: ClipboardEvent): void => {
    const pasted = [...(e.clipboardData?.files ?? [])]
    if (pasted.length > 0 && mode === 'reply') { e.preventDefault(); attach(pasted) }
  }
  const lastWrote = conversation.lastInboundAt === null ? null : Date.now() - new Date(conversation.lastInboundAt).getTime()

  return (
    <div class={`composer mode-${mode}`}>
      <div class="composer-tabs" role="tablist">
        <button role="tab" aria-selected={mode === 'reply'} class={mode === 'reply' ? 'active' : ''} onClick={() => setMode('reply')}>{t('reply.tab')}</button>
        <button role="tab" aria-selected={mode === 'note'} class={mode === 'note' ? 'active' : ''} onClick={() => setMode('note')}>{t('note.tab')}</button>
        {mode === 'reply' && options.length > 1 && (
          <label class="reply-via">{t('reply.via')}{' '}
            <select aria-label={t('reply.via')} value={via === '' ? conversation.channelId : via} onChange={e => setVia(e.currentTarget.value === conversation.channelId ? '' : e.currentTarget.value)}>
              {options.map(o => <option value={o.channelId}>{o.channelId}{o.address !== null ? ` · ${o.address}` : ''}{o.verdict.verdict === 'deny' ? ` · ${t('reply.viaClosed')}` : ''}</option>)}
            </select>
          </label>
        )}
        {verdict?.verdict === 'allow' && verdict.windowClosesAt !== undefined && mode === 'reply' && (
          <span class="hint window">{t('reply.windowCloses', { in: duration(new Date(verdict.windowClosesAt).getTime() - Date.now()) })}</span>
        )}
      </div>
      {denied && verdict?.verdict === 'deny' && (
        <div class="policy deny" role="status" data-code={verdict.code}>
          <strong>{t('reply.denied')}</strong> {verdict.message}
          {lastWrote !== null && <> {t('reply.lastWrote', { ago: duration(lastWrote) })}</>}
          {verdict.templates !== undefined && verdict.templates.length > 0 && (
            <TemplatePicker conversationId={conversation.id} offered={verdict.templates} onSent={() => { void get<Verdict>(`/conversations/${conversation.id}/reply-policy`).then(setVerdict, () => {}) }} />
          )}
          {verdict.actions?.map(a => (
            <button type="button" class="channel-action" data-action={a.id} onClick={() => { void runAction(a.id) }}>{known(`action.${a.id}`) ?? a.label}</button>
          ))}
        </div>
      )}
      {needsTag && verdict?.verdict === 'tag_required' && (
        <div class="policy tag" role="status" data-code={verdict.code}>
          <span>{verdict.message}</span>
          <label>{t('reply.tagLabel')}{' '}
            <select aria-label={t('reply.tagLabel')} value={tag} onChange={e => setTag(e.currentTarget.value)}>
              <option value="">{t('reply.tagNeeded')}</option>
              {verdict.tags.map(x => <option value={x}>{x}</option>)}
            </select>
          </label>
        </div>
      )}
      {mode === 'reply' && quoting.value !== null && (
        <div class="quoting" role="status"><blockquote class="quote">{quoting.value.text}</blockquote>
          <button type="button" class="link" aria-label={t('reply.unquote')} onClick={() => { quoting.value = null }}>✕</button>
        </div>
      )}
      {mode === 'reply' && conversation.status !== 'closed' && (
        <Suggestions conversationId={conversation.id} onUse={answer => { onInput(answer); field.current?.focus() }} />
      )}
      {phraseQuery !== null && (
        <div class="phrases">
          {picker !== null && (
            <input type="search" autoFocus aria-label={t('phrases.search')} placeholder={t('phrases.search')} value={picker}
              onInput={e => setPicker(e.currentTarget.value)} onKeyDown={onKeyDown} />
          )}
          <PhraseMenu items={phrases.items} active={phrases.active} onPick={pickPhrase} />
        </div>
      )}
      <div class="compose-field">
        <div class="highlights" ref={backdrop} aria-hidden="true">{highlighted(text, banned)}{'\n'}</div>
        <textarea ref={field} rows={3} value={text} disabled={denied}
          aria-label={mode === 'note' ? t('note.placeholder') : t('reply.placeholder')}
          placeholder={mode === 'note' ? t('note.placeholder') : t('reply.placeholder')}
          aria-invalid={banned.length > 0}
          onInput={e => onInput(e.currentTarget.value)} onKeyDown={onKeyDown} onPaste={onPaste}
          onScroll={e => { backdrop.current!.scrollTop = e.currentTarget.scrollTop }} />
      </div>
      {banned.length > 0 && <ul class="banned-list" aria-label={t('reply.bannedWords')}>{banned.map(w => <li><mark>{w}</mark></li>)}</ul>}
      {files.length > 0 && (
        <ul class="pending-files">
          {files.map(f => (
            <li class={f.error !== null ? 'error' : ''}>
              {f.attachment === null && f.error === null ? `${t('reply.uploading')} ` : ''}{f.name}{f.error !== null ? ` — ${f.error}` : ''}
              <button class="link" aria-label={`${t('cancel')} ${f.name}`} onClick={() => setFiles(list => list.filter(x => x.key !== f.key))}>×</button>
            </li>
          ))}
        </ul>
      )}
      {cards.length > 0 && (
        <ul class="pending-cards" aria-label={t('cards.title')}>
          {cards.map((c, i) => <li><CardView card={c} /><button class="link" aria-label={`${t('cancel')} ${c.title}`} onClick={() => setCards(list => list.filter((_, j) => j !== i))}>×</button></li>)}
        </ul>
      )}
      {cardRefusal !== null && <p class="hint error" role="status">{cardRefusal}</p>}
      {cardPicker && <CardPicker onPick={card => { setCards(list => [...list, card]); setCardPicker(false) }} onClose={() => setCardPicker(false)} />}
      {warning !== null && (
        <div class="policy attitude" role="alert">
          <span><strong>{t('attitude.warning')}</strong> {warning}</span>
          <button onClick={() => { void send(true) }}>{t('attitude.sendAnyway')}</button>
          <button class="primary" onClick={() => { setWarning(null); field.current?.focus() }}>{t('attitude.edit')}</button>
        </div>
      )}
      {error !== null && <p class="error" role="alert">{error}</p>}
      <div class="composer-actions">
        {mode === 'reply' && (
          <label class="attach" title={t('reply.attach')}>
            <Clip /><span class="sr-only">{t('reply.attach')}</span>
            <input type="file" multiple hidden onChange={e => { attach([...(e.currentTarget.files ?? [])]); e.currentTarget.value = '' }} />
          </label>
        )}
        {mode === 'reply' && <button class="link phrase-button" aria-expanded={picker !== null} onClick={() => setPicker(p => p === null ? '' : null)}>{t('phrases.button')}</button>}
        {mode === 'reply' && <button class="link card-button" onClick={openCards}>{t('cards.button')}</button>}
        {mode === 'reply' && channel !== undefined && <span class={tooLong ? 'hint error' : 'hint'} role={tooLong ? 'alert' : undefined}>{text.length} / {channel.capabilities.maxTextLength}</span>}
        <span class="spacer" />
        <button class="primary" disabled={!canSend} onClick={() => { void send() }}>{t('reply.send')}</button>
      </div>
    </div>
  )
}
