import type {
  Agent, AgentLocale, AgentRole, AgentStatus, Attachment, Author, Browsing, Card, Contact, ContactDetails, ContactEdit, Conversation, ConversationStatus, Message, MessageExtras, MessageStatus,
  FaqEntry, PageView, Phrase, QueueReason, Rating, StatusChange, Team
} from '../model/index.js'
import { HubError } from '../errors.js'

/** Page views kept per identity besides the first one; shown to agents: the newest RECENT_PAGES. */
export const PAGE_VIEWS_KEPT = 100
export const RECENT_PAGES = 20

/** One inbound message as the core hands it to the store, after the plugin normalized it. */
export interface InboundRecord {
  channelId: string
  /**
   * `outbound`: the business wrote it elsewhere (an echo); stored as sent. `note`: a note-level
   * event from the customer's side (an auto-reply): kept, never routed, unread or answered.
   * Default inbound.
   */
  direction?: 'inbound' | 'outbound' | 'note'
  /**
   * The conversation the channel matched this message to (an email reply's headers); it may be
   * on another channel and is reopened if closed. Unknown ids fall back to the usual lookup.
   */
  conversationId?: string
  /** The channel's thread: a contact has one open conversation per channel and thread. Default ''. */
  thread?: string
  /** False: counts as unread but leaves lastInboundAt (the reply window) alone. Default true. */
  opensWindow?: boolean
  /** Team of a conversation this message opens (the channel's); null: every agent. */
  teamId: string | null
  externalId: string
  contact: { externalId: string, name?: string, email?: string, phone?: string, avatarUrl?: string }
  text: string
  attachments: Attachment[]
  cards: Card[]
  extras?: MessageExtras
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
  /** The channel it goes out on, when not the conversation's own (a webchat visitor answered by email). */
  channelId?: string
  direction: 'outbound' | 'note'
  author: Author
  text: string
  attachments: Attachment[]
  cards: Card[]
  tag: string | null
  extras?: MessageExtras
}

export interface Page<T> {
  items: T[]
  /** Pass back to get the next page; null when there is none. */
  nextCursor: string | null
}

export interface MessagePaging {
  cursor?: string
  limit: number
  /** Only messages stored at or after this time. */
  since?: Date
}

export interface ConversationFilter {
  /** `open`: anything but closed. */
  status?: ConversationStatus | 'open'
  channelId?: string
  /** An agent id, or null for "no assignee". */
  assigneeId?: string | null
  contactId?: string
  /** Only conversations served by one of these teams. */
  teamIds?: string[]
  /** Only those with messages no agent has read. */
  unread?: boolean
  /** Only those carrying this tag. */
  tag?: string
  /** Only those with a mood alert (an upset customer). */
  moodAlert?: boolean
  /** The contact's name or email, or the text of any message, contains this (case-insensitive for Latin letters). */
  search?: string
  /** Open, and the customer's last message (at or before this time) has had no reply sent since. */
  unansweredSince?: Date
  /** Only what this agent may see: their teams', every-agent ones, and their own. */
  visibleTo?: Visibility
}

export interface Visibility {
  agentId: string
  teams: string[]
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
  capacity?: number | null
}

export interface AgentPatch {
  name?: string
  role?: AgentRole
  teams?: string[]
  capacity?: number | null
  locale?: AgentLocale | null
  welcome?: string | null
}

export interface StatusUpdate {
  status: AgentStatus
  source: StatusChange['source']
  ip?: string | null
  userAgent?: string | null
  /** Change only from one of these statuses (a sweep must not undo what the agent just did). */
  from?: AgentStatus[]
}

export interface AssignOptions {
  /** The most open conversations the agent may then have; null: no limit (a person's decision). */
  capacity: number | null
  /** Only take a conversation that waits unassigned (routing); else also move it from its assignee. */
  onlyIfWaiting: boolean
  /** Only an agent in one of these statuses (routing: online, or busy for affinity); default any. */
  statuses?: AgentStatus[]
}

export type NewPhrase = Omit<Phrase, 'id' | 'createdAt' | 'updatedAt'>

/** The unit a phrase code is unique within: its agent, its team, or the hub. */
export const phraseOwnerKey = (phrase: Pick<NewPhrase, 'scope' | 'ownerId' | 'teamId'>): string =>
  phrase.scope === 'personal' ? `agent:${phrase.ownerId!}` : phrase.scope === 'team' ? `team:${phrase.teamId!}` : 'hub'

export const phraseCodeTaken = (code: string): HubError =>
  new HubError('phrase_code_taken', `The code /${code} is already used here; choose another code or edit that phrase.`, 409)

