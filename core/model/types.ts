/** The one conversation model every channel is translated into. */

export type ConversationStatus = 'bot' | 'unassigned' | 'assigned' | 'closed'
export type MessageDirection = 'inbound' | 'outbound' | 'note'
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed'
export type AuthorType = 'contact' | 'agent' | 'bot' | 'system'
export type AgentRole = 'admin' | 'supervisor' | 'agent'

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
  createdAt: Date
  updatedAt: Date
}

export interface Conversation {
  id: string
  channelId: string
  contactId: string
  status: ConversationStatus
  assigneeId: string | null
  tags: string[]
  unreadCount: number
  lastInboundAt: Date | null
  lastOutboundAt: Date | null
  lastActivityAt: Date
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
  title: string
  imageUrl?: string
  url?: string
  fields?: Record<string, string>
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

export interface Agent {
  id: string
  name: string
  email: string
  role: AgentRole
  teams: string[]
  createdAt: Date
}
