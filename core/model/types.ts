/** The one conversation model every channel is translated into. */

export type ConversationStatus = 'bot' | 'unassigned' | 'assigned' | 'closed'
export type MessageDirection = 'inbound' | 'outbound' | 'note'
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed'
export type AuthorType = 'contact' | 'agent' | 'bot' | 'system'
export type AgentRole = 'admin' | 'supervisor' | 'agent'
export type AgentStatus = 'online' | 'busy' | 'offline'
export type QueueReason = 'no_agent_online' | 'all_at_capacity' | 'team_offline' | 'manual_routing'
/** Languages the agents' inbox speaks. */
export type AgentLocale = 'en' | 'zh'

export interface Identity {
  channelId: string
  externalId: string
  contactId: string
  createdAt: Date
}

export interface Contact {
  id: string
  name: string | null
  email: string | null
  phone: string | null
  avatarUrl: string | null
  tags: string[]
  notes: string | null
  attributes: Record<string, unknown>
  identities: Identity[]
  /** The agent who last served this contact, and when: routing's affinity. */
  lastAgentId: string | null
  lastAgentAt: Date | null
  /** Set while the hub must send this contact nothing automatic; agents see why. */
  suppression: Suppression | null
  /** Set while the contact is blocked: what they write, on any channel, is held aside (never routed or unread). */
  blocked: ContactBlock | null
  /** Where the customer is and what they read, from their browser, a channel's profile or an agent: an ISO 639 language, */
  language: string | null
  /** an IANA time zone (their local time is shown to agents), */
  timeZone: string | null
  /** and an ISO 3166 country code. */
  country: string | null
  createdAt: Date
  updatedAt: Date
}

export type ChannelState = Record<string, string | number | boolean>

/** Who blocked a contact (an agent's id), and when. */
export interface ContactBlock {
  by: string
  at: Date
}

/**
 * Why the hub sends a contact no automatic message (welcome, away, robot, rating invitation):
 * they reported its mail as spam, their address bounced, or the address is a machine's.
 */
export type SuppressionReason = 'complained' | 'undeliverable' | 'machine'
export interface Suppression {
  reason: SuppressionReason
  /** The channel that learnt it. */
  channelId: string
  /** What the remote said (a bounce's status and diagnostic, a complaint's feedback type). */
  detail: string | null
  at: Date
}

export interface Conversation {
  id: string
  channelId: string
  contactId: string
  status: ConversationStatus
  assigneeId: string | null
  /** The team that serves it (the channel's, or where it was transferred); null: every agent. */
  teamId: string | null
  /** Set while it waits for an agent: since when, and why. */
  queuedAt: Date | null
  queueReason: QueueReason | null
  assignedAt: Date | null
  tags: string[]
  unreadCount: number
  lastInboundAt: Date | null
  lastOutboundAt: Date | null
  lastActivityAt: Date
  /** When the customer's words first read as upset (a mood alert); cleared when the conversation reopens. */
  moodAlertAt: Date | null
  /** The customer's rating of the service, once they gave one. */
  rating: Rating | null
  /** When the customer was last asked to rate (null: never). */
  ratingInvitedAt: Date | null
  /** What the channel keeps about this conversation for its rules (Messenger: which app owns the thread, an ad's longer window). */
  channelState: ChannelState
  createdAt: Date
  updatedAt: Date
}

export interface Attachment {
  kind: 'image' | 'video' | 'audio' | 'file'
  url: string
  name?: string
  mimeType?: string
  size?: number
}

/** Structured content such as a product or order card. */
export interface Card {
  kind: string
  /** The channel's id for what the card shows (a marketplace's product id or order number): what sending the card needs. */
  id?: string
  title: string
  imageUrl?: string
  url?: string
  fields?: Record<string, string>
}

