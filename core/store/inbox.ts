import type {
  Attachment, Author, Browsing, Card, Contact, ContactDetails, ContactEdit, Conversation, ConversationStatus, Message, MessageExtras, MessageStatus,
  PageView, ProfileFill, QueueReason, AgentStatus, SuppressionReason, MessageAmendment
} from '../model/index.js'
import type { Page } from './cursor.js'

/**
 * The inbox: contacts and their channel identities, conversations, messages, assignment.
 * It is the transactional aggregate; every driver keeps these rules, whatever runs
 * concurrently (other requests, other hub processes) and after a crash between any two of
 * its writes (test/store-rules.contract.ts holds one test per rule):
 *
 * 1. A contact has at most one open (not closed) conversation per channel and thread.
 * 2. A duplicate inbound (the same channel + external id again) writes nothing new: it
 *    answers with the stored message and its conversation.
 * 3. `unreadCount`, `lastInboundAt` and `lastActivityAt` (the last message's time) account
 *    for every stored message exactly once, also when a crash came between storing a
 *    message and counting it: its redelivery, or `repair`, finishes the count.
 * 4. An agent's `activeCount` is the number of open conversations assigned to them: never
 *    negative, never leaked, under concurrent assign, unassign, transfer, close and reopen,
 *    and after a crash in between (`repair` gives back what a crash took).
 * 5. A note-level inbound (an auto-reply) joins the contact's open conversation; only
 *    without one does it open a conversation, closed.
 * 6. Concurrent merges of a contact's attributes keep every key.
 * 7. Every stored value reads back exactly as written: empty objects and arrays, nested
 *    arrays, Unicode.
 * 8. A customer's message from a blocked contact, or one the core holds (`held`: a spam rule
 *    matched), is stored as a note carrying `extras.held`: never routed, unread or answered.
 *    A conversation it opens is closed, and left out of lists that ask `held: false` until a
 *    customer message joins it or it is reopened.
 *
 * Refusals are `StoreError`s (core/store/errors.ts): not_found, conversation_closed,
 * conversation_open_elsewhere, invalid_cursor.
 */
export interface InboxStore {
  /** Idempotent by channel + external id (rule 2); creates the contact, identity and conversation it needs. */
  recordInbound (record: InboundRecord, now: Date): Promise<InboundResult>
  /** Stores an agent's reply as `pending` (a note as `sent`: it never leaves the hub). */
  recordOutbound (record: OutboundRecord, now: Date): Promise<Message>
  /** Sets a message's status; `sent` also moves the conversation's lastOutboundAt. */
  updateMessageStatus (id: string, update: MessageStatusUpdate, now: Date): Promise<Message>
  markRouted (id: string): Promise<void>
  /** Replaces a message's extras (a translation added after it was stored, a held message's restore). */
  setMessageExtras (id: string, extras: MessageExtras): Promise<Message>
  /** Messages held aside (rule 8) and not restored, newest first; `teams`: only those held on these teams' channels (null: every agent's). */
  listHeld (filter: { teams?: Array<string | null> }, options: { cursor?: string, limit: number }): Promise<Page<Message>>
  /**
   * Applies a customer's edit or reaction, atomically per message: an edit keeps the text it
   * replaces in `extras.edits`; the same text again, or a revision not above the stored one,
   * changes nothing (a redelivery). Null when the message does not exist.
   */
  amendMessage (id: string, amendment: MessageAmendment, now: Date): Promise<Message | null>
  /** A failed outbound message goes back to `pending`, its error cleared; null when it is not failed (so one retry wins). */
  retryMessage (id: string, now: Date): Promise<Message | null>
  /**
   * Receipts: moves sent (or delivered) outbound messages forward to delivered or read, by the
   * channel's message ids or up to a time for one customer. Never moves a status back.
   */
  advanceOutbound (channelId: string, receipt: Receipt, now: Date): Promise<Message[]>
  /** Fills the empty profile fields of the contact behind a channel identity. */
  fillProfile (channelId: string, contactExternalId: string, profile: ProfileFill, now: Date): Promise<void>
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
  /**
   * Finishes what a crash left half-done before `olderThan` (rules 3 and 4): messages stored
   * but not counted, capacity taken or held for a conversation the agent does not have.
   * A driver whose writes are all transactions has nothing to do.
   */
  repair (olderThan: Date): Promise<RepairReport>

  getConversation (id: string): Promise<Conversation | null>
  /** Merges into a conversation's channel state, atomically (a null removes that key); null when the conversation does not exist. */
  setChannelState (id: string, patch: Record<string, string | number | boolean | null>, now: Date): Promise<Conversation | null>
  /** Most recent activity first. */
  listConversations (filter: ConversationFilter, options: { cursor?: string, limit: number }): Promise<Page<Conversation>>
  /** How many conversations match, for the inbox's counters. */
  countConversations (filter: ConversationFilter): Promise<number>
  /** The newest message of each of these conversations (conversations without messages are left out). */
  lastMessages (conversationIds: string[]): Promise<Message[]>
  getContact (id: string): Promise<Contact | null>
  /** Contacts by id, in no particular order; unknown ids are left out. */
  getContacts (ids: string[]): Promise<Contact[]>
  /** An agent's change to a contact's profile, tags or notes, or a channel's suppression; null clears a field. */
  editContact (id: string, edit: ContactEdit, now: Date): Promise<Contact>
  /** How many contacts are suppressed, per channel that suppressed them and reason. */
  countSuppressed (): Promise<Array<{ channelId: string, reason: SuppressionReason, count: number }>>
  /** Every message of a contact, across conversations and channels, oldest first. */
  listContactMessages (contactId: string, options: { cursor?: string, limit: number }): Promise<Page<Message>>
  /** Remembers who served a contact, for affinity. */
  recordServed (contactId: string, agentId: string, now: Date): Promise<void>

