import { useState } from 'preact/hooks'
import { ApiError, api } from '../api.js'
import { known, locale, t, time } from '../i18n.js'
import { agentName, contact, putMessage, quoting, translationAvailable } from '../state.js'
import type { Attachment, Card, Message } from '../types.js'
import { AddToFaq } from './AddToFaq.js'
import { ChannelIcon, Clip } from './ChannelIcon.js'

function AttachmentView ({ a }: { a: Attachment }) {
  if (a.kind === 'image') return <a href={a.url} target="_blank" rel="noopener"><img class="att-image" src={a.url} alt={a.name ?? ''} loading="lazy" /></a>
  if (a.kind === 'video') return <video class="att-video" src={a.url} controls preload="metadata" />
  if (a.kind === 'audio') return <audio src={a.url} controls preload="none" />
  return <a class="att-file" href={a.url} target="_blank" rel="noopener"><Clip /> {a.name ?? 'file'}{a.size !== undefined ? ` (${Math.ceil(a.size / 1024)} kB)` : ''}</a>
}

export function CardView ({ card }: { card: Card }) {
  return (
    <div class="card" data-kind={card.kind}>
      {card.imageUrl !== undefined && <img src={card.imageUrl} alt="" loading="lazy" />}
      <div>
        <div class="card-kind">{card.kind}</div>
        {card.url !== undefined ? <a class="card-title" href={card.url} target="_blank" rel="noopener">{card.title}</a> : <div class="card-title">{card.title}</div>}
        {card.fields !== undefined && <dl>{Object.entries(card.fields).map(([k, v]) => <><dt>{k}</dt><dd>{v}</dd></>)}</dl>}
      </div>
    </div>
  )
}

function Status ({ message }: { message: Message }) {
  const [error, setError] = useState<string | null>(null)
  const retry = async (): Promise<void> => {
    setError(null)
    try {
      await api('POST', `/conversations/${message.conversationId}/messages/${message.id}/retry`)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <span class={`msg-status status-${message.status}`} data-status={message.status}>
      {t(`msg.${message.status}`)}
      {message.status === 'failed' && (
        <>
          {message.errorMessage !== null && <span class="fail-reason" data-code={message.errorCode}>: {message.errorMessage}</span>}
          <button class="link retry" onClick={() => { void retry() }}>{t('pane.retry')}</button>
          {error !== null && <span class="error" role="alert">{error}</span>}
        </>
      )}
    </span>
  )
}

/** A customer's message held aside: why, and (once restored) by whom; its text is shown on demand. */
function HeldView ({ message }: { message: Message }) {
  const held = message.extras!.held!
  return (
    <details class="msg held-note" data-id={message.id}>
      <summary>
        {held.reason === 'blocked' ? t('msg.held.blocked') : t('msg.held.spam', { rule: held.rule ?? '' })} · <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
        {held.restored !== undefined && <> · {t('msg.held.restored', { name: agentName(held.restored.by) })}</>}
      </summary>
      <div class="text">{message.text}</div>
    </details>
  )
}

/** Translates this one message into the agent's language, whether or not the conversation's translation is on. */
function TranslateOne ({ message }: { message: Message }) {
  const [error, setError] = useState<string | null>(null)
  if (!translationAvailable.value || message.text.trim() === '' || message.extras?.translation?.to === locale.value) return null
  const translate = async (): Promise<void> => {
    setError(null)
    try {
      putMessage(await api<Message>('POST', `/messages/${message.id}/translation`, { to: locale.value }))
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <>
      <button type="button" class="link translate-one" onClick={() => { void translate() }}>{t('msg.translate')}</button>
      {error !== null && <span class="error" role="alert">{error}</span>}
    </>
  )
}

/** One message: who, when, on which channel, its content and (for replies) how far it got. */
export function MessageView ({ message }: { message: Message }) {
  if (message.extras?.held !== undefined) return <HeldView message={message} />
  const [full, setFull] = useState(false)
  // A customer-side note (a rating tap, an auto-reply) is the customer's, not an internal note.
  const customer = message.author.type === 'contact'
  const author = customer
    ? (contact.value?.name ?? t('someone'))
    : message.author.type === 'agent' ? agentName(message.author.id) || t('msg.colleague') : t('msg.bot')
  const internal = message.direction === 'note' && !customer
  const text = full && message.extras?.fullText !== undefined ? message.extras.fullText : message.text
  return (
    <article class={`msg ${customer ? 'inbound' : message.direction}`} data-id={message.id} aria-label={internal ? t('pane.notes') : author}>
      <header>
        <ChannelIcon channelId={message.channelId} size={13} />
        <span class="author">{internal ? `${t('pane.notes')} · ${author}` : author}</span>
        <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
        {message.tag !== null && <span class="tag-chip">{message.tag}</span>}
        {message.extras?.automated !== undefined && <span class="tag-chip automated" title={t('msg.automated')}>{known(`auto.${message.extras.automated}`) ?? message.extras.automated}</span>}
      </header>
      {message.extras?.welcome !== undefined && <div class="saw-welcome hint">{t('msg.sawWelcome', { text: message.extras.welcome.text })}</div>}
      {message.extras?.subject !== undefined && <div class="subject">{message.extras.subject}</div>}
      {message.extras?.quote !== undefined && <blockquote class="quote" data-quoted={message.extras.quote.messageId ?? undefined}>{message.extras.quote.text || t('msg.quoteUnknown')}</blockquote>}
      {text !== '' && <div class="text">{text}</div>}
      {message.extras?.edits !== undefined && message.extras.edits.length > 0 && (
        <details class="edits"><summary>{t('msg.edited')}</summary><ol>{message.extras.edits.map(e => <li><time dateTime={e.at}>{time(e.at)}</time> {e.text}</li>)}</ol></details>
      )}
      {message.extras?.reaction !== undefined && <span class="reaction" title={t('msg.reaction')}>{message.extras.reaction.emoji}</span>}
      {message.extras?.translation !== undefined && <div class="translation" lang={message.extras.translation.to}><span class="hint">{t('translate.from', { language: message.extras.translation.from })}</span> {message.extras.translation.text}</div>}
      {message.extras?.original !== undefined && <div class="translation" lang={message.extras.original.language}><span class="hint">{t('translate.wrote', { language: message.extras.original.language })}</span> {message.extras.original.text}</div>}
      {message.extras?.fullText !== undefined && message.extras.fullText !== message.text && (
        <button class="link" onClick={() => setFull(!full)} aria-expanded={full}>{t('pane.showFull')}</button>
      )}
      {message.attachments.length > 0 && <div class="attachments">{message.attachments.map(a => <AttachmentView a={a} />)}</div>}
      {message.cards.length > 0 && <div class="cards">{message.cards.map(c => <CardView card={c} />)}</div>}
      {message.extras?.choices !== undefined && <ul class="choices" aria-label={t('msg.choices')}>{message.extras.choices.map(c => <li>{c.label}</li>)}</ul>}
      {message.direction === 'outbound' && <footer><Status message={message} /> <TranslateOne message={message} /></footer>}
      {message.direction === 'inbound' && message.text.trim() !== '' && (
        <footer>
          <button type="button" class="link quote-this" onClick={() => { quoting.value = message }}>{t('msg.quote')}</button>
          <TranslateOne message={message} />
          <AddToFaq message={message} />
        </footer>
      )}
    </article>
  )
}
