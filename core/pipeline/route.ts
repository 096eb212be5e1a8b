import { routeConversation } from '../routing/index.js'
import { deliverToAgents } from './deliver-to-agents.js'
import { checkMood } from './mood-alert.js'
import { awayOrBusy, greet } from './auto-replies.js'
import { robotTurn } from '../faq/index.js'
import { translateInbound } from '../translation/index.js'
import type { RouteJob } from './jobs.js'
import type { HubServices } from './services.js'

/**
 * For a new inbound message: the welcome, the FAQ robot's turn (it may keep the conversation),
 * routing if it waits for an agent, an away or busy reply, then delivery to agents (assignment
 * first, so it reaches the right audience); it is marked routed last, so recovery redoes the
 * job after a crash (the automatic steps act once each). For a conversation handed back or transferred: route it.
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
  // Automatic replies are best effort: a customer's message reaches agents whatever happens to them.
  const bestEffort = (step: string) => (err: unknown) => s.logger.warn({ messageId: message.id, step, err: { message: (err as Error).message } }, 'automatic step failed')
  await greet(s, message).catch(bestEffort('greet'))
  await robotTurn(s, message).catch(bestEffort('robot'))
  await routeConversation(s, message.conversationId)
  await awayOrBusy(s, message).catch(bestEffort('away_or_busy'))
  await deliverToAgents(s, message)
  // Best effort: a failed reading must not route and deliver the message twice.
  await checkMood(s, message).catch(bestEffort('mood'))
  await s.store.markRouted(message.id)
}