  /**
   * Assigns atomically: the agent's open count goes up only while below `capacity`, and the
   * conversation changes only if still as expected. Null when either condition failed.
   */
  assignConversation (conversationId: string, agentId: string, options: AssignOptions, now: Date): Promise<Conversation | null>
  /** Back to unassigned (the assignee's count goes down); optionally to another team. conversation_closed when closed. */
  unassignConversation (conversationId: string, now: Date, options?: { teamId?: string | null }): Promise<Conversation>
  /**
   * Marks an unassigned conversation as waiting since `since`; keeps its place if it already waits.
   * With its place in its team's line as of this write (concurrent arrivals behind it do not move
   * it). Null if it no longer waits.
   */
  queueConversation (conversationId: string, reason: QueueReason, since: Date, now: Date): Promise<InLine | null>
  /** Waiting conversations, longest-waiting first. */
  listQueue (limit: number): Promise<Conversation[]>
  /** How many conversations wait, per team (null: every-agent conversations). */
  queueSizes (): Promise<Array<{ teamId: string | null, size: number }>>
  /** 1-based place among waiting conversations of the same team. */
  queuePosition (conversation: Conversation): Promise<number>
  /** Closes it (the assignee's count goes down); closing a closed conversation changes nothing. */
  closeConversation (id: string, now: Date): Promise<Conversation>
  /** A closed conversation opens again, unassigned, its mood alert cleared; conversation_open_elsewhere if the contact has another open one there. */
  reopenConversation (id: string, now: Date): Promise<Conversation>
  /** Replaces the conversation's tags. */
  setConversationTags (id: string, tags: string[], now: Date): Promise<Conversation>
  /** An agent read it: nothing is unread any more. */
  markConversationRead (id: string, now: Date): Promise<Conversation>
  /** Marks the customer as upset, once: the conversation, or null when it was already marked. */
  markMoodAlert (id: string, at: Date): Promise<Conversation | null>
  /** The FAQ robot takes a new conversation (unassigned → bot) or hands it off (bot → unassigned); null when it was not so. */
  setConversationBot (id: string, on: boolean, now: Date): Promise<Conversation | null>
  /** Open conversations assigned to an agent. */
  listAssigned (agentId: string): Promise<Conversation[]>
}

/** Page views kept per identity besides the first one; shown to agents: the newest RECENT_PAGES. */
export const PAGE_VIEWS_KEPT = 100
export const RECENT_PAGES = 20

/** One inbound message as the core hands it to the store, after the plugin normalized it. */
/** A waiting conversation and its 1-based place among its team's waiting conversations. */
export interface InLine { conversation: Conversation, position: number }

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
  /** Held aside as spam (rule 8), by the rule that matched; the store holds a blocked contact's messages by itself. */
  held?: { reason: 'spam', rule: string }
  externalId: string
  /** `sameAs`: an identity of this channel this new one belongs to; it joins that contact. */
  contact: { externalId: string, name?: string, email?: string, phone?: string, avatarUrl?: string, sameAs?: string }
  text: string
  attachments: Attachment[]
  cards: Card[]
  extras?: MessageExtras
  sentAt: Date
}

export interface InboundResult {
  /** True when this channel + external id was stored before: nothing new was written. */
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

export interface Receipt {
  status: 'delivered' | 'read'
  externalIds?: string[]
  upTo?: { contactExternalId: string, at: Date }
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
  /** Open, and the customer's last message (at or before this time) has had no reply by a person sent since (automatic messages do not count). */
  unansweredSince?: Date
  /** Open, and a person's reply (at or before this time) is its last word: the customer has not written since. */
  repliedBefore?: Date
  /** Only what this agent may see: their teams', every-agent ones, and their own. */
  visibleTo?: Visibility
  /** False: leave out conversations a held message opened (rule 8), which hold nothing to answer. */
  held?: false
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

export interface AssignOptions {
  /** The most open conversations the agent may then have; null: no limit (a person's decision). */
  capacity: number | null
  /** Only take a conversation that waits unassigned (routing); else also move it from its assignee. */
  onlyIfWaiting: boolean
  /** Only an agent in one of these statuses (routing: online, or busy for affinity); default any. */
  statuses?: AgentStatus[]
}

export interface RepairReport {
  /** Stored messages whose count a crash had left undone. */
  counted: number
  /** Agents whose open count was set right. */
  agents: number
}