/** Channel-specific content shown beside the text (an email's subject, its sanitized HTML, its whole body). */
export interface MessageExtras {
  subject?: string
  /** Sanitized: safe to render for agents. */
  html?: string
  /** The whole text when `text` is trimmed (quoted history and signature removed). */
  fullText?: string
  /** Why the message is a note-level event rather than a customer message (e.g. `auto_submitted`). */
  automated?: string
  /** The agents' desk an agent wrote it from (a Slack desk's id); absent: the inbox or the API. */
  via?: string
  /** A customer's message in the agents' language, when translation is on. */
  translation?: { text: string, from: string, to: string }
  /** A reply sent translated: what the agent wrote, in their language. */
  original?: { text: string, language: string }
  /** Buttons offered under an automated message (webchat buttons, Messenger quick replies); channels without them show the labels as text. */
  choices?: Choice[]
  /** The choice a customer tapped (its payload), on their message. */
  payload?: string
  /** The texts this message had before the customer edited it, oldest first, each with when it was replaced (ISO). */
  edits?: Array<{ text: string, at: string }>
  /** The channel's count of edits (Messenger's `num_edit`): an older or repeated edit changes nothing. */
  revision?: number
  /** The customer's reaction to this message (an emoji, or the channel's name for it), and when (ISO). */
  reaction?: { emoji: string, at: string }
  /** How often the channel failed this message after sending with a retryable reason, and it went again. */
  resends?: number
  /** The pre-approved template this message was sent as (its text is what the customer reads). */
  template?: { name: string, language: string, parameters: string[] }
  /** The message this one quotes (a reply to it): the hub's id when it is stored, and its text then. */
  quote?: { messageId: string | null, externalId: string | null, text: string }
  /** A customer's message held aside (a note): a team's spam rule matched it, or its contact is blocked. */
  held?: Held
  /** The store-entry welcome the customer saw before writing this, their first message: its group (null: their agent's own) and text. */
  welcome?: { group: string | null, text: string }
}

/** Why a customer's message was held aside, and (once restored) who restored it as which message. */
export interface Held {
  reason: 'spam' | 'blocked'
  /** The spam phrase, or the pattern as `/…/`, that matched. */
  rule?: string
  /** The team of the channel it came in on (null: every agent's channel): whose Spam view lists it. */
  team: string | null
  restored?: { by: string, at: string, messageId: string }
}

/** A customer's change to a stored message: new text (a revision number orders repeated edits), or their reaction (null takes it back). */
export type MessageAmendment = { text: string, revision?: number } | { reaction: { emoji: string } | null }

/** One tappable answer under a message: the customer's message carries `label` as text and `payload` in extras. */
export interface Choice {
  label: string
  /** What the hub acts on: `faq:<entry id>` (a related question), `rating:<1-5>`. */
  payload: string
}

/** A customer's score (1–5) and comment on a conversation, with who served them. */
export interface Rating {
  score: number
  comment: string | null
  /** The agent assigned when the customer rated (null: none, e.g. the robot served them). */
  agentId: string | null
  at: Date
}

export interface Author {
  type: AuthorType
  id: string | null
}

export interface Message {
  id: string
  conversationId: string
  channelId: string
  direction: MessageDirection
  author: Author
  text: string
  attachments: Attachment[]
  cards: Card[]
  extras: MessageExtras | null
  /** The channel's own id for this message; unique per channel. */
  externalId: string | null
  status: MessageStatus
  errorCode: string | null
  errorMessage: string | null
  /** Message tag the reply was sent with (e.g. Messenger's HUMAN_AGENT). */
  tag: string | null
  /** True once the route job has handed an inbound message on to agents. */
  routed: boolean
  createdAt: Date
  /** When the message left its author: the channel's timestamp for inbound. */
  sentAt: Date | null
  deliveredAt: Date | null
  readAt: Date | null
  updatedAt: Date
}

/** A chime, a desktop notification while the tab is hidden, the unread count in the tab's title. */
export interface NotificationPreferences {
  sound: boolean
  desktop: boolean
  tabTitle: boolean
}

export const DEFAULT_NOTIFICATIONS: NotificationPreferences = { sound: true, desktop: true, tabTitle: true }

export interface Agent {
  id: string
  name: string
  email: string
  role: AgentRole
  teams: string[]
  status: AgentStatus
  statusChangedAt: Date | null
  /** Own capacity; null: the hub's routing.defaultCapacity. */
  capacity: number | null
  /** Open conversations assigned to the agent now. */
  activeCount: number
  lastRoutedAt: Date | null
  /** Last sign of a live connection (socket heartbeat or API call). */
  lastSeenAt: Date | null
  /** Last thing the agent did (a reply, a status change, taking a conversation). */
  lastActiveAt: Date | null
  /** When the agent last replied to a customer: the live monitor's "since last reply". */
  lastReplyAt: Date | null
  /** The inbox's language for this agent; null: the browser's. */
  locale: AgentLocale | null
  /** The agent's own greeting to a customer whose conversation they are given; null: none. */
  welcome: string | null
  /** Signs the agent's replies where the channel can (appended to email replies); null: none. */
  signature: string | null
  /** Set while the account is deactivated: its token is refused and nothing is routed to it. */
  deactivatedAt: Date | null
  /** How the inbox tells this agent of new messages, kept on the server so every device follows it. */
  notifications: NotificationPreferences
  createdAt: Date
}

