import type { InboundMessage, IngestOutcome } from '../channels/index.js'
import { checkSentAt } from '../channels/sent-at.js'
import { HubError } from '../errors.js'
import { conversationAudience } from '../events/index.js'
import { rate, ratingTap } from '../ratings/index.js'
import { countMessage } from '../reports/index.js'
import { reopenedByCustomer } from '../settings/auto-close.js'
import { AFTER_STORED_WAIT_MS, within } from './after-stored.js'
import { enqueueRoute } from './jobs.js'
import type { HubServices } from './services.js'

/** The rating the customer tapped, if the conversation it names is theirs (a forged payload is just text). */
async function ownRating (s: HubServices, channelId: string, inbound: InboundMessage): Promise<{ conversationId: string, score: number } | null> {
  const rating = ratingTap(inbound.extras?.payload)
  const conversation = rating === null ? null : await s.store.getConversation(rating.conversationId)
  const contact = conversation === null ? null : await s.store.getContact(conversation.contactId)
  return contact?.identities.some(i => i.channelId === channelId && i.externalId === inbound.from.externalId) === true ? rating : null
}

/**
 * Stores one inbound message (idempotently) and queues its routing. Resolves only once the
 * message is durable, so a plugin acknowledges its webhook after this and not before.
 * A held message an agent restores skips the spam rules (`screen: false`), and `opens` its
 * conversation for the reports when only held messages were in it.
 */
export async function ingest (s: HubServices, channelId: string, tapped: InboundMessage, { screen = true, opens = false } = {}): Promise<IngestOutcome> {
  const now = s.clock()
  if (tapped.sentAt !== undefined) checkSentAt(tapped.sentAt, now)
  const teamId = s.channels.get(channelId)?.team ?? null
  // A tapped rating is kept beside its conversation as a note (a closed one stays closed) and rates it.
  const rating = await ownRating(s, channelId, tapped)
  const rated: InboundMessage = rating === null ? tapped : { ...tapped, direction: 'note', conversationId: rating.conversationId, extras: { ...tapped.extras, automated: 'rating' } }
  const customer = (rated.direction ?? 'inbound') === 'inbound'
  // A team's spam rule holds the message aside (stored, never routed or unread); it reopens nothing.
  const spamRule = screen && customer ? s.rules.spamMatch(teamId, rated.text) : null
  // A customer writing again after an auto-close picks up that conversation.
  const reopens = customer && spamRule === null && rated.conversationId === undefined ? await reopenedByCustomer(s, channelId, rated.from.externalId) : undefined
  const inbound: InboundMessage = reopens === undefined ? rated : { ...rated, conversationId: reopens }
  const result = await s.store.recordInbound({
    channelId,
    teamId,
    ...(spamRule !== null ? { held: { reason: 'spam', rule: spamRule } } : {}),
    externalId: inbound.externalId,
    contact: inbound.from,
    text: inbound.text,
    attachments: inbound.attachments ?? [],
    cards: inbound.cards ?? [],
    sentAt: inbound.sentAt ?? now,
    ...(inbound.direction !== undefined ? { direction: inbound.direction } : {}),
    ...(inbound.opensWindow !== undefined ? { opensWindow: inbound.opensWindow } : {}),
    ...(inbound.extras !== undefined ? { extras: inbound.extras } : {}),
    ...(inbound.conversationId !== undefined ? { conversationId: inbound.conversationId } : {}),
    ...(inbound.thread !== undefined ? { thread: inbound.thread } : {})
  }, now)
  const { message, conversation, duplicate } = result
  const held = message.extras?.held?.reason
  if (!duplicate) await countMessage(s, conversation, message, (result.conversationCreated && held === undefined) || opens)
  // A redelivery of a message whose routing never got queued (the queue was down) queues it now.
  if (!message.routed) {
    try {
      // With Redis away an add waits for reconnects: the channel hears 503 within a second and redelivers.
      await within(enqueueRoute(s, message.id), AFTER_STORED_WAIT_MS)
    } catch (err) {
      s.logger.error({ channelId, messageId: message.id, err: { message: (err as Error).message } }, 'route job not queued')
      throw new HubError('queue_unavailable', 'The message was stored but could not be queued; deliver it again shortly.', 503)
    }
  }
  // A note-level event (an auto-reply) is not routed: agents just see it in the conversation. A held message waits in the Spam view.
  if (message.direction === 'note' && !duplicate && message.extras?.held === undefined) {
    await s.bus.publish({ type: 'message.created', conversationId: conversation.id, message, audience: conversationAudience(conversation) })
      .catch(err => s.logger.warn({ messageId: message.id, err: { message: (err as Error).message } }, 'note event not published'))
  }
  // A redelivered tap rates only if the first delivery stored it but did not get to rate.
  if (rating !== null && conversation.id === rating.conversationId && (!duplicate || conversation.rating === null)) await rate(s, conversation.id, rating.score, null)
  s.logger.info({ channelId, messageId: message.id, conversationId: conversation.id, duplicate, ...(held !== undefined ? { held } : {}) }, duplicate ? 'inbound duplicate' : 'inbound stored')
  return { messageId: message.id, conversationId: conversation.id, duplicate }
}
