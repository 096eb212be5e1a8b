import { closeAs } from './conversation-actions.js'
import { sendAutomated } from './automated.js'
import type { HubServices } from '../services.js'

const KV = 'auto-close'
/** Looked at per sweep: the longest-quiet conversations wait for the next one. */
const PER_SWEEP = 200
/** A customer writing within this long after an auto-close reopens that conversation; later, a new one. */
const REOPEN_DAYS = 7

const reopenKey = (channelId: string, externalId: string): string => `reopen:${channelId}:${externalId}`

/**
 * Auto-close: a conversation whose customer stayed silent for its rule's minutes after a
 * person's reply is closed (the closing message first, where there is one). Every process
 * sweeps; claiming the conversation's quiet spell in the store lets one of them close it.
 */
export async function sweepAutoClose (s: HubServices): Promise<number> {
  const shortest = s.rules.shortestAutoClose()
  if (shortest === null) return 0
  const now = s.clock().getTime()
  const quiet = (await s.store.listConversations({ repliedBefore: new Date(now - shortest * 60_000) }, { limit: PER_SWEEP })).items
  let closed = 0
  for (const conversation of quiet) {
    const rule = s.rules.autoCloseFor(conversation.channelId, conversation.teamId)
    if (rule === null || now - conversation.lastActivityAt.getTime() < rule.afterMinutes * 60_000) continue
    if (!await s.store.kvSetIfAbsent(KV, `${conversation.id}:${conversation.lastActivityAt.getTime()}`, String(now))) continue
    if (rule.message !== null) await sendAutomated(s, conversation, { kind: 'auto_close', text: rule.message })
    await closeAs(s, conversation, null)
    const contact = await s.store.getContact(conversation.contactId)
    const identity = contact?.identities.find(i => i.channelId === conversation.channelId)
    if (identity !== undefined) {
      await s.store.kvSet(KV, reopenKey(identity.channelId, identity.externalId), JSON.stringify({ conversationId: conversation.id, until: now + REOPEN_DAYS * 86_400_000 }))
    }
    closed++
  }
  return closed
}

/**
 * The auto-closed conversation a customer's new message reopens (the store reopens it, and
 * routing's affinity brings back the agent), or undefined. Read only while some rule auto-closes.
 */
export async function reopenedByCustomer (s: HubServices, channelId: string, externalId: string): Promise<string | undefined> {
  if (s.rules.shortestAutoClose() === null) return undefined
  const raw = await s.store.kvTake(KV, reopenKey(channelId, externalId))
  if (raw === null) return undefined
  const { conversationId, until } = JSON.parse(raw) as { conversationId: string, until: number }
  return until > s.clock().getTime() ? conversationId : undefined
}
