import type { TSchema, Static } from 'typebox'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { FileMeta, StoredFile } from '../files/index.js'
import type { Attachment, Card, Contact, ContactDetails, Conversation, Message, MessageAmendment, MessageExtras, PageView, ProfileFill, QueueReason, SuppressionReason } from '../model/index.js'
import type { StoreEntryWelcome } from '../settings/welcome.js'
import type { PresenceReport } from './presence.js'
import type { Page } from '../store/index.js'

/** What a channel can carry; the core checks drafts against it before asking the policy. */
export interface ChannelCapabilities {
  text: boolean
  images: boolean
  files: boolean
  cards: boolean
  typing: boolean
  readReceipts: boolean
  maxTextLength: number
  maxAttachments: number
  /** Tappable choices it shows under a message (webchat buttons, Messenger quick replies), at most; absent: none, they go as numbered lines. */
  choices?: number
}

/** An agent's (or bot's) outbound message before it is stored. */
export interface Draft {
  text: string
  attachments: Attachment[]
  cards: Card[]
  tag: string | null
  /** Bots and auto-replies are automated; some channels treat them differently. */
  automated: boolean
  /** A pre-approved template the channel sends instead of free text (WhatsApp outside its window). */
  template?: TemplateUse
}

/** A template the agent chose, with its parameter values in order ({{1}}, {{2}}, …). */
export interface TemplateUse {
  name: string
  language: string
  parameters: string[]
}

/** A template a channel offers now: what the reply box lists, previews and bills. */
export interface TemplateOffer {
  name: string
  language: string
  /** The channel's category (WhatsApp: MARKETING, UTILITY, AUTHENTICATION): it decides the cost. */
  category: string
  /** The text the customer reads, with `{{1}}`… where the parameters go. */
  body: string
  /** Names of the parameters, in order (the template's examples, else `{{n}}`). */
  parameters: string[]
}

/**
 * The channel's answer to "may this draft be sent now, and how?".
 * `allow` may carry `windowClosesAt`; `tag_required` lists the tags that would make it go.
 */
export type Verdict =
  | { verdict: 'allow', windowClosesAt?: Date, note?: string }
  | { verdict: 'tag_required', tags: string[], code: string, message: string, windowClosesAt?: Date }
  | { verdict: 'deny', code: string, message: string, windowClosesAt?: Date, actions?: ChannelAction[], templates?: TemplateOffer[] }

/** Something an agent can ask the channel to do about a conversation (Messenger: take the thread from another app). */
export interface ChannelAction {
  id: string
  label: string
}

/** What a plugin hands the core for one inbound message. */
export interface InboundMessage {
  /** The channel's id for the message: the key that makes redelivery idempotent. */
  externalId: string
  /** `sameAs`: an identity of this channel this sender is known by already (a chat-plugin guest's user_ref, now with a PSID): a new identity joins that contact. */
  from: { externalId: string, name?: string, email?: string, phone?: string, avatarUrl?: string, sameAs?: string }
  text: string
  attachments?: Attachment[]
  cards?: Card[]
  /** When the customer sent it, by the channel's clock. Defaults to now. */
  sentAt?: Date
  /**
   * `outbound`: a message the business sent from elsewhere (an echo, e.g. the Page's own inbox).
   * Stored as sent, never sent again; `from` is still the customer it went to.
   * `note`: an automated message from the customer's side (an out-of-office reply): kept in the
   * conversation for agents to see, never routed, counted unread or answered automatically.
   */
  direction?: 'inbound' | 'outbound' | 'note'
  /** False for activity that does not reopen the channel's reply window (e.g. a reaction). Default true. */
  opensWindow?: boolean
  /** Subject, sanitized HTML, the untrimmed text: what the channel has beyond `text`. */
  extras?: MessageExtras
  /**
   * The conversation this message continues, when the channel can tell (an email reply's token or
   * headers). It may belong to another channel (a webchat visitor answered by email); a closed
   * one reopens. Unknown ids are ignored.
   */
  conversationId?: string
  /**
   * For channels where one customer has several threads at once (email subjects): the thread's
   * key. A contact has one open conversation per channel and thread. Default: one per channel.
   */
  thread?: string
}

/** A receipt from the channel: these messages (or all up to a watermark) were delivered or read. */
export interface OutboundReceipt {
  status: 'delivered' | 'read'
  /** The channel's ids of the messages. */
  externalIds?: string[]
  /** Or: every message sent to this customer up to this time. */
  upTo?: { contactExternalId: string, at: Date }
}

