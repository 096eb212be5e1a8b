import type { ChannelHealth, OutboundReceipt } from '../channels/index.js'
import { conversationAudience } from '../events/index.js'
import type { Contact, MessageAmendment, SuppressionReason } from '../model/index.js'
import { enqueueSend } from '../queue/jobs.js'
import type { HubServices } from '../services.js'

/** A channel's delivery or read receipt: statuses move forward and agents see it. */
export async function applyReceipt (s: HubServices, channelId: string, receipt: OutboundReceipt): Promise<number> {
  const changed = await s.store.advanceOutbound(channelId, receipt, s.clock())
  for (const message of changed) {
    const conversation = await s.store.getConversation(message.conversationId)
    if (conversation !== null) await s.bus.publish({ type: 'message.updated', conversationId: conversation.id, message, audience: conversationAudience(conversation) })
  }
  return changed.length
}

/** The customer edited or reacted to one of this channel's stored messages; agents see the change. False when none has that id. */
export async function amendMessage (s: HubServices, channelId: string, externalId: string, amendment: MessageAmendment): Promise<boolean> {
  const [message] = await s.store.findMessagesByExternalId(channelId, [externalId])
  if (message === undefined) return false
  const amended = await s.store.amendMessage(message.id, amendment, s.clock())
  // A redelivered edit or the same reaction again changes nothing: no event.
  if (amended === null || (amended.text === message.text && JSON.stringify(amended.extras) === JSON.stringify(message.extras))) return true
  const conversation = await s.store.getConversation(message.conversationId)
  if (conversation !== null) await s.bus.publish({ type: 'message.updated', conversationId: conversation.id, message: amended, audience: conversationAudience(conversation) })
  return true
}

/** The channel's own state of a conversation changed (Messenger: another app took the thread); agents see it at once. */
export async function setConversationState (s: HubServices, channelId: string, conversationId: string, patch: Record<string, string | number | boolean | null>): Promise<void> {
  // A channel keeps state on its own conversations only.
  if ((await s.store.getConversation(conversationId))?.channelId !== channelId) return
  const conversation = await s.store.setChannelState(conversationId, patch, s.clock())
  if (conversation !== null) await s.bus.publish({ type: 'conversation.updated', conversationId, conversation, audience: conversationAudience(conversation) })
}

/** How often a message the channel failed with a retryable reason (a rate limit) is sent again. */
const RESENDS = 3

/**
 * The channel says a message it accepted was not delivered after all (a bounce, a failed
 * status). A retryable reason sends it again, up to RESENDS times; otherwise it stays failed.
 */
export async function failOutbound (s: HubServices, channelId: string, externalId: string, failure: { code: string, message: string, retryable?: boolean }): Promise<boolean> {
  const [message] = (await s.store.findMessagesByExternalId(channelId, [externalId])).filter(m => m.direction === 'outbound')
  if (message === undefined) return false
  const failed = await s.store.updateMessageStatus(message.id, { status: 'failed', errorCode: failure.code, errorMessage: failure.message }, s.clock())
  s.logger.warn({ channelId, messageId: message.id, code: failure.code }, 'outbound failed after sending')
  const conversation = await s.store.getConversation(message.conversationId)
  if (conversation !== null) await s.bus.publish({ type: 'message.updated', conversationId: conversation.id, message: failed, audience: conversationAudience(conversation) })
  const resends = message.extras?.resends ?? 0
  if (failure.retryable === true && resends < RESENDS && await s.store.retryMessage(message.id, s.clock()) !== null) {
    await s.store.setMessageExtras(message.id, { ...message.extras, resends: resends + 1 })
    s.logger.info({ channelId, messageId: message.id, code: failure.code, resend: resends + 1 }, 'outbound sent again')
    await enqueueSend(s, message.id)
  }
  return true
}

/**
 * The channel learnt that a conversation's contact must get nothing automatic (a complaint, a
 * bounce, a machine's address), or (null) that their address works again: that lifts a bounce
 * only. A complaint is never downgraded, and stays until a supervisor lifts it.
 */
export async function suppressContact (s: HubServices, channelId: string, conversationId: string, suppression: { reason: SuppressionReason, detail: string | null } | null): Promise<Contact | null> {
  const conversation = await s.store.getConversation(conversationId)
  const contact = conversation === null ? null : await s.store.getContact(conversation.contactId)
  if (contact === null) return null
  if (suppression === null) {
    if (contact.suppression?.reason !== 'undeliverable') return contact
    s.logger.info({ channelId, contactId: contact.id }, 'contact reachable again')
    return await s.store.editContact(contact.id, { suppression: null }, s.clock())
  }
  // Already so (a redelivered report), or a complaint, which nothing weaker replaces.
  if (contact.suppression?.reason === 'complained' || contact.suppression?.reason === suppression.reason) return contact
  s.logger.info({ channelId, contactId: contact.id, reason: suppression.reason }, 'contact suppressed')
  return await s.store.editContact(contact.id, { suppression: { ...suppression, channelId, at: s.clock() } }, s.clock())
}

/** A channel says it works or not; a change is logged, kept for /readyz and told to agents. */
export function reportHealth (s: HubServices, channelId: string, health: ChannelHealth): void {
  const known = s.channelHealth.get(channelId)
  if (health.ok ? known === undefined : known?.code === health.code) return
  if (health.ok) s.channelHealth.delete(channelId)
  else s.channelHealth.set(channelId, { code: health.code, message: health.message, since: s.clock() })
  if (health.ok) s.logger.info({ channelId }, 'channel healthy again')
  else s.logger.error({ channelId, code: health.code }, 'channel unhealthy')
  void s.bus.publish({
    type: 'channel.health', channelId, ok: health.ok, code: health.ok ? null : health.code, message: health.ok ? null : health.message, audience: { teams: 'all', agents: [] }
  }).catch(err => s.logger.warn({ err: { message: (err as Error).message } }, 'channel health event failed'))
}

