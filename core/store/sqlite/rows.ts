import { DEFAULT_NOTIFICATIONS, type NotificationPreferences } from '../../model/index.js'
import type { ChannelState, ContactBlock, FaqEntry, Phrase, PhraseScope, Agent, AgentLocale, AgentRole, AgentStatus, Contact, Conversation, ConversationStatus, Identity, Message, MessageDirection, MessageStatus, AuthorType, QueueReason, SessionEvent, StatusChange, Suppression, Team } from '../../model/index.js'

/** Row shapes as SQLite returns them, and their mapping to the model. */
export interface ContactRow { id: string, name: string | null, email: string | null, phone: string | null, avatar_url: string | null, tags: string, notes: string | null, attributes: string, last_agent_id: string | null, last_agent_at: number | null, suppression: string | null, blocked: string | null, language: string | null, time_zone: string | null, country: string | null, created_at: number, updated_at: number }
export interface IdentityRow { channel_id: string, external_id: string, contact_id: string, created_at: number }
export interface ConversationRow { id: string, channel_id: string, contact_id: string, status: string, thread: string, assignee_id: string | null, team_id: string | null, queued_at: number | null, queue_reason: string | null, assigned_at: number | null, tags: string, unread_count: number, last_inbound_at: number | null, last_outbound_at: number | null, last_activity_at: number, mood_alert_at: number | null, rating_score: number | null, rating_comment: string | null, rating_agent_id: string | null, rated_at: number | null, rating_invited_at: number | null, channel_state: string, created_at: number, updated_at: number }
export interface MessageRow { id: string, conversation_id: string, channel_id: string, direction: string, author_type: string, author_id: string | null, text: string, attachments: string, cards: string, extras: string | null, external_id: string | null, status: string, error_code: string | null, error_message: string | null, tag: string | null, routed: number, created_at: number, sent_at: number | null, delivered_at: number | null, read_at: number | null, updated_at: number }
export interface AgentRow { id: string, name: string, email: string, role: string, teams: string, token_hash: string, status: string, status_changed_at: number | null, capacity: number | null, active_count: number, last_routed_at: number | null, last_seen_at: number | null, last_active_at: number | null, last_reply_at: number | null, locale: string | null, welcome: string | null, signature: string | null, deactivated_at: number | null, notifications: string | null, created_at: number }
export interface TeamRow { id: string, name: string, created_at: number }
export interface SessionRow { id: string, agent_id: string, event: string, method: string | null, at: number, ip: string | null, user_agent: string | null }
export interface StatusLogRow { id: string, agent_id: string, status: string, at: number, source: string, ip: string | null, user_agent: string | null }

const date = (ms: number | null): Date | null => ms === null ? null : new Date(ms)

/** A suppression as its column holds it: JSON with the time in ms. */
export const suppressionJson = (s: Suppression | null): string | null => s === null ? null : JSON.stringify({ ...s, at: s.at.getTime() })
const fromSuppressionJson = (json: string): Suppression => {
  const s = JSON.parse(json) as Omit<Suppression, 'at'> & { at: number }
  return { ...s, at: new Date(s.at) }
}

/** A block as its column holds it: JSON with the time in ms. */
export const blockJson = (b: ContactBlock | null): string | null => b === null ? null : JSON.stringify({ by: b.by, at: b.at.getTime() })
const fromBlockJson = (json: string): ContactBlock => {
  const b = JSON.parse(json) as { by: string, at: number }
  return { by: b.by, at: new Date(b.at) }
}

export const toIdentity = (r: IdentityRow): Identity => ({ channelId: r.channel_id, externalId: r.external_id, contactId: r.contact_id, createdAt: new Date(r.created_at) })

export const toContact = (r: ContactRow, identities: IdentityRow[]): Contact => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  avatarUrl: r.avatar_url,
  tags: JSON.parse(r.tags) as string[],
  notes: r.notes,
  attributes: JSON.parse(r.attributes) as Record<string, unknown>,
  identities: identities.map(toIdentity),
  lastAgentId: r.last_agent_id,
  lastAgentAt: date(r.last_agent_at),
  suppression: r.suppression === null ? null : fromSuppressionJson(r.suppression),
  blocked: r.blocked === null ? null : fromBlockJson(r.blocked),
  language: r.language,
  timeZone: r.time_zone,
  country: r.country,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at)
})