export interface RatingStat {
  agentId: string | null
  channelId: string
  count: number
  average: number
  /** Ratings of 4 or 5. */
  satisfied: number
}

export interface PhrasePatch {
  code?: string
  title?: string
  text?: string
  attachments?: Attachment[]
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
  /** Replaces a message's extras (a translation added after it was stored). */
  setMessageExtras (id: string, extras: MessageExtras): Promise<Message>
  /** A failed outbound message goes back to `pending`, its error cleared; null when it is not failed (so one retry wins). */
  retryMessage (id: string, now: Date): Promise<Message | null>
  /**
   * Receipts: moves sent (or delivered) outbound messages forward to delivered or read, by the
   * channel's message ids or up to a time for one customer. Never moves a status back.
   */
  advanceOutbound (channelId: string, receipt: { status: 'delivered' | 'read', externalIds?: string[], upTo?: { contactExternalId: string, at: Date } }, now: Date): Promise<Message[]>
  /** Fills the empty profile fields of the contact behind a channel identity. */
  fillProfile (channelId: string, contactExternalId: string, profile: { name?: string, avatarUrl?: string }, now: Date): Promise<void>
  /** Sets what the customer told the channel (a pre-chat form, the seller's site); null when no contact has this identity yet. */
  updateContact (channelId: string, contactExternalId: string, details: ContactDetails, now: Date): Promise<Contact | null>
  /** Keeps a page view of a channel identity (a contact may not exist yet); the first and the latest PAGE_VIEWS_KEPT stay. */
  recordPageView (channelId: string, externalId: string, view: PageView): Promise<void>
  /** The page views of these identities together. */
  browsing (identities: Array<{ channelId: string, externalId: string }>): Promise<Browsing>
  getMessage (id: string): Promise<Message | null>
  /** A channel's messages with any of these external ids (email: Message-IDs), in either direction. */
  findMessagesByExternalId (channelId: string, externalIds: string[]): Promise<Message[]>
  /** Messages oldest first; the cursor walks forward in time. */
  listMessages (conversationId: string, options: MessagePaging): Promise<Page<Message>>
  /** Outbound messages still `pending` and inbound ones not yet routed, created before `olderThan`. */
  listUnfinished (olderThan: Date, limit: number): Promise<{ pendingOutbound: Message[], unrouted: Message[] }>

  getConversation (id: string): Promise<Conversation | null>
  /** Most recent activity first. */
  listConversations (filter: ConversationFilter, options: { cursor?: string, limit: number }): Promise<Page<Conversation>>
  /** How many conversations match, for the inbox's counters. */
  countConversations (filter: ConversationFilter): Promise<number>
  /** The newest message of each of these conversations (conversations without messages are left out). */
  lastMessages (conversationIds: string[]): Promise<Message[]>
  getContact (id: string): Promise<Contact | null>
  /** Contacts by id, in no particular order; unknown ids are left out. */
  getContacts (ids: string[]): Promise<Contact[]>
  /** An agent's change to a contact's profile, tags or notes; null clears a field. */
  editContact (id: string, edit: ContactEdit, now: Date): Promise<Contact>

  createAgent (agent: NewAgent, now: Date): Promise<Agent>
  findAgentByTokenHash (tokenHash: string): Promise<Agent | null>
  /** Creates the agent unless one with this token already exists (the env-provided admin). */
  ensureAgentWithToken (agent: NewAgent, now: Date): Promise<Agent>
  getAgent (id: string): Promise<Agent | null>
  listAgents (): Promise<Agent[]>
  updateAgent (id: string, patch: AgentPatch): Promise<Agent>
  rotateAgentToken (id: string, tokenHash: string): Promise<void>
  /** Changes status and logs it; null when `from` did not match and nothing changed. */
  setAgentStatus (id: string, update: StatusUpdate, now: Date): Promise<Agent | null>
  /** Marks agents with a live connection as seen. */
  touchAgents (ids: string[], now: Date): Promise<void>
  /** The agent did something: they are seen and active. */
  markAgentActive (id: string, now: Date): Promise<void>
  /** Newest first. */
  listStatusLog (filter: { agentId?: string }, options: { cursor?: string, limit: number }): Promise<Page<StatusChange>>

  createTeam (team: { id: string, name: string }, now: Date): Promise<Team>
  getTeam (id: string): Promise<Team | null>
  listTeams (): Promise<Team[]>
  updateTeam (id: string, patch: { name: string }): Promise<Team>

