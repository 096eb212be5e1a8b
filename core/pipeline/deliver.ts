import { conversationAudience } from '../events/index.js'
import type { MessageJob } from './jobs.js'
import type { HubServices } from './services.js'

/** Tells agents (every hub process's WebSockets) of a new inbound message. */
export async function deliverJob (s: HubServices, { messageId }: MessageJob): Promise<void> {
  const message = await s.store.getMessage(messageId)
  if (message === null) return
  const conversation = await s.store.getConversation(message.conversationId)
  if (conversation === null) return
  const audience = conversationAudience(conversation)
  await s.bus.publish({ type: 'message.created', conversationId: conversation.id, message, audience })
  await s.bus.publish({ type: 'conversation.updated', conversationId: conversation.id, conversation, audience })
}
