import { conversationAudience } from '../events/index.js'
import type { RouteStep } from './turn.js'

/**
 * Tells agents (every hub process's WebSockets) of a new message. The event stream is the
 * delivery: durable and replayable in scale-out mode, so no queue job stands in front of it
 * (a second BullMQ hop cost ~150 ms at p99 and bought no safety the route job lacks).
 * It runs after routing: the assignee decides who may hear of it.
 */
export const deliveryStep: RouteStep = {
  name: 'deliver',
  bestEffort: false,
  async run (s, { message, conversation }) {
    const audience = conversationAudience(conversation)
    await s.bus.publish({ type: 'message.created', conversationId: conversation.id, message, audience })
    await s.bus.publish({ type: 'conversation.updated', conversationId: conversation.id, conversation, audience })
    return undefined
  }
}
