import { Type, type TSchema } from 'typebox'

/**
 * JSON Schemas of the model as the API returns it: they describe the API in /docs and let
 * Fastify serialize responses. Objects stay open (additionalProperties) so a field added to
 * the model is never silently dropped from a response.
 */
const open = { additionalProperties: true }
const When = Type.String({ format: 'date-time' })
const Maybe = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/** An attachment as the API and channel plugins accept it (also read by Fastify's Ajv). */
export const AttachmentSchema = Type.Object({
  kind: Type.Enum(['image', 'video', 'audio', 'file']),
  /** http(s) (not a link-local address, where cloud metadata lives) or one of the hub's own files. */
  url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^(https?://(?!169\\.254\\.|\\[fe80:|\\[::ffff:169\\.254\\.)|/files/[0-9a-z]{40}/)', description: 'an http(s) URL, or a hub file (POST /files)' }),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  mimeType: Type.Optional(Type.String({ maxLength: 255 })),
  size: Type.Optional(Type.Integer({ minimum: 0 }))
}, { additionalProperties: false })

/** Structured content: a product or order card, quick-reply options, ... (channels say which they carry). */
export const CardSchema = Type.Object({
  kind: Type.String({ minLength: 1, maxLength: 64 }),
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "the channel's id for the product or order (sending a card needs it)" })),
  title: Type.String({ maxLength: 1000 }),
  imageUrl: Type.Optional(Type.String({ maxLength: 2048 })),
  url: Type.Optional(Type.String({ maxLength: 2048 })),
  fields: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 1000 })))
}, { additionalProperties: false })

/** What lists show of a contact. */
export const ContactSummarySchema = Type.Object({ id: Type.String(), name: Maybe(Type.String()), email: Maybe(Type.String()), avatarUrl: Maybe(Type.String()) }, open)

export const ConversationSchema = Type.Object({
  id: Type.String(),
  channelId: Type.String(),
  contactId: Type.String(),
  status: Type.Enum(['bot', 'unassigned', 'assigned', 'closed']),
  assigneeId: Maybe(Type.String()),
  teamId: Maybe(Type.String()),
  queuedAt: Maybe(When),
  queueReason: Maybe(Type.Enum(['no_agent_online', 'all_at_capacity', 'team_offline', 'manual_routing'])),
  assignedAt: Maybe(When),
  tags: Type.Array(Type.String()),
  unreadCount: Type.Integer(),
  lastInboundAt: Maybe(When),
  lastOutboundAt: Maybe(When),
  lastActivityAt: When,
  moodAlertAt: Maybe(When),
  rating: Maybe(Type.Object({ score: Type.Integer({ minimum: 1, maximum: 5 }), comment: Maybe(Type.String()), agentId: Maybe(Type.String()), at: When }, open)),
  ratingInvitedAt: Maybe(When),
  channelState: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { description: "The channel's own state for its rules (Messenger: `threadOwner`, `adWindowUntil`)" }),
  createdAt: When,
  updatedAt: When
}, open)

export const MessageSchema = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  channelId: Type.String(),
  direction: Type.Enum(['inbound', 'outbound', 'note']),
  author: Type.Object({ type: Type.Enum(['contact', 'agent', 'bot', 'system']), id: Maybe(Type.String()) }),
  text: Type.String(),
  attachments: Type.Array(Type.Object({}, open)),
  cards: Type.Array(Type.Object({}, open)),
  extras: Maybe(Type.Object({
    subject: Type.Optional(Type.String()),
    html: Type.Optional(Type.String()),
    fullText: Type.Optional(Type.String()),
    automated: Type.Optional(Type.String()),
    choices: Type.Optional(Type.Array(Type.Object({ label: Type.String(), payload: Type.String() }, open))),
    payload: Type.Optional(Type.String()),
    edits: Type.Optional(Type.Array(Type.Object({ text: Type.String(), at: When }), { description: 'the texts before the customer edited it, oldest first' })),
    revision: Type.Optional(Type.Integer()),
    reaction: Type.Optional(Type.Object({ emoji: Type.String(), at: When }, { description: "the customer's reaction to this message" })),
    quote: Type.Optional(Type.Object({ messageId: Maybe(Type.String()), externalId: Maybe(Type.String()), text: Type.String() }, { description: 'the message this one quotes' })),
    template: Type.Optional(Type.Object({ name: Type.String(), language: Type.String(), parameters: Type.Array(Type.String()) }, { description: 'the pre-approved template it was sent as' })),
    held: Type.Optional(Type.Object({
      reason: Type.Enum(['spam', 'blocked']),
      rule: Type.Optional(Type.String()),
      team: Maybe(Type.String()),
      restored: Type.Optional(Type.Object({ by: Type.String(), at: When, messageId: Type.String() }))
    }, { description: 'a customer message held aside as a note: a spam rule matched (`rule`) or the contact is blocked; `restored` once an agent restored it as `messageId`' })),
    welcome: Type.Optional(Type.Object({ group: Maybe(Type.String()), text: Type.String() }, { description: 'the store-entry welcome the customer saw before this first message' }))
  }, open)),
  externalId: Maybe(Type.String()),
  status: Type.Enum(['pending', 'sent', 'delivered', 'read', 'failed']),
  errorCode: Maybe(Type.String()),
  errorMessage: Maybe(Type.String()),
  tag: Maybe(Type.String()),
  createdAt: When,
  sentAt: Maybe(When),
  deliveredAt: Maybe(When),
  readAt: Maybe(When),
  updatedAt: When
}, open)

