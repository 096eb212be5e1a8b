import { seesTeam } from '../agents/permissions.js'
import { HubError, notFound } from '../errors.js'
import type { Agent, Message } from '../model/index.js'
import { ingest } from './ingest.js'
import type { HubServices } from '../services.js'

/**
 * An agent restores a held message: it is stored again as the customer's message, in the
 * conversation it was held in (reopened if closed), and routed as any other. The restored copy's
 * id is `restored:<held id>`, so a second restore (a double click, another agent) stores
 * nothing new; the held note keeps who restored it as which message, and leaves the Spam view.
 */
export async function restoreHeld (s: HubServices, messageId: string, by: Agent): Promise<{ message: Message, conversationId: string }> {
  const note = await s.store.getMessage(messageId)
  const held = note?.extras?.held
  if (note === null || held === undefined || !seesTeam(by, held.team)) throw notFound('held message', messageId)
  if (held.restored !== undefined) throw new HubError('already_restored', `This message was restored already, as ${held.restored.messageId}.`, 409, { messageId: held.restored.messageId })
  const contact = note.author.id === null ? null : await s.store.getContact(note.author.id)
  const identity = contact?.identities.find(i => i.channelId === note.channelId)
  if (contact === null || identity === undefined) throw notFound('contact of held message', messageId)
  if (contact.blocked !== null) throw new HubError('contact_blocked', 'The contact is blocked, so their message would be held again: unblock them first (contact panel).', 409)
  const before = (await s.store.listMessages(note.conversationId, { limit: 200 })).items
  const { held: _held, ...extras } = note.extras!
  const outcome = await ingest(s, note.channelId, {
    externalId: `restored:${note.id}`,
    from: { externalId: identity.externalId },
    text: note.text,
    attachments: note.attachments,
    cards: note.cards,
    sentAt: note.sentAt ?? note.createdAt,
    extras,
    conversationId: note.conversationId
  }, { screen: false, opens: before.every(m => m.extras?.held !== undefined) })
  await s.store.setMessageExtras(note.id, { ...note.extras, held: { ...held, restored: { by: by.id, at: s.clock().toISOString(), messageId: outcome.messageId } } })
  s.logger.info({ messageId: note.id, restoredAs: outcome.messageId, by: by.id }, 'held message restored')
  return { message: (await s.store.getMessage(outcome.messageId))!, conversationId: outcome.conversationId }
}
