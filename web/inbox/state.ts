import { batch, computed, signal } from '@preact/signals'
import { api, get, query } from './api.js'
import { INBOX_VIEWS } from '../../core/model/views.js'
import type { Agent, ChannelInfo, Contact, Conversation, Counts, ListItem, Message, Team, View } from './types.js'

/** The inbox's shared state: who is signed in, the list, and the open conversation. */

export const me = signal<Agent | null>(null)
export const agents = signal<Agent[]>([])
export const teams = signal<Team[]>([])
export const channels = signal<Map<string, ChannelInfo>>(new Map())
export const online = signal(true)

export interface Filters { view: View, channel: string, unread: boolean, tag: string, q: string }
export const filters = signal<Filters>({ view: 'all', channel: '', unread: false, tag: '', q: '' })
export const rows = signal<ListItem[]>([])
export const nextCursor = signal<string | null>(null)
export const listLoading = signal(false)
export const counts = signal<Counts | null>(null)

export const openId = signal<string | null>(null)
/** On a phone the list, the conversation and the contact are stacked views: the one shown. */
export const phoneView = signal<'list' | 'conversation' | 'contact'>('list')
/** The open conversation's contact, in full, and all their conversations. */
export const contact = signal<Contact | null>(null)
export const contactConversations = signal<Conversation[]>([])
/** The contact's whole history across channels, oldest first. */
export const history = signal<Message[]>([])
export const customerTyping = signal(false)
/** The customer's message the next reply quotes (sent as the channel's reply-to), or null. */
export const quoting = signal<Message | null>(null)
/** Whether the hub has a translation service: the open conversation's translation state says. */
export const translationAvailable = signal(false)
export const openConversation = computed(() => rows.value.find(r => r.id === openId.value) ?? contactConversations.value.find(c => c.id === openId.value) ?? null)

const PAGE = 100
/** At most this many of a contact's messages are loaded (oldest first, paged). */
const HISTORY_PAGES = 20

function listQuery (f: Filters, cursor?: string): string {
  return query({ ...INBOX_VIEWS[f.view], channel: f.channel, unread: f.unread, tag: f.tag, q: f.q.trim(), limit: PAGE, cursor })
}

/** Whether a conversation belongs in the list under the current filters; null when only the hub can tell (a search). */
export function belongs (c: Conversation, f: Filters, agent: Agent): boolean | null {
  const view: { status: string, assignee?: 'me', team?: 'mine' } = INBOX_VIEWS[f.view]
  const status = view.status === 'open' ? c.status !== 'closed' : c.status === view.status
  const ok = status &&
    (view.assignee === undefined || c.assigneeId === agent.id) &&
    (view.team === undefined || (c.teamId !== null && agent.teams.includes(c.teamId))) &&
    (f.channel === '' || c.channelId === f.channel) &&
    (!f.unread || c.unreadCount > 0) &&
    (f.tag === '' || c.tags.includes(f.tag))
  return ok && f.q.trim() !== '' ? null : ok
}

const byActivity = (a: Conversation, b: Conversation): number => b.lastActivityAt.localeCompare(a.lastActivityAt) || b.id.localeCompare(a.id)

let listGeneration = 0
export async function loadList (): Promise<void> {
  const generation = ++listGeneration
  listLoading.value = true
  try {
    const page = await get<{ items: ListItem[], nextCursor: string | null }>(`/conversations${listQuery(filters.value)}`)
    if (generation !== listGeneration) return
    batch(() => { rows.value = page.items; nextCursor.value = page.nextCursor })
  } finally {
    if (generation === listGeneration) listLoading.value = false
  }
  refreshCounts()
}

export async function loadMore (): Promise<void> {
  const cursor = nextCursor.value
  if (cursor === null || listLoading.value) return
  const generation = listGeneration
  listLoading.value = true
  try {
    const page = await get<{ items: ListItem[], nextCursor: string | null }>(`/conversations${listQuery(filters.value, cursor)}`)
    if (generation !== listGeneration) return
    const known = new Set(rows.value.map(r => r.id))
    batch(() => { rows.value = [...rows.value, ...page.items.filter(r => !known.has(r.id))]; nextCursor.value = page.nextCursor })
  } finally {
    if (generation === listGeneration) listLoading.value = false
  }
}

export function setFilters (patch: Partial<Filters>): void {
  filters.value = { ...filters.value, ...patch }
  void loadList()
}

/** Counts are a dozen COUNT queries: every open inbox asks at most this often, however busy the stream. */
const COUNTS_EVERY_MS = 1500
let countsTimer: ReturnType<typeof setTimeout> | undefined
export function refreshCounts (): void {
  if (countsTimer !== undefined) return
  countsTimer = setTimeout(() => {
    countsTimer = undefined
    const f = filters.value
    get<Counts>(`/conversations/counts${query({ channel: f.channel, tag: f.tag, q: f.q.trim() })}`).then(c => { counts.value = c }, () => {})
  }, COUNTS_EVERY_MS)
}