export type ChannelHealth = { ok: true } | { ok: false, code: string, message: string }

export interface IngestOutcome {
  messageId: string
  conversationId: string
  duplicate: boolean
}

/** A plugin's own small, durable key-value (cursors, UIDs, tokens it fetched). */
export interface ChannelKv {
  get (key: string): Promise<string | null>
  set (key: string, value: string): Promise<void>
  delete (key: string): Promise<void>
  /** Sets unless the key exists; true for exactly one of concurrent callers, in any process ("once per day" marks). */
  setIfAbsent (key: string, value: string): Promise<boolean>
}

/** The narrow slice of the core a plugin may use. */
export interface ChannelContext {
  channelId: string
  ingest (message: InboundMessage): Promise<IngestOutcome>
  /** Moves outbound messages to delivered or read; returns how many changed. */
  receipt (receipt: OutboundReceipt): Promise<number>
  /** Fills a contact's missing name or avatar, e.g. from a profile lookup after ingest. */
  updateProfile (contactExternalId: string, profile: ProfileFill): Promise<void>
  /** An outbound message the channel reports as failed after it was sent (a bounce); `retryable` sends it again (up to 3 times). False if none matched. */
  outboundFailed (externalId: string, failure: { code: string, message: string, retryable?: boolean }): Promise<boolean>
  /**
   * The contact of this conversation must get nothing automatic from now on (a spam complaint,
   * a bounced address, a machine's address; agents see why), or (null) writes from a working
   * address again, which lifts a bounce. Resolves null when the conversation is unknown.
   */
  suppressContact (conversationId: string, suppression: { reason: SuppressionReason, detail: string | null } | null): Promise<Contact | null>
  /** Counts one of the plugin's `counters` (a bounce, a complaint): supervisors see the last day's per channel. */
  count (counter: string): Promise<void>
  /** Merges into the conversation's channel state (null removes a key), which its policy reads: agents' reply boxes follow at once. */
  setConversationState (conversationId: string, patch: Record<string, string | number | boolean | null>): Promise<void>
  /** The customer edited a stored message (its earlier text is kept) or reacted to it (null: took the reaction back); false when no message has that id. */
  amendMessage (externalId: string, amendment: MessageAmendment): Promise<boolean>
  /** This channel's stored messages (either direction) with any of these ids: threading by the channel's ids. */
  findMessages (externalIds: string[]): Promise<Message[]>
  getConversation (id: string): Promise<Conversation | null>
  /** A conversation's messages, oldest first (pass `nextCursor` back for more): what a customer's own app shows. */
  listMessages (conversationId: string, options: { cursor?: string, limit: number }): Promise<Page<Message>>
  /**
   * Sets what the customer (or the seller's site, for them) told the channel: name, email and
   * phone overwrite, attributes merge. Null when no contact has this identity yet.
   */
  updateContact (contactExternalId: string, details: ContactDetails): Promise<Contact | null>
  /** A page the customer looked at (website channels); agents see the trail on the contact. */
  recordPageView (contactExternalId: string, view: PageView): Promise<void>
  /**
   * The store-entry welcome to show a customer who opens the chat, before they write: null while
   * their conversation (`conversationId`, the last one the channel knows of theirs) is open, or
   * when none is set. `group`: the one the page asks for. A customer's first message after it
   * carries it as `extras.welcome`, so the hub does not greet them twice.
   */
  welcome (to: { conversationId: string | null, group?: string }): Promise<StoreEntryWelcome | null>
  /**
   * The customer came to the seller's site, moved to a page, or left (website channels): agents
   * see who is on the site now, and where. Report the arrival, each page and the leaving; the hub
   * keeps every process told. Best effort.
   */
  presence (contactExternalId: string, report: PresenceReport): Promise<void>
  /** The customer started or stopped typing in one of this channel's conversations: agents see it. */
  customerTyping (conversationId: string, on: boolean): Promise<void>
  /** Agents who serve this channel and are online now, and how many of them can take another conversation (below capacity). */
  agentsOnline (): Promise<{ online: number, free: number }>
  /**
   * To this channel's instance in every hub process, this one included: live traffic for
   * whichever process holds a customer's connection. Not kept: a process that is down misses it.
   */
  broadcast (payload: unknown): Promise<void>
  onBroadcast (listener: (payload: unknown) => void): () => void
  /** The hub's attachment store: keep what customers send, read what agents attach. */
  files: ChannelFiles
  /** Says whether the channel works (a revoked token does not): shown in /readyz, told to agents. */
  reportHealth (health: ChannelHealth): void
  logger: Logger
  clock: () => Date
  kv: ChannelKv
}

