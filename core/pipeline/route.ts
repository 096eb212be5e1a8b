import { routeConversation } from '../routing/index.js'
import { enqueueDeliver, type RouteJob } from './jobs.js'
import type { HubServices } from './services.js'

/**
 * For a new inbound message: route its conversation if it waits for an agent, then tell
 * agents (assignment first, so the delivery reaches the right audience). For a conversation
 * handed back or transferred: route it.
 */
export async function routeJob (s: HubServices, job: RouteJob): Promise<void> {
  if (job.conversationId !== undefined) return await routeConversation(s, job.conversationId)
  if (job.messageId === undefined) return
  const message = await s.store.getMessage(job.messageId)
  if (message === null || message.routed) return
  await routeConversation(s, message.conversationId)
  await enqueueDeliver(s, message.id)
  await s.store.markRouted(message.id)
}
