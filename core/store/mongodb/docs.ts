import { DEFAULT_NOTIFICATIONS } from '../../model/index.js'
import type { Agent, Conversation, FaqEntry, Identity, Message, Phrase, StatusChange, Team } from '../../model/index.js'
import type { Doc } from './connection.js'

/** Documents as the model's types: the driver's own bookkeeping fields stay inside. */
export function toConversation (d: Doc): Conversation {
  // lastReplyAt and held are the store's own, for the unanswered and held filters.
  const { _id, openKey: _openKey, thread: _thread, countedIds: _counted, lastReplyAt: _reply, held: _held, ...rest } = d
  return { id: _id, ...rest, moodAlertAt: d.moodAlertAt ?? null, rating: d.rating ?? null, ratingInvitedAt: d.ratingInvitedAt ?? null, channelState: d.channelState ?? {} } as Conversation
}

export function toMessage (d: Doc): Message {
  const { _id, counted: _counted, opensWindow: _window, ...rest } = d
  return { id: _id, ...rest, extras: d.extras ?? null, author: { type: d.author.type, id: d.author.id ?? null } } as Message
}

export function toPhrase (d: Doc): Phrase {
  const { _id, ownerKey: _key, ...rest } = d
  return { id: _id, ...rest, attachments: d.attachments ?? [] } as Phrase
}

export function toFaqEntry (d: Doc): FaqEntry {
  const { _id, ...rest } = d
  return { id: _id, ...rest, teamId: d.teamId ?? null, createdBy: d.createdBy ?? null, suggested: d.suggested === true } as FaqEntry
}

export const toTeam = (d: Doc): Team => ({ id: d._id, name: d.name, createdAt: d.createdAt })

export function toStatusChange (d: Doc): StatusChange {
  const { _id, ...rest } = d
  return { id: _id, ...rest } as StatusChange
}

export function toAgent (d: Doc): Agent {
  const { _id, tokenHash: _hash, slots, activeCount: _old, ...rest } = d
  return { id: _id, ...rest, activeCount: (slots as unknown[] | undefined)?.length ?? 0, locale: d.locale ?? null, welcome: d.welcome ?? null, lastReplyAt: d.lastReplyAt ?? null, signature: d.signature ?? null, deactivatedAt: d.deactivatedAt ?? null, notifications: { ...DEFAULT_NOTIFICATIONS, ...d.notifications } } as Agent
}

export const toIdentity = (i: Doc): Identity => ({ channelId: i.channelId, externalId: i.externalId, contactId: i.contactId, createdAt: i.createdAt })