  /**
   * Assigns atomically: the agent's open count goes up only while below `capacity`, and the
   * conversation changes only if still as expected. Null when either condition failed.
   */
  assignConversation (conversationId: string, agentId: string, options: AssignOptions, now: Date): Promise<Conversation | null>
  /** Back to unassigned (the assignee's count goes down); optionally to another team. */
  unassignConversation (conversationId: string, now: Date, options?: { teamId?: string | null }): Promise<Conversation>
  /** Marks an unassigned conversation as waiting since `since`; keeps its place if it already waits. Null if it no longer waits. */
  queueConversation (conversationId: string, reason: QueueReason, since: Date, now: Date): Promise<Conversation | null>
  /** Waiting conversations, longest-waiting first. */
  listQueue (limit: number): Promise<Conversation[]>
  /** How many conversations wait, per team (null: every-agent conversations). */
  queueSizes (): Promise<Array<{ teamId: string | null, size: number }>>
  /** 1-based place among waiting conversations of the same team. */
  queuePosition (conversation: Conversation): Promise<number>
  closeConversation (id: string, now: Date): Promise<Conversation>
  /** Replaces the conversation's tags. */
  setConversationTags (id: string, tags: string[], now: Date): Promise<Conversation>
  /** An agent read it: nothing is unread any more. */
  markConversationRead (id: string, now: Date): Promise<Conversation>
  /** Marks the customer as upset, once: the conversation, or null when it was already marked. */
  markMoodAlert (id: string, at: Date): Promise<Conversation | null>
  /** The FAQ robot takes a new conversation (unassigned → bot) or hands it off (bot → unassigned); null when it was not so. */
  setConversationBot (id: string, on: boolean, now: Date): Promise<Conversation | null>
  /** The customer was asked to rate the conversation. */
  markRatingInvited (id: string, at: Date): Promise<Conversation>
  /** Keeps the customer's rating (a later one replaces it). */
  rateConversation (id: string, rating: Rating, now: Date): Promise<Conversation>
  /** Ratings given since `since`, per agent served and channel. */
  ratingStats (since: Date): Promise<RatingStat[]>
  /** A closed conversation opens again, unassigned, its mood alert cleared; conflict if the contact has another open one there. */
  reopenConversation (id: string, now: Date): Promise<Conversation>
  /** Open conversations assigned to an agent. */
  listAssigned (agentId: string): Promise<Conversation[]>
  /** Remembers who served a contact, for affinity. */
  recordServed (contactId: string, agentId: string, now: Date): Promise<void>
  /** Every message of a contact, across conversations and channels, oldest first. */
  listContactMessages (contactId: string, options: { cursor?: string, limit: number }): Promise<Page<Message>>

  /** A code already used by the same owner, team or the hub is a conflict (phrase_code_taken). */
  createPhrase (phrase: NewPhrase, now: Date): Promise<Phrase>
  getPhrase (id: string): Promise<Phrase | null>
  updatePhrase (id: string, patch: PhrasePatch, now: Date): Promise<Phrase>
  deletePhrase (id: string): Promise<void>
  /** The agent's own phrases, those of these teams ('all': every team's) and the hub's, by code. */
  listPhrases (filter: { agentId: string, teamIds: string[] | 'all' }): Promise<Phrase[]>
  /** Something about an agent's work worth counting (an attitude warning); kept for supervisors' counts. */
  recordAgentEvent (agentId: string, kind: string, at: Date): Promise<void>
  /** How many of each kind each agent has had since `since`. */
  countAgentEvents (since: Date): Promise<Array<{ agentId: string, kind: string, count: number }>>
  /** Adds or replaces entries by id, all or none (a CSV import). */
  putFaqEntries (entries: FaqEntry[]): Promise<void>
  getFaqEntry (id: string): Promise<FaqEntry | null>
  deleteFaqEntry (id: string): Promise<void>
  /** The hub-wide entries and those of these teams ('all': every team's), oldest first. */
  listFaqEntries (teamIds: string[] | 'all'): Promise<FaqEntry[]>
  /** Something worth counting per channel (the FAQ robot's answers and hand-offs). */
  recordChannelEvent (channelId: string, kind: string, at: Date): Promise<void>
  countChannelEvents (since: Date): Promise<Array<{ channelId: string, kind: string, count: number }>>
  kvGet (namespace: string, key: string): Promise<string | null>
  kvSet (namespace: string, key: string, value: string): Promise<void>
  kvDelete (namespace: string, key: string): Promise<void>
  /** Sets the value unless the key exists; true when this call set it (of concurrent callers, exactly one). */
  kvSetIfAbsent (namespace: string, key: string, value: string): Promise<boolean>
  /** Reads and deletes in one step: of two concurrent takers, one gets the value (one-time codes). */
  kvTake (namespace: string, key: string): Promise<string | null>
}
