import { conversationAudience } from '../events/index.js'
import type { Message } from '../model/index.js'
import type { HubServices } from './services.js'

/**
 * Tells agents (every hub process's WebSockets) of a new message. The event stream is the
 * delivery: durable and replayable in scale-out mode, so no queue job stands in front of it
 * (a second BullMQ hop cost ~150 ms at p99 and bought no safety the route job lacks).
 */
export async function deliverToAgents (s: HubServices, message: Message): Promise<void> {
  // Read after routing: the assignee decides who may hear of it.
  const conversation = await s.store.getConversation(message.conversationId)
  if (conversation === null) return
  const audience = conversationAudience(conversation)
  await s.bus.publish({ type: 'message.created', conversationId: conversation.id, message, audience })
  await s.bus.publish({ type: 'conversation.updated', conversationId: conversation.id, conversation, audience })
}
