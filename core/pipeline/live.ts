import { visibleConversation } from '../agents/permissions.js'
import type { ChannelInstance } from '../channels/index.js'
import { conversationAudience } from '../events/index.js'
import type { Agent, Conversation } from '../model/index.js'
import { capacityOf } from '../routing/decide.js'
import type { HubServices } from '../services.js'

/**
 * What agent and customer see of each other while they talk: typing and reading. Best effort:
 * a channel that cannot show it (or fails to) never fails the agent's request.
 */
async function tellChannel (s: HubServices, conversation: Conversation, what: string, call: (instance: ChannelInstance) => Promise<void> | undefined): Promise<void> {
  const channel = s.channels.get(conversation.channelId)
  if (channel === undefined) return
  await call(channel.instance)?.catch(err =>
    s.logger.warn({ conversationId: conversation.id, err: { message: (err as Error).message } }, `${what} not shown to the customer`))
}

/** The agent started or stopped typing: the customer sees it where the channel can show it. */
export async function agentTyping (s: HubServices, agent: Agent, conversationId: string, on: boolean): Promise<void> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  if (conversation.status === 'closed') return
  const contact = await s.store.getContact(conversation.contactId)
  if (contact === null) return
  await tellChannel(s, conversation, 'typing', instance => instance.typing?.(conversation, contact, on))
}

/** The agent read the conversation: unread goes to zero for everyone, and the customer may see "Seen". */
export async function markRead (s: HubServices, agent: Agent, conversationId: string): Promise<Conversation> {
  await visibleConversation(s.store, agent, conversationId)
  const now = s.clock()
  const conversation = await s.store.markConversationRead(conversationId, now)
  await s.bus.publish({ type: 'conversation.updated', conversationId, conversation, audience: conversationAudience(conversation) })
  await tellChannel(s, conversation, 'read state', instance => instance.read?.(conversation, now))
  return conversation
}

/** The customer is typing in one of the channel's conversations: its agents see it. */
export async function customerTyping (s: HubServices, channelId: string, conversationId: string, on: boolean): Promise<void> {
  const conversation = await s.store.getConversation(conversationId)
  if (conversation === null || conversation.channelId !== channelId || conversation.status === 'closed') return
  await s.bus.publish({ type: 'conversation.typing', conversationId, by: 'contact', on, audience: conversationAudience(conversation) })
}

/** Agents of the channel's team (every agent when it has none) who are online now. */
export async function agentsOnline (s: HubServices, channelId: string): Promise<{ online: number, free: number }> {
  const team = s.channels.get(channelId)?.team ?? null
  const online = (await s.store.listAgents()).filter(a => a.status === 'online' && a.deactivatedAt === null && (team === null || a.teams.includes(team)))
  return { online: online.length, free: online.filter(a => a.activeCount < capacityOf(a, s.config.routing)).length }
}
