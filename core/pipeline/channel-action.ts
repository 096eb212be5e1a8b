import { visibleConversation } from '../agents/permissions.js'
import type { TemplateOffer } from '../channels/index.js'
import { ChannelSendError, HubError } from '../errors.js'
import type { Agent, Conversation } from '../model/index.js'
import type { HubServices } from '../services.js'

/** What the channel's remote refused, as the 502 an agent reads: its code and sentence. */
function refused (channelId: string, err: unknown): HubError {
  const error = err instanceof ChannelSendError ? err : new ChannelSendError('channel_failed', `${channelId} failed unexpectedly; try again, or ask an admin to check the channel.`, { retryable: true, cause: err })
  return new HubError(error.code, error.message, 502)
}

/**
 * An agent asks the conversation's channel to act (Messenger: take the thread from another app).
 * The channel's refusal is a 502 with its code and sentence; the conversation as it is after.
 */
export async function channelAction (s: HubServices, agent: Agent, conversationId: string, action: string): Promise<Conversation> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  const channel = s.channels.get(conversation.channelId)
  const run = channel?.instance.actions?.[action]
  if (run === undefined) {
    const known = Object.keys(channel?.instance.actions ?? {})
    throw new HubError('unknown_action', `${conversation.channelId} has no action "${action}"${known.length > 0 ? `; it has: ${known.join(', ')}` : ''}.`, 404)
  }
  const contact = await s.store.getContact(conversation.contactId)
  if (contact === null) throw new HubError('conversation_missing', 'The contact of this conversation no longer exists.', 409)
  try {
    await run(conversation, contact)
  } catch (err) {
    const error = refused(conversation.channelId, err)
    s.logger.warn({ conversationId, action, code: error.code }, 'channel action failed')
    throw error
  }
  s.logger.info({ conversationId, action, agentId: agent.id }, 'channel action')
  return (await s.store.getConversation(conversationId)) ?? conversation
}

/** The templates the conversation's channel offers (none on channels without templates). */
export async function channelTemplates (s: HubServices, agent: Agent, conversationId: string, refresh: boolean): Promise<TemplateOffer[]> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  const templates = s.channels.get(conversation.channelId)?.instance.templates
  if (templates === undefined) return []
  try {
    return await templates.list(refresh)
  } catch (err) {
    throw refused(conversation.channelId, err)
  }
}