/** Puts a conversation's new state into the list: updated, added, moved to its place, or removed when it no longer belongs. */
async function upsertRow (conversation: Conversation): Promise<void> {
  const agent = me.value
  if (agent === null) return
  const existing = rows.value.find(r => r.id === conversation.id)
  const fits = belongs(conversation, filters.value, agent)
  if (fits === false) {
    if (existing !== undefined) rows.value = rows.value.filter(r => r.id !== conversation.id)
    return
  }
  let row: ListItem
  if (existing !== undefined) {
    row = { ...existing, ...conversation }
  } else {
    if (fits === null) return // a search: the hub decides what matches; the next search shows it
    const fetched = await get<ListItem>(`/conversations/${conversation.id}`).catch(() => null)
    if (fetched === null || rows.value.some(r => r.id === conversation.id)) return
    const c = fetched.contact
    row = { ...conversation, contact: c === null ? null : { id: c.id, name: c.name, email: c.email, avatarUrl: c.avatarUrl }, lastMessage: fetched.lastMessage }
  }
  const others = rows.value.filter(r => r.id !== row.id)
  // Rows older than the last loaded one come with the next page, not now.
  const last = others[others.length - 1]
  if (existing === undefined && nextCursor.value !== null && last !== undefined && byActivity(row, last) > 0) return
  rows.value = [...others, row].sort(byActivity)
}

export async function openConversationById (id: string | null): Promise<void> {
  openId.value = id
  phoneView.value = id === null ? 'list' : 'conversation'
  customerTyping.value = false
  if (id === null) { batch(() => { contact.value = null; history.value = []; contactConversations.value = [] }); return }
  // From the list, the contact is known: everything loads at once. From a link, the conversation names it first.
  const contactId = rows.value.find(r => r.id === id)?.contactId ?? (await get<Conversation>(`/conversations/${id}`)).contactId
  if (openId.value !== id) return
  const [full, conversations, messages] = await Promise.all([
    get<Contact>(`/contacts/${contactId}`),
    get<{ items: Conversation[] }>(`/contacts/${contactId}/conversations`),
    loadHistory(contactId)
  ])
  const conversation = conversations.items.find(c => c.id === id)
  if (openId.value !== id) return
  batch(() => {
    contact.value = full
    contactConversations.value = conversations.items
    history.value = messages
    // What arrived (or was sent) while the history loaded.
    for (const c of conversations.items) flushUnplaced(c.id)
  })
  if (conversation !== undefined && conversation.unreadCount > 0) {
    const read = await api<Conversation>('POST', `/conversations/${id}/read`).catch(() => null)
    if (read !== null) await applyConversation(read)
  }
}

async function loadHistory (contactId: string): Promise<Message[]> {
  const all: Message[] = []
  let cursor: string | null | undefined
  for (let i = 0; i < HISTORY_PAGES && cursor !== null; i++) {
    const page = await get<{ items: Message[], nextCursor: string | null }>(`/contacts/${contactId}/messages${query({ limit: PAGE, cursor })}`)
    all.push(...page.items)
    cursor = page.nextCursor
  }
  return all
}

/** Messages of conversations not known yet: a new conversation's first message arrives before the conversation. */
const unplaced = new Map<string, Message[]>()

/** A message for the open contact (new, or a status change): placed once, by id. */
export function putMessage (message: Message): void {
  if (!contactConversations.value.some(c => c.id === message.conversationId)) {
    unplaced.set(message.conversationId, [...(unplaced.get(message.conversationId) ?? []), message])
    if (unplaced.size > 50) unplaced.delete(unplaced.keys().next().value!)
    return
  }
  const known = history.value.find(m => m.id === message.id)
  if (known === undefined) history.value = [...history.value, message]
  // Events may overtake each other (a page of history and a live update): the newest state wins.
  else if (known.updatedAt <= message.updatedAt) history.value = history.value.map(m => m.id === message.id ? message : m)
}

function flushUnplaced (conversationId: string): void {
  const waiting = unplaced.get(conversationId) ?? []
  unplaced.delete(conversationId)
  for (const message of waiting) putMessage(message)
}

function putConversation (conversation: Conversation): void {
  if (contactConversations.value.some(c => c.id === conversation.id)) {
    contactConversations.value = contactConversations.value.map(c => c.id === conversation.id ? conversation : c)
  } else if (contact.value?.id === conversation.contactId) {
    contactConversations.value = [conversation, ...contactConversations.value]
    flushUnplaced(conversation.id)
  }
}

/** A conversation changed (an event, or the agent's own action): the open contact's list and the inbox list follow. */
export async function applyConversation (conversation: Conversation): Promise<void> {
  // Events of one conversation can cross (a route job's delivery and an agent's pick): an older snapshot changes nothing.
  const known = rows.value.find(r => r.id === conversation.id) ?? contactConversations.value.find(c => c.id === conversation.id)
  if (known !== undefined && known.updatedAt > conversation.updatedAt) return
  putConversation(conversation)
  await upsertRow(conversation)
}

export const agentName = (id: string | null): string => agents.value.find(a => a.id === id)?.name ?? ''