export interface Team {
  id: string
  name: string
  createdAt: Date
}

/** One line of the login/status log: who went online, busy or offline, when and from where. */
export interface StatusChange {
  id: string
  agentId: string
  status: AgentStatus
  at: Date
  /** What changed it: the agent (api, socket), a supervisor from the monitor, or the hub (disconnect, idle). */
  source: 'api' | 'supervisor' | 'disconnect' | 'idle'
  ip: string | null
  userAgent: string | null
}

/** One line of the sign-in log: an agent signed in (and how) or out, when and from where. */
export interface SessionEvent {
  id: string
  agentId: string
  event: 'sign_in' | 'sign_out'
  /** How they signed in: a one-time link, or pasting their API token; null for a sign-out. */
  method: 'link' | 'token' | null
  at: Date
  ip: string | null
  userAgent: string | null
}

/** A page a website visitor looked at, as their chat widget reported it. */
export interface PageView {
  url: string
  title: string
  referrer: string | null
  at: Date
}

/** What agents see of a contact's visits: where they first came from, and what they looked at last. */
export interface Browsing {
  firstVisit: PageView | null
  /** Newest first. */
  recentPages: PageView[]
}

/** What an agent may change on a contact: the profile, tags and notes. */
export interface ContactEdit {
  name?: string | null
  email?: string | null
  phone?: string | null
  tags?: string[]
  notes?: string | null
  suppression?: Suppression | null
  blocked?: ContactBlock | null
  language?: string | null
  timeZone?: string | null
  country?: string | null
}

/** What a channel knows of a customer and fills in where the contact has nothing yet (agents' edits stay). */
export interface ProfileFill {
  name?: string
  avatarUrl?: string
  language?: string
  timeZone?: string
  country?: string
}

/** What a channel may set on a contact from what the customer (or the seller's site) told it. */
export interface ContactDetails {
  name?: string
  email?: string
  phone?: string
  /** Merged into the contact's attributes; a null value removes that attribute. */
  attributes?: Record<string, unknown>
}

/** Who a quick phrase belongs to: one agent, a team (managed by its supervisors), or the whole hub (admins). */
export type PhraseScope = 'personal' | 'team' | 'hub'

/** A canned reply agents insert by its short code (`/hi`) or find by keyword. */
export interface Phrase {
  id: string
  scope: PhraseScope
  /** The agent, for a personal phrase. */
  ownerId: string | null
  /** The team, for a team phrase. */
  teamId: string | null
  /** Unique within its owner, team or the hub. */
  code: string
  title: string
  /** May hold {contact.name} and {agent.name}. */
  text: string
  /** Images or videos from the attachment store, at most two. */
  attachments: Attachment[]
  createdAt: Date
  updatedAt: Date
}

/** A question customers ask, its other phrasings and the answer: what the FAQ robot answers from. */
export interface FaqEntry {
  id: string
  /** The team whose conversations it answers; null: every conversation. */
  teamId: string | null
  question: string
  /** Other ways customers ask it ("退货怎么办", "can I send it back?"). */
  alternatives: string[]
  answer: string
  /** Entries offered under the answer as related questions. */
  related: string[]
  /** The agent who added it; null: imported or made by the hub. */
  createdBy: string | null
  /** An agent's addition waits as a suggestion until a supervisor of its team approves it: the robot never answers with one. */
  suggested: boolean
  createdAt: Date
  updatedAt: Date
}

/** A product of the seller's catalog kept in the hub: what an agent sends as a card from the reply box. */
export interface Product {
  /** The seller's own id (a SKU): what a card names and an import matches on. */
  id: string
  title: string
  /** As the seller writes it, currency included (`¥199`, `$12.50`). */
  price: string | null
  imageUrl: string | null
  url: string | null
  updatedAt: Date
}
