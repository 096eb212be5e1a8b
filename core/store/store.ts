import type {
  Agent, AgentRole, Attachment, Author, Card, Contact, Conversation, ConversationStatus, Message, MessageStatus
} from '../model/index.js'

/** One inbound message as the core hands it to the store, after the plugin normalized it. */
export interface InboundRecord {
  channelId: string
  externalId: string
  contact: { externalId: string, name?: string, email?: string, phone?: string, avatarUrl?: string }
  text: string
  attachments: Attachment[]
  cards: Card[]
  sentAt: Date
}

export interface InboundResult {
  /** True when this channel + external id was stored before: nothing was written. */
  duplicate: boolean
  message: Message
  conversation: Conversation
  conversationCreated: boolean
}

export interface OutboundRecord {
  conversationId: string
  direction: 'outbound' | 'note'
  author: Author
  text: string
  attachments: Attachment[]
  cards: Card[]
  tag: string | null
}

export interface Page<T> {
  items: T[]
  /** Pass back to get the next page; null when there is none. */
  nextCursor: string | null
}

export interface ConversationFilter {
  status?: ConversationStatus
  channelId?: string
  /** An agent id, or null for "no assignee". */
  assigneeId?: string | null
}

export interface MessageStatusUpdate {
  status: MessageStatus
  externalId?: string
  errorCode?: string | null
  errorMessage?: string | null
}

export interface NewAgent {
  name: string
  email: string
  role: AgentRole
  teams: string[]
  tokenHash: string
}

/**
 * The source of truth. Every driver passes test/store.contract.ts.
 * Writes that belong together (an inbound message and its conversation's counters)
 * happen in one call so a driver can make them atomic its own way.
 */
export interface Store {
  readonly driver: string
  /** Connects and brings the schema up to date. */
  open (): Promise<void>
  close (): Promise<void>
  /** Throws when the store cannot answer. */
  ping (): Promise<void>

  /** Idempotent by channel + external id, enforced by a unique index. */
  recordInbound (record: InboundRecord, now: Date): Promise<InboundResult>
  /** Stores an agent's reply as `pending` (a note as `sent`: it never leaves the hub). */
  recordOutbound (record: OutboundRecord, now: Date): Promise<Message>
  /** Sets a message's status; `sent` also moves the conversation's lastOutboundAt. */
  updateMessageStatus (id: string, update: MessageStatusUpdate, now: Date): Promise<Message>
  markRouted (id: string): Promise<void>
  getMessage (id: string): Promise<Message | null>
  /** Messages oldest first; the cursor walks forward in time. */
  listMessages (conversationId: string, options: { cursor?: string, limit: number }): Promise<Page<Message>>
  /** Outbound messages still `pending` and inbound ones not yet routed, created before `olderThan`. */
  listUnfinished (olderThan: Date, limit: number): Promise<{ pendingOutbound: Message[], unrouted: Message[] }>

  getConversation (id: string): Promise<Conversation | null>
  /** Most recent activity first. */
  listConversations (filter: ConversationFilter, options: { cursor?: string, limit: number }): Promise<Page<Conversation>>
  getContact (id: string): Promise<Contact | null>

  createAgent (agent: NewAgent, now: Date): Promise<Agent>
  findAgentByTokenHash (tokenHash: string): Promise<Agent | null>
  /** Creates the agent unless one with this token already exists (the env-provided admin). */
  ensureAgentWithToken (agent: NewAgent, now: Date): Promise<Agent>

  kvGet (namespace: string, key: string): Promise<string | null>
  kvSet (namespace: string, key: string, value: string): Promise<void>
  kvDelete (namespace: string, key: string): Promise<void>
}