export const ContactSchema = Type.Object({
  id: Type.String(),
  name: Maybe(Type.String()),
  email: Maybe(Type.String()),
  phone: Maybe(Type.String()),
  avatarUrl: Maybe(Type.String()),
  tags: Type.Array(Type.String()),
  notes: Maybe(Type.String()),
  attributes: Type.Object({}, open),
  identities: Type.Array(Type.Object({ channelId: Type.String(), externalId: Type.String() }, open)),
  lastAgentId: Maybe(Type.String()),
  lastAgentAt: Maybe(When),
  suppression: Maybe(Type.Object({
    reason: Type.Enum(['complained', 'undeliverable', 'machine']),
    channelId: Type.String(),
    detail: Maybe(Type.String()),
    at: When
  }, { description: 'Set while the hub sends this contact nothing automatic: they complained (spam report), their address bounced, or it is a machine\'s' })),
  blocked: Maybe(Type.Object({ by: Type.String(), at: When }, { description: 'Set while the contact is blocked: what they write on any channel is held aside, never routed or unread' })),
  language: Maybe(Type.String({ description: 'ISO 639 code (zh, en), from their browser, a channel\'s profile or an agent' })),
  timeZone: Maybe(Type.String({ description: 'IANA time zone (Asia/Shanghai): their local time' })),
  country: Maybe(Type.String({ description: 'ISO 3166 alpha-2 code (CN)' })),
  createdAt: When,
  updatedAt: When
}, open)

const PageViewSchema = Type.Object({ url: Type.String(), title: Type.String(), referrer: Maybe(Type.String()), at: When })
export const BrowsingSchema = Type.Object({
  firstVisit: Maybe(PageViewSchema),
  recentPages: Type.Array(PageViewSchema, { description: 'newest first' })
})

export const AgentSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  role: Type.Enum(['admin', 'supervisor', 'agent']),
  teams: Type.Array(Type.String()),
  status: Type.Enum(['online', 'busy', 'offline']),
  statusChangedAt: Maybe(When),
  capacity: Maybe(Type.Integer()),
  activeCount: Type.Integer(),
  lastRoutedAt: Maybe(When),
  lastSeenAt: Maybe(When),
  lastActiveAt: Maybe(When),
  lastReplyAt: Maybe(When),
  locale: Maybe(Type.Enum(['en', 'zh'])),
  welcome: Maybe(Type.String()),
  signature: Maybe(Type.String()),
  deactivatedAt: Maybe(When),
  notifications: Type.Object({ sound: Type.Boolean(), desktop: Type.Boolean(), tabTitle: Type.Boolean() }, { description: 'how the inbox tells this agent of new messages: a chime, desktop notifications, the unread count in the tab title' }),
  createdAt: When
}, open)

export const FaqEntrySchema = Type.Object({
  id: Type.String(),
  teamId: Maybe(Type.String()),
  question: Type.String(),
  alternatives: Type.Array(Type.String()),
  answer: Type.String(),
  related: Type.Array(Type.String(), { description: 'ids of entries offered under the answer' }),
  createdBy: Maybe(Type.String()),
  suggested: Type.Boolean({ description: 'waits for a supervisor\'s approval; the robot does not answer with it' }),
  createdAt: When,
  updatedAt: When
}, open)

export const PhraseSchema = Type.Object({
  id: Type.String(),
  scope: Type.Enum(['personal', 'team', 'hub']),
  ownerId: Type.Union([Type.String(), Type.Null()]),
  teamId: Type.Union([Type.String(), Type.Null()]),
  code: Type.String(),
  title: Type.String(),
  text: Type.String(),
  attachments: Type.Array(AttachmentSchema),
  createdAt: When,
  updatedAt: When
}, open)

export const TeamSchema = Type.Object({ id: Type.String(), name: Type.String(), createdAt: When }, open)

export const StatusChangeSchema = Type.Object({
  id: Type.String(),
  agentId: Type.String(),
  status: Type.Enum(['online', 'busy', 'offline']),
  at: When,
  source: Type.Enum(['api', 'supervisor', 'disconnect', 'idle']),
  ip: Maybe(Type.String()),
  userAgent: Maybe(Type.String())
}, open)

export const SessionEventSchema = Type.Object({
  id: Type.String(),
  agentId: Type.String(),
  event: Type.Enum(['sign_in', 'sign_out']),
  method: Maybe(Type.Enum(['link', 'token'])),
  at: When,
  ip: Maybe(Type.String()),
  userAgent: Maybe(Type.String())
}, open)

export const PageOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Maybe(Type.String()) })

export const ProductSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  price: Maybe(Type.String()),
  imageUrl: Maybe(Type.String()),
  url: Maybe(Type.String()),
  updatedAt: When
})