export const toConversation = (r: ConversationRow): Conversation => ({
  id: r.id,
  channelId: r.channel_id,
  contactId: r.contact_id,
  status: r.status as ConversationStatus,
  assigneeId: r.assignee_id,
  teamId: r.team_id,
  queuedAt: date(r.queued_at),
  queueReason: r.queue_reason as QueueReason | null,
  assignedAt: date(r.assigned_at),
  tags: JSON.parse(r.tags) as string[],
  unreadCount: r.unread_count,
  lastInboundAt: date(r.last_inbound_at),
  lastOutboundAt: date(r.last_outbound_at),
  lastActivityAt: new Date(r.last_activity_at),
  moodAlertAt: date(r.mood_alert_at),
  rating: r.rating_score === null ? null : { score: r.rating_score, comment: r.rating_comment, agentId: r.rating_agent_id, at: new Date(r.rated_at!) },
  ratingInvitedAt: date(r.rating_invited_at),
  channelState: JSON.parse(r.channel_state) as ChannelState,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at)
})

export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  conversationId: r.conversation_id,
  channelId: r.channel_id,
  direction: r.direction as MessageDirection,
  author: { type: r.author_type as AuthorType, id: r.author_id },
  text: r.text,
  attachments: JSON.parse(r.attachments) as Message['attachments'],
  cards: JSON.parse(r.cards) as Message['cards'],
  extras: r.extras === null ? null : JSON.parse(r.extras) as Message['extras'],
  externalId: r.external_id,
  status: r.status as MessageStatus,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  tag: r.tag,
  routed: r.routed === 1,
  createdAt: new Date(r.created_at),
  sentAt: date(r.sent_at),
  deliveredAt: date(r.delivered_at),
  readAt: date(r.read_at),
  updatedAt: new Date(r.updated_at)
})

export const toAgent = (r: AgentRow): Agent => ({
  id: r.id,
  name: r.name,
  email: r.email,
  role: r.role as AgentRole,
  teams: JSON.parse(r.teams) as string[],
  status: r.status as AgentStatus,
  statusChangedAt: date(r.status_changed_at),
  capacity: r.capacity,
  activeCount: r.active_count,
  lastRoutedAt: date(r.last_routed_at),
  lastSeenAt: date(r.last_seen_at),
  lastActiveAt: date(r.last_active_at),
  lastReplyAt: date(r.last_reply_at),
  locale: r.locale as AgentLocale | null,
  welcome: r.welcome,
  signature: r.signature,
  deactivatedAt: date(r.deactivated_at),
  notifications: r.notifications === null ? DEFAULT_NOTIFICATIONS : { ...DEFAULT_NOTIFICATIONS, ...JSON.parse(r.notifications) as Partial<NotificationPreferences> },
  createdAt: new Date(r.created_at)
})

export const toTeam = (r: TeamRow): Team => ({ id: r.id, name: r.name, createdAt: new Date(r.created_at) })

export const toSessionEvent = (r: SessionRow): SessionEvent => ({
  id: r.id, agentId: r.agent_id, event: r.event as SessionEvent['event'], method: r.method as SessionEvent['method'], at: new Date(r.at), ip: r.ip, userAgent: r.user_agent
})

export const toStatusChange = (r: StatusLogRow): StatusChange => ({
  id: r.id, agentId: r.agent_id, status: r.status as AgentStatus, at: new Date(r.at),
  source: r.source as StatusChange['source'], ip: r.ip, userAgent: r.user_agent
})

export interface PhraseRow { id: string, scope: string, owner_id: string | null, team_id: string | null, owner_key: string, code: string, title: string, text: string, attachments: string, created_at: number, updated_at: number }

export const toPhrase = (r: PhraseRow): Phrase => ({
  id: r.id,
  scope: r.scope as PhraseScope,
  ownerId: r.owner_id,
  teamId: r.team_id,
  code: r.code,
  title: r.title,
  text: r.text,
  attachments: JSON.parse(r.attachments) as Phrase['attachments'],
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at)
})

export interface FaqRow { id: string, team_id: string | null, question: string, alternatives: string, answer: string, related: string, created_by: string | null, suggested: number, created_at: number, updated_at: number }

export const toFaqEntry = (r: FaqRow): FaqEntry => ({
  id: r.id,
  teamId: r.team_id,
  question: r.question,
  alternatives: JSON.parse(r.alternatives) as string[],
  answer: r.answer,
  related: JSON.parse(r.related) as string[],
  createdBy: r.created_by,
  suggested: r.suggested === 1,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at)
})
