import { visibleConversation } from '../agents/permissions.js'
import { HubError, notFound } from '../errors.js'
import { conversationAudience } from '../events/index.js'
import { publicBaseUrl } from '../config/public-url.js'
import type { Agent, Choice, Conversation, Rating } from '../model/index.js'
import { countEvent } from '../reports/index.js'
import { sendAutomated } from '../pipeline/automated.js'
import type { InboundTap } from '../pipeline/ingest.js'
import type { HubServices } from '../services.js'
import type { RatingStat } from '../store/index.js'

export const SCORES = [1, 2, 3, 4, 5] as const

/** A tapped score carries its conversation: `rating:<conversation id>:<1-5>`, so a tap on a closed conversation lands on it. */
const PAYLOAD = /^rating:([0-9A-Za-z]+):([1-5])$/

const ratingPayload = (conversationId: string, score: number): string => `rating:${conversationId}:${score}`

export function ratingTap (payload: string | undefined): { conversationId: string, score: number } | null {
  const match = payload === undefined ? null : PAYLOAD.exec(payload)
  return match === null ? null : { conversationId: match[1]!, score: Number(match[2]) }
}

/**
 * A tapped rating, if the conversation it names is the customer's own (a forged payload is just
 * text): kept beside its conversation as a note (a closed one stays closed), then it rates it.
 * A redelivered tap rates only if the first delivery stored it but did not get to rate.
 */
export const ratingInboundTap: InboundTap = async (s, channelId, inbound) => {
  const rating = ratingTap(inbound.extras?.payload)
  const conversation = rating === null ? null : await s.store.getConversation(rating.conversationId)
  const contact = conversation === null ? null : await s.store.getContact(conversation.contactId)
  if (rating === null || contact?.identities.some(i => i.channelId === channelId && i.externalId === inbound.from.externalId) !== true) return null
  return {
    inbound: { ...inbound, direction: 'note', conversationId: rating.conversationId, extras: { ...inbound.extras, automated: 'rating' } },
    stored: async (stored, duplicate) => {
      if (stored.id === rating.conversationId && (!duplicate || stored.rating === null)) await rate(s, stored.id, rating.score, null)
    }
  }
}

const ratingUrl = (s: HubServices, conversationId: string): string =>
  `${publicBaseUrl(s.config.http, s.listenUrl)}/rate/${s.ratingLinks.token(conversationId, s.clock())}`

/**
 * Asks the customer to rate, as their channel can: score buttons where it has them (webchat,
 * Messenger quick replies) and, on every channel, a link to the rating page (score and comment).
 */
export async function inviteToRate (s: HubServices, conversation: Conversation): Promise<Conversation> {
  const channel = s.channels.get(conversation.channelId)
  if (channel === undefined) throw new HubError('channel_unavailable', `Channel "${conversation.channelId}" is not enabled on this hub; the customer cannot be asked to rate.`, 409)
  const choices: Choice[] = (channel.definition.capabilities.choices ?? 0) >= SCORES.length
    ? SCORES.map(score => ({ label: '★'.repeat(score), payload: ratingPayload(conversation.id, score) }))
    : []
  const text = channel.ratings.invitation.replace('{link}', ratingUrl(s, conversation.id))
  const sent = await sendAutomated(s, conversation, { kind: 'rating_invitation', text, choices })
  if (sent === null) throw new HubError('rating_not_sendable', `${channel.id} does not let a message reach this customer now (see the reply box for why); ask them to rate another time.`, 409)
  const invited = await s.store.markRatingInvited(conversation.id, s.clock())
  await s.bus.publish({ type: 'conversation.updated', conversationId: invited.id, conversation: invited, audience: conversationAudience(invited) })
  return invited
}

/** On close, where the channel asks for a rating (unless the customer rated already): composed by the hub as a close listener. */
export async function inviteOnClose (s: HubServices, conversation: Conversation): Promise<void> {
  if (s.channels.get(conversation.channelId)?.ratings.onClose !== true || conversation.rating !== null) return
  await inviteToRate(s, conversation)
}

/** An agent asks for a rating (the inbox's Rate button, the API, Slack). */
export async function requestRating (s: HubServices, agent: Agent, conversationId: string): Promise<Conversation> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  if (conversation.rating !== null) throw new HubError('already_rated', `The customer already rated this conversation (${conversation.rating.score}/5).`, 409)
  return await inviteToRate(s, conversation)
}

/** A rating in the reports; a replaced one is taken back where it was counted. */
async function countRating (s: HubServices, conversation: Conversation, rating: Rating, count: number): Promise<void> {
  await countEvent(s, conversation, { measure: 'rated', at: rating.at, agentId: rating.agentId, value: rating.score, count })
  if (rating.score >= 4) await countEvent(s, conversation, { measure: 'rated_satisfied', at: rating.at, agentId: rating.agentId, value: 0, count })
}

/**
 * The customer's score (and comment): kept on the conversation with the agent who served them,
 * supervisors and the assignee are told, and the customer thanked (once, not for a comment added later).
 */
export async function rate (s: HubServices, conversationId: string, score: number, comment: string | null): Promise<Conversation> {
  const before = await s.store.getConversation(conversationId)
  if (before === null) throw notFound('conversation', conversationId)
  const text = comment?.trim() ?? ''
  // A comment sent after a tapped score keeps that score's agent; a new score replaces the old.
  const rated = await s.store.rateConversation(conversationId, {
    score, comment: text === '' ? before.rating?.comment ?? null : text, agentId: before.rating?.agentId ?? before.assigneeId, at: s.clock()
  }, s.clock())
  s.logger.info({ conversationId, score }, 'conversation rated')
  if (before.rating !== null) await countRating(s, rated, before.rating, -1)
  await countRating(s, rated, rated.rating!, 1)
  await s.bus.publish({ type: 'conversation.rated', conversationId, conversation: rated, rating: rated.rating!, audience: conversationAudience(rated) })
  await s.bus.publish({ type: 'conversation.updated', conversationId, conversation: rated, audience: conversationAudience(rated) })
  const channel = s.channels.get(rated.channelId)
  if (before.rating === null && channel !== undefined) await sendAutomated(s, rated, { kind: 'rating_thanks', text: channel.ratings.thanks })
  return rated
}

export interface RatingSummary extends RatingStat {
  agentName: string | null
}

export async function ratingSummary (s: HubServices, since: Date): Promise<RatingSummary[]> {
  const agents = new Map((await s.store.listAgents()).map(a => [a.id, a.name]))
  return (await s.store.ratingStats(since)).map(r => ({ ...r, average: Math.round(r.average * 100) / 100, agentName: r.agentId === null ? null : agents.get(r.agentId) ?? null }))
}
