import { routeConversation } from '../routing/index.js'
import { deliverToAgents } from './deliver-to-agents.js'
import { checkMood } from './mood-alert.js'
import { translateInbound } from '../translation/index.js'
import type { RouteJob } from './jobs.js'
import type { HubServices } from './services.js'

/**
 * For a new inbound message: route its conversation if it waits for an agent, then deliver it
 * to agents (assignment first, so it reaches the right audience); it is marked routed last, so
 * recovery redoes the whole job after a crash. For a conversation handed back or transferred: route it.
 */
export async function routeJob (s: HubServices, job: RouteJob): Promise<void> {
  if (job.conversationId !== undefined) return await routeConversation(s, job.conversationId)
  if (job.messageId === undefined) return
  const stored = await s.store.getMessage(job.messageId)
  if (stored === null || stored.routed) return
  // Agents see it in their language where the conversation has translation on; without it if that fails.
  const message = await translateInbound(s, stored).catch(err => {
    s.logger.warn({ messageId: stored.id, err: { message: (err as Error).message } }, 'inbound not translated')
    return stored
  })
  await routeConversation(s, message.conversationId)
  await deliverToAgents(s, message)
  // Best effort: a failed reading must not route and deliver the message twice.
  await checkMood(s, message).catch(err => s.logger.warn({ messageId: message.id, err: { message: (err as Error).message } }, 'mood not read'))
  await s.store.markRouted(message.id)
}
