import { session } from './api.js'
import { notifyHidden } from './notify.js'
import { duration, t } from './i18n.js'
import { agents, applyConversation, contact, customerTyping, loadList, me, online, openId, putMessage, refreshCounts, rows } from './state.js'
import type { HubEvent } from './types.js'

const TYPING_SHOWN_MS = 6000

type Listener = (event: HubEvent) => void
const listeners = new Set<Listener>()
/** Views outside the list (the supervisor's) hear every event too. */
export function onEvent (listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

let socket: WebSocket | null = null
let lastEventId: string | undefined
let retry = 0
let typingTimer: ReturnType<typeof setTimeout> | undefined
let stopped = false

/** The agent's event stream: reconnects with the last event id, so nothing is missed or shown twice. */
export function connect (): void {
  stopped = false
  const url = new URL('/api/v1/stream', location.href)
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  url.searchParams.set('access_token', session.token ?? '')
  if (lastEventId !== undefined) url.searchParams.set('lastEventId', lastEventId)
  // A first connection has nothing to replay from: what changed between loading the list and
  // the socket's `ready` (a mood alert just after sign-in) is read again once it is ready.
  const fresh = lastEventId === undefined
  const ws = new WebSocket(url)
  socket = ws
  ws.onmessage = e => {
    const frame = JSON.parse(String(e.data)) as HubEvent | { type: 'ready' } | { type: 'resync' }
    if (frame.type === 'ready') {
      online.value = true
      retry = 0
      if (fresh) void loadList()
      return
    }
    if (frame.type === 'resync') { void loadList(); return }
    lastEventId = frame.id
    void handle(frame)
  }
  ws.onclose = () => {
    if (socket !== ws || stopped) return
    online.value = false
    // Back off up to 15 s; the hub replays what was missed on reconnect.
    setTimeout(connect, Math.min(15_000, 500 * 2 ** retry++))
  }
}

export function disconnect (): void {
  stopped = true
  lastEventId = undefined
  socket?.close()
  socket = null
}

async function handle (event: HubEvent): Promise<void> {
  for (const listener of listeners) listener(event)
  switch (event.type) {
    case 'message.created':
    case 'message.updated': {
      putMessage(event.message)
      const row = rows.value.find(r => r.id === event.conversationId)
      if (row !== undefined && (event.type === 'message.created' || row.lastMessage?.id === event.message.id)) {
        rows.value = rows.value.map(r => r.id === row.id ? { ...r, lastMessage: event.message } : r)
      }
      if (event.type === 'message.created' && event.message.direction === 'inbound') {
        if (event.conversationId === openId.value) customerTyping.value = false
        const name = row?.contact?.name ?? (contact.value?.id === row?.contactId ? contact.value?.name : null) ?? t('someone')
        notifyHidden(t('notify.newMessage', { name }), event.message.text.slice(0, 140), event.conversationId)
      }
      break
    }
    case 'conversation.updated':
    case 'conversation.queued':
    case 'conversation.assigned':
      await applyConversation(event.conversation)
      refreshCounts()
      if (event.type === 'conversation.assigned' && event.assignee.id === me.value?.id) notifyHidden(t('notify.newConversation'), '', event.conversationId)
      break
    case 'conversation.typing':
      if (event.conversationId !== openId.value) break
      customerTyping.value = event.on
      clearTimeout(typingTimer)
      if (event.on) typingTimer = setTimeout(() => { customerTyping.value = false }, TYPING_SHOWN_MS)
      break
    case 'conversation.mood_alert':
      notifyHidden(t('notify.moodAlert'), '', event.conversationId)
      break
    case 'conversation.sla_breached':
      notifyHidden(t('notify.slaBreached', { waited: duration(event.waitedMs) }), '', event.conversationId)
      break
    case 'contact.presence':
      rows.value = rows.value.map(r => r.contactId === event.contactId ? { ...r, presence: event.presence } : r)
      if (contact.value?.id === event.contactId) contact.value = { ...contact.value, presence: event.presence }
      break
    case 'agent.status':
      agents.value = agents.value.map(a => a.id === event.agentId ? { ...a, status: event.status, statusChangedAt: event.at } : a)
      if (me.value?.id === event.agentId) me.value = { ...me.value, status: event.status }
      break
    default:
  }
}
