import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { ApiError, api } from '../api.js'
import { t } from '../i18n.js'
import { agentName, agents, applyConversation, channels, contact, phoneView, contactConversations, customerTyping, history, me, openConversation, teams } from '../state.js'
import type { Conversation, Message } from '../types.js'
import { ChannelIcon } from './ChannelIcon.js'
import { Composer, droppedFiles } from './Composer.js'
import { MessageView } from './MessageView.js'
import { TranslateToggle } from './TranslateToggle.js'
import { TagEditor } from './TagEditor.js'

function TransferDialog ({ conversation, onDone }: { conversation: Conversation, onDone: (error?: string) => void }) {
  const [agentId, setAgentId] = useState('')
  const [teamId, setTeamId] = useState('')
  const [note, setNote] = useState('')
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    try {
      const moved = await api<Conversation>('POST', `/conversations/${conversation.id}/assign`, {
        ...(agentId !== '' ? { agentId } : {}), ...(teamId !== '' ? { teamId } : {}), ...(note.trim() !== '' ? { note } : {})
      })
      await applyConversation(moved)
      onDone()
    } catch (err) {
      onDone(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <form class="dialog" aria-label={t('transfer.title')} onSubmit={e => { void submit(e) }}>
      <h3>{t('transfer.title')}</h3>
      <label>{t('transfer.agent')}
        <select name="agent" value={agentId} onChange={e => setAgentId(e.currentTarget.value)}>
          <option value="">{t('transfer.nobody')}</option>
          {agents.value.filter(a => a.id !== conversation.assigneeId).map(a => <option value={a.id} disabled={a.status === 'offline'}>{a.name} · {t(`status.${a.status}`)}</option>)}
        </select>
      </label>
      <label>{t('transfer.team')}
        <select name="team" value={teamId} onChange={e => setTeamId(e.currentTarget.value)}>
          <option value="">{t('transfer.nobody')}</option>
          {teams.value.map(x => <option value={x.id}>{x.name}</option>)}
        </select>
      </label>
      <label>{t('transfer.note')}<textarea name="note" rows={2} value={note} onInput={e => setNote(e.currentTarget.value)} /></label>
      <div class="dialog-actions">
        <button type="button" class="link" onClick={() => onDone()}>{t('cancel')}</button>
        <button type="submit" class="primary" disabled={agentId === '' && teamId === ''}>{t('transfer.submit')}</button>
      </div>
    </form>
  )
}

function Actions ({ conversation }: { conversation: Conversation }) {
  const [transferring, setTransferring] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const act = async (path: string, body?: unknown): Promise<void> => {
    setError(null)
    try {
      const changed = await api<Conversation>('POST', `/conversations/${conversation.id}/${path}`, body)
      await applyConversation(changed)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  const saveTags = async (tags: string[]): Promise<void> => {
    const changed = await api<Conversation>('PUT', `/conversations/${conversation.id}/tags`, { tags })
    await applyConversation(changed)
  }
  const closed = conversation.status === 'closed'
  return (
    <div class="actions">
      {!closed && conversation.assigneeId !== me.value?.id && <button onClick={() => { void act('assign', {}) }}>{t('action.take')}</button>}
      {!closed && <button onClick={() => setTransferring(true)}>{t('action.transfer')}</button>}
      {!closed && conversation.status !== 'bot' && channels.value.get(conversation.channelId)?.robot === 'auto' && <button onClick={() => { void act('robot') }}>{t('action.toRobot')}</button>}
      {closed ? <button onClick={() => { void act('reopen') }}>{t('action.reopen')}</button> : <button onClick={() => { void act('close') }}>{t('action.close')}</button>}
      {conversation.rating === null && <button onClick={() => { void act('rating-invitation') }} disabled={conversation.ratingInvitedAt !== null && Date.now() - new Date(conversation.ratingInvitedAt).getTime() < 60_000}>{t('rating.ask')}</button>}
      <TagEditor label={t('action.tags')} tags={conversation.tags} onSave={saveTags} />
      {!closed && <TranslateToggle conversationId={conversation.id} lastInboundAt={conversation.lastInboundAt} />}
      {transferring && <TransferDialog conversation={conversation} onDone={e => { setTransferring(false); setError(e ?? null) }} />}
      {error !== null && <p class="error" role="alert">{error}</p>}
    </div>
  )
}

/** Messages grouped by conversation, with a line where each conversation (and channel) begins. */
function Timeline ({ messages }: { messages: Message[] }) {
  const byId = new Map(contactConversations.value.map(c => [c.id, c]))
  let previous: string | null = null
  return (
    <>
      {messages.map(m => {
        const start = m.conversationId !== previous
        previous = m.conversationId
        const c = byId.get(m.conversationId)
        return (
          <>
            {start && c !== undefined && <div class="separator"><ChannelIcon channelId={c.channelId} size={12} /> {t('pane.conversationOn', { channel: c.channelId, status: t(`conv.${c.status}`) })}</div>}
            <MessageView key={m.id} message={m} />
          </>
        )
      })}
    </>
  )
}

/** The open conversation: header and actions, the contact's whole history, and the reply box. */
export function ConversationPane () {
  const conversation = openConversation.value
  const scroller = useRef<HTMLDivElement>(null)
  const [dragging, setDragging] = useState(false)
  const messages = history.value
  useLayoutEffect(() => {
    const el = scroller.current
    if (el !== null) el.scrollTop = el.scrollHeight
  }, [messages.length, conversation?.id, customerTyping.value])
  useEffect(() => setDragging(false), [conversation?.id])
  if (conversation === null) return <section class="conversation-pane empty"><p>{t('pane.empty')}</p></section>
  const name = contact.value?.name ?? contact.value?.email ?? t('someone')
  return (
    <section class={`conversation-pane${dragging ? ' dragging' : ''}`} aria-label={name}
      onDragOver={e => { if (e.dataTransfer?.types.includes('Files') === true) { e.preventDefault(); setDragging(true) } }}
      onDragLeave={e => { if (e.currentTarget === e.target) setDragging(false) }}
      onDrop={e => { e.preventDefault(); setDragging(false); droppedFiles.value = [...(e.dataTransfer?.files ?? [])] }}>
      <header class="pane-header">
        <button type="button" class="link phone-only back" onClick={() => { phoneView.value = 'list' }}>‹ {t('phone.back')}</button>
        <ChannelIcon channelId={conversation.channelId} size={20} />
        <div>
          <h2>{name} {conversation.moodAlertAt !== null && conversation.status !== 'closed' && <span class="mood" title={t('mood.title')}>{t('mood.upset')}</span>}</h2>
          <span class={`conv-status status-${conversation.status}`}>{t(`conv.${conversation.status}`)}{conversation.assigneeId !== null ? ` · ${agentName(conversation.assigneeId)}` : ''}</span>
          {conversation.rating !== null && (
            <span class="rating" title={conversation.rating.comment ?? undefined} aria-label={t('rating.label', { score: conversation.rating.score })}>
              {'★'.repeat(conversation.rating.score)}{'☆'.repeat(5 - conversation.rating.score)}{conversation.rating.comment !== null && <> “{conversation.rating.comment}”</>}
            </span>
          )}
          {conversation.rating === null && conversation.ratingInvitedAt !== null && <span class="hint rating-asked">{t('rating.asked')}</span>}
        </div>
        <button type="button" class="link phone-only to-contact" onClick={() => { phoneView.value = 'contact' }}>{t('phone.contact')} ›</button>
        <Actions conversation={conversation} />
      </header>
      <div class="messages" ref={scroller} role="log" aria-live="polite">
        <Timeline messages={messages} />
        {customerTyping.value && <p class="typing" role="status">{t('pane.customerTyping', { name })}</p>}
      </div>
      {dragging && <div class="drop-hint">{t('reply.dropHere')}</div>}
      <Composer conversation={conversation} />
    </section>
  )
}
