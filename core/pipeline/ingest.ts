import type { InboundMessage, IngestOutcome } from '../channels/index.js'
import type { Conversation } from '../model/index.js'
import { checkSentAt } from './sent-at.js'
import { HubError } from '../errors.js'
import { conversationAudience } from '../events/index.js'
import { countMessage } from '../reports/index.js'
import { reopenedByCustomer } from './auto-close.js'
import { AFTER_STORED_WAIT_MS, within } from './after-stored.js'
import { enqueueRoute } from '../queue/jobs.js'
import type { HubServices } from '../services.js'

/**
 * Something that may take an inbound message before it is stored as the customer's own (a
 * tapped rating becomes a note that rates): the message as it is to be stored, and what follows
 * once it is; null when it is not this tap's. The hub composes the list.
 */
export type InboundTap = (s: HubServices, channelId: string, inbound: InboundMessage) => Promise<{
  inbound: InboundMessage
  stored: (conversation: Conversation, duplicate: boolean) => Promise<void>
} | null>

/**
 * Stores one inbound message (idempotently) and queues its routing. Resolves only once the
 * message is durable, so a plugin acknowledges its webhook after this and not before.
 * A held message an agent restores skips the spam rules (`screen: false`), and `opens` its
 * conversation for the reports when only held messages were in it.
 */
export async function ingest (s: HubServices, channelId: string, received: InboundMessage, { screen = true, opens = false } = {}): Promise<IngestOutcome> {
  const now = s.clock()
  if (received.sentAt !== undefined) checkSentAt(received.sentAt, now)
  const teamId = s.channels.get(channelId)?.team ?? null
  let claim: Awaited<ReturnType<InboundTap>> = null
  for (const tap of s.inboundTaps) {
    claim = await tap(s, channelId, received)
    if (claim !== null) break
  }
  const taken = claim?.inbound ?? received
  const customer = (taken.direction ?? 'inbound') === 'inbound'
  // A team's spam rule holds the message aside (stored, never routed or unread); it reopens nothing.
  const spamRule = screen && customer ? s.rules.spamMatch(teamId, taken.text) : null
  // A customer writing again after an auto-close picks up that conversation.
  const reopens = customer && spamRule === null && taken.conversationId === undefined ? await reopenedByCustomer(s, channelId, taken.from.externalId) : undefined
  const inbound: InboundMessage = reopens === undefined ? taken : { ...taken, conversationId: reopens }
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
  if (claim !== null) await claim.stored(conversation, duplicate)
  s.logger.info({ channelId, messageId: message.id, conversationId: conversation.id, duplicate, ...(held !== undefined ? { held } : {}) }, duplicate ? 'inbound duplicate' : 'inbound stored')
  return { messageId: message.id, conversationId: conversation.id, duplicate }
}
