/** The hub's API shapes as the browser gets them: the core model, with dates as ISO strings. */
import type * as Model from '../../core/model/types.js'
import type { InboxView } from '../../core/model/views.js'

/** What JSON makes of a model type: Dates become strings, all the way down. */
type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T

export type AgentStatus = Model.AgentStatus
export type Locale = Model.AgentLocale
export type Attachment = Json<Model.Attachment>
export type Card = Json<Model.Card>
export type Product = Json<Model.Product>
export type Message = Json<Model.Message>
export type Conversation = Json<Model.Conversation>
export type Agent = Json<Model.Agent>
export type Team = Json<Model.Team>
export type StatusChange = Json<Model.StatusChange>
export type SessionEvent = Json<Model.SessionEvent>
/** The live monitor's row of an agent (GET /monitor). */
export interface MonitorRow { agentId: string, openConversations: number, capacity: number, lastReplyAt: string | null, unanswered: number, longestWait: { conversationId: string, since: string } | null }
export type ContactSummary = Pick<Json<Model.Contact>, 'id' | 'name' | 'email' | 'avatarUrl'>
/** Whether the customer is on the seller's site now (website channels), on which page; null: not seen there since the hub started. */
export interface Presence { online: boolean, url: string | null, title: string | null, since: string }
export type Contact = Json<Model.Contact> & { browsing?: Json<Model.Browsing>, presence?: Presence | null }
export interface ListItem extends Conversation { contact: ContactSummary | null, lastMessage: Message | null, presence?: Presence | null }

export interface ChannelInfo {
  id: string
  plugin: string
  team: string | null
  robot: 'off' | 'suggest' | 'auto'
  capabilities: { images: boolean, files: boolean, cards: boolean, typing: boolean, maxTextLength: number, maxAttachments: number }
}

export type Verdict =
  | { verdict: 'allow', windowClosesAt?: string }
  | { verdict: 'tag_required', code: string, message: string, tags: string[], windowClosesAt?: string }
  | { verdict: 'deny', code: string, message: string, windowClosesAt?: string, actions?: Array<{ id: string, label: string }>, templates?: TemplateOffer[] }

export interface TemplateOffer { name: string, language: string, category: string, body: string, parameters: string[] }

export interface Count { total: number, unread: number }
export type View = InboxView
export type Counts = Record<View, Count>

export interface Waiting { conversation: Conversation, contact: ContactSummary | null, position: number, reason: Model.QueueReason, waitingMs: number }

/** `key` names what the event announces: a repeat of it (a hub job run twice) has the same key. */
export type HubEvent = { id: string, key: string } & (
  | { type: 'message.created' | 'message.updated', conversationId: string, message: Message }
  | { type: 'conversation.updated' | 'conversation.queued', conversationId: string, conversation: Conversation }
  | { type: 'conversation.assigned', conversationId: string, conversation: Conversation, assignee: { id: string, name: string } }
  | { type: 'conversation.typing', conversationId: string, on: boolean }
  | { type: 'conversation.sla_breached', conversationId: string, conversation: Conversation, waitedMs: number, targetMs: number }
  | { type: 'conversation.mood_alert', conversationId: string, conversation: Conversation, score: number, signals: string[] }
  | { type: 'conversation.rated', conversationId: string, conversation: Conversation }
  | { type: 'agent.status', agentId: string, status: AgentStatus, at: string }
  | { type: 'queue.updated', teamId: string | null, size: number }
  | { type: 'channel.health', channelId: string, ok: boolean }
  | { type: 'contact.presence', contactId: string, presence: Presence }
)

/** An FAQ entry as a search or the suggestions rank it. */
export type FaqMatch = Json<Model.FaqEntry> & { confidence: number, score: number }

export type ChannelCounters = Json<import('../../core/channels/counters.js').ChannelCounters>
export interface RobotStats { channelId: string, mode: 'off' | 'suggest' | 'auto', asked: number, answered: number, unsure: number, hitRate: number | null, handoffs: { total: number, asked_for_human: number, no_answer: number, failed_turns: number, channel_refused: number } }
export interface RatingRow { agentId: string | null, agentName: string | null, channelId: string, count: number, average: number, satisfied: number }

/** A quick phrase as the reply box gets it: filled in for the open conversation. */
export type Phrase = Json<Model.Phrase>
export type PhraseMatch = Json<Model.Phrase> & { expanded: { text: string, attachments: Attachment[] } }
