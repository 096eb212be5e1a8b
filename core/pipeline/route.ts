import { routeConversation } from '../routing/index.js'
import type { RouteJob } from '../queue/jobs.js'
import type { HubServices } from '../services.js'
import { advance, startTurn } from './turn.js'

/**
 * For a new inbound message: reads it and its conversation once, then runs the hub's route
 * steps over that turn (translation, the welcome, the FAQ robot, routing, an away or busy reply, delivery to
 * agents, the mood check). It is marked routed last, so recovery redoes the job after a crash
 * (the automatic steps act once each). For a conversation handed back or transferred: route it.
 */
export async function routeJob (s: HubServices, job: RouteJob): Promise<void> {
  if (job.conversationId !== undefined) return await routeConversation(s, job.conversationId)
  if (job.messageId === undefined) return
  const message = await s.store.getMessage(job.messageId)
  if (message === null || message.routed) return
  const conversation = await s.store.getConversation(message.conversationId)
  // Its conversation is gone (erased meanwhile): nothing to route, and nothing for recovery to retry.
  if (conversation === null) return await s.store.markRouted(message.id)
  let turn = startTurn(s, message, conversation)
  for (const step of s.routeSteps) {
    try {
      turn = advance(turn, await step.run(s, turn))
    } catch (err) {
      if (!step.bestEffort) throw err
      s.logger.warn({ messageId: message.id, step: step.name, err: { message: (err as Error).message } }, 'automatic step failed')
      // It may have changed the conversation before it failed: the next steps start from what the store holds.
      turn = advance(turn, { conversation: await s.store.getConversation(conversation.id) ?? turn.conversation })
    }
  }
  await s.store.markRouted(message.id)
}
