import { isOpen } from '../hours.js'
import type { Agent, Contact, Conversation, Message } from '../model/index.js'
import { fillPlaceholders } from '../phrases/index.js'
import { sendAutomated } from './automated.js'
import type { Channel, HubServices } from '../services.js'
import type { RouteStep, TurnChange } from './turn.js'

const KV = 'auto-replies'

/** Whether a person replied (not the robot, not an automatic reply) within the last `minutes`. */
async function humanAnsweredWithin (s: HubServices, conversationId: string, minutes: number): Promise<boolean> {
  if (minutes <= 0) return false
  const since = new Date(s.clock().getTime() - minutes * 60_000)
  const { items } = await s.store.listMessages(conversationId, { since, limit: 200 })
  return items.some(m => m.direction === 'outbound' && m.author.type === 'agent')
}

/**
 * At most once per conversation per period: a bucket key decides between concurrent route jobs
 * (exactly one sets it), and the last time sent keeps two buckets' edges a whole period apart.
 */
async function once (s: HubServices, key: string, periodHours: number): Promise<boolean> {
  const now = s.clock().getTime()
  const periodMs = periodHours * 3_600_000
  const last = Number(await s.store.kvGet(KV, `${key}:last`) ?? 0)
  if (now - last < periodMs) return false
  if (!await s.store.kvSetIfAbsent(KV, `${key}:${Math.floor(now / periodMs)}`, '1')) return false
  await s.store.kvSet(KV, `${key}:last`, String(now))
  return true
}

async function send (s: HubServices, conversation: Conversation, channel: Channel, contact: () => Promise<Contact | null>, kind: string, template: string | undefined, agent: Pick<Agent, 'name'> | null = null): Promise<boolean> {
  if (template === undefined || !await once(s, `${kind}:${conversation.id}`, channel.autoReplies.periodHours)) return false
  return await sendAutomated(s, conversation, { kind, text: fillPlaceholders(template, { contact: await contact(), agent }) }) !== null
}

/** A step that sent a reply hands on the conversation as that reply left it. */
const afterSent = async (s: HubServices, sent: boolean, conversation: Conversation): Promise<TurnChange | undefined> =>
  sent ? { conversation: await s.store.getConversation(conversation.id) ?? conversation } : undefined

/** Whether this is the conversation's first customer message. */
async function opensConversation (s: HubServices, message: Message): Promise<boolean> {
  const { items } = await s.store.listMessages(message.conversationId, { limit: 20 })
  return items.find(m => m.direction === 'inbound')?.id === message.id
}

/**
 * Before the robot and routing: the team's welcome on a new conversation, or the first-message
 * reply on the first message of a period. Never for automated mail (those are notes, not
 * inbound), never while a person answered in the last few minutes.
 */
export const greetStep: RouteStep = {
  name: 'greet',
  bestEffort: true,
  async run (s, { message, conversation, channel, contact }) {
    if (message.direction !== 'inbound' || channel === undefined || conversation.status === 'closed') return undefined
    const { welcome, firstMessage, quietMinutes } = channel.autoReplies
    if (welcome === undefined && firstMessage === undefined) return undefined
    if (await humanAnsweredWithin(s, conversation.id, quietMinutes)) return undefined
    // The welcome stands for the period's first-message reply too: a new customer gets one greeting
    // (the store-entry welcome they saw before writing is that greeting).
    const sawWelcome = message.extras?.welcome !== undefined
    const welcomed = sawWelcome || (await opensConversation(s, message) && await send(s, conversation, channel, contact, 'welcome', welcome))
    if (welcomed) await once(s, `first_message:${conversation.id}`, channel.autoReplies.periodHours)
    return await afterSent(s, welcomed ? !sawWelcome : await send(s, conversation, channel, contact, 'first_message', firstMessage), conversation)
  }
}

/**
 * After routing: away outside business hours or when nobody of the team is online; busy when
 * the assignee is busy or every agent is at capacity. Not while the robot holds the conversation.
 */
export const awayOrBusyStep: RouteStep = {
  name: 'away_or_busy',
  bestEffort: true,
  async run (s, { message, conversation, channel, contact }) {
    if (message.direction !== 'inbound' || channel === undefined || conversation.status === 'closed' || conversation.status === 'bot') return undefined
    const { away, busy, businessHours, quietMinutes } = channel.autoReplies
    if (away === undefined && busy === undefined) return undefined
    const waitsForNobody = conversation.queueReason === 'no_agent_online' || conversation.queueReason === 'team_offline'
    const isAway = !isOpen(businessHours, s.clock()) || (conversation.status === 'unassigned' && waitsForNobody)
    const assignee = conversation.assigneeId === null || isAway ? null : await s.store.getAgent(conversation.assigneeId)
    const isBusy = assignee?.status === 'busy' || (conversation.status === 'unassigned' && conversation.queueReason === 'all_at_capacity')
    if (!isAway && !isBusy) return undefined
    if (await humanAnsweredWithin(s, conversation.id, quietMinutes)) return undefined
    const sent = isAway ? await send(s, conversation, channel, contact, 'away', away) : await send(s, conversation, channel, contact, 'busy', busy, assignee)
    return await afterSent(s, sent, conversation)
  }
}

/** An agent given a conversation greets the customer with their own welcome, once per conversation. */
export async function agentWelcome (s: HubServices, conversation: Conversation, agentId: string): Promise<void> {
  const agent = await s.store.getAgent(agentId)
  const channel = s.channels.get(conversation.channelId)
  if (agent?.welcome == null || channel === undefined || conversation.status !== 'assigned') return
  if (await humanAnsweredWithin(s, conversation.id, channel.autoReplies.quietMinutes)) return
  if (!await s.store.kvSetIfAbsent(KV, `agent_welcome:${conversation.id}:${agent.id}`, '1')) return
  await sendAutomated(s, conversation, { kind: 'agent_welcome', text: fillPlaceholders(agent.welcome, { contact: await s.store.getContact(conversation.contactId), agent }) })
}