export interface ChannelFiles {
  put (data: Buffer, meta: { name: string, mimeType: string }): Promise<StoredFile>
  /** The bytes behind an attachment URL: the hub's own files from its store, others fetched over HTTP(S). */
  read (url: string): Promise<{ meta: FileMeta, data: Buffer }>
  /** A signed, expiring link for a hub file URL (hub-relative), to show a customer; other URLs unchanged. */
  link (url: string): string
  /** Like `link`, for every hub file URL in a message or other value. */
  signDeep<T> (value: T): T
}

export interface OutboundContext {
  conversation: Conversation
  contact: Contact
  message: Message
  /** The agent who wrote it (absent for the hub's own messages): channels that can sign a reply use the signature. */
  author?: { name: string, signature: string | null }
}

/** Where a customer stands, for channels that can tell them ("you are number 3 in line"). */
export type WaitNotice =
  | { type: 'queued', position: number, reason: QueueReason }
  | { type: 'assigned', agent: { id: string, name: string } }

export interface ChannelInstance {
  /** HTTP endpoints, mounted under /channels/<channelId>/. */
  routes?: (app: FastifyInstance) => void | Promise<void>
  start?: () => Promise<void>
  stop?: () => Promise<void>
  policy: (conversation: Conversation, draft: Draft, now: Date) => Verdict
  /** Optional: show or stop a typing indicator to the customer. */
  typing?: (conversation: Conversation, contact: Contact, on: boolean) => Promise<void>
  /** Optional: tell the customer they wait (and where) or that an agent took the conversation. */
  notify?: (conversation: Conversation, notice: WaitNotice) => Promise<void>
  /** Optional: an agent read the conversation (a customer's app may show "Seen"). */
  read?: (conversation: Conversation, at: Date) => Promise<void>
  /**
   * Optional: a page under the channel's prefix to try the channel as a customer (a demo shop).
   * The hub serves `/demo` from the first channel that has one, and `omnihub start` prints it.
   */
  demoPage?: string
  /**
   * Optional: the address this channel would reach the contact at, or null. Lets agents answer a
   * contact here from a conversation on another channel (email to a webchat visitor who left one).
   */
  recipient?: (contact: Contact) => string | null
  /**
   * Optional: what agents can ask of the channel by id (`POST /conversations/:id/actions/:action`),
   * offered in a verdict's `actions`. Throw a ChannelSendError when the remote refuses.
   */
  actions?: Record<string, (conversation: Conversation, contact: Contact) => Promise<void>>
  /**
   * Optional: the channel's templates (WhatsApp's approved message templates): listed for the
   * reply box (`refresh` reads them from the remote again), and filled in to the text the
   * customer will read, or refused with the missing parameter named.
   */
  templates?: {
    list: (refresh: boolean) => Promise<TemplateOffer[]>
    fill: (use: TemplateUse) => { text: string } | { code: string, message: string }
  }
  /** Deliver one message; resolve with the channel's id for it, or throw a ChannelSendError. */
  send: (outbound: OutboundContext) => Promise<{ externalId: string }>
}

export interface ChannelPluginDefinition<S extends TSchema = TSchema> {
  name: string
  /** Schema of the channel's settings in config (beside id, plugin, enabled). */
  configSchema: S
  capabilities: ChannelCapabilities
  /** Settings whose values are secrets (dotted paths for nested ones): never logged, never echoed. */
  secretSettings?: string[]
  /** Rules the schema cannot state, as `path: sentence` problems; config check and start-up report them. */
  validate?: (config: Static<S>) => string[]
  /** What the plugin counts with `ctx.count` (email: bounces, complaints), listed for supervisors even at zero. */
  counters?: readonly string[]
  create: (config: Static<S>, context: ChannelContext) => ChannelInstance | Promise<ChannelInstance>
}

/** Declares a plugin with its settings typed from its schema. */
export function defineChannel<S extends TSchema> (definition: ChannelPluginDefinition<S>): ChannelPluginDefinition<S> {
  return definition
}

export { ChannelSendError } from '../errors.js'
