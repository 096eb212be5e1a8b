import type { WaitNotice } from '../channels/index.js'
import { conversationAudience } from '../events/index.js'
import type { Agent, AgentStatus, Contact, Conversation, QueueReason } from '../model/index.js'
import type { RouteStep } from '../pipeline/turn.js'
import type { HubServices } from '../services.js'
import { countEvent } from '../reports/index.js'
import { capacityOf, decide } from './decide.js'

const DRAIN_BATCH = 500

/** Tells the customer, when their channel can, where they stand. Best effort: never blocks routing. */
async function notifyCustomer (s: HubServices, conversation: Conversation, notice: WaitNotice): Promise<void> {
  const notify = s.channels.get(conversation.channelId)?.instance.notify
  if (notify === undefined) return
  await notify(conversation, notice).catch(err =>
    s.logger.warn({ conversationId: conversation.id, err: { message: (err as Error).message } }, 'wait notice failed'))
}

/** Announces an assignment to agents and the customer. */
export async function announceAssigned (s: HubServices, conversation: Conversation, agent: Pick<Agent, 'id' | 'name' | 'welcome'>, previous: { assigneeId: string | null, teamId: string | null, queuedAt: Date | null }, reason: 'routed' | 'affinity' | 'transfer' | 'picked'): Promise<void> {
  const audience = conversationAudience(conversation, { teams: [previous.teamId], agents: [previous.assigneeId] })
  await s.bus.publish({ type: 'conversation.assigned', conversationId: conversation.id, conversation, assignee: { id: agent.id, name: agent.name }, previousAssigneeId: previous.assigneeId, reason, audience })
  s.logger.info({ conversationId: conversation.id, agentId: agent.id, reason }, 'conversation assigned')
  await notifyCustomer(s, conversation, { type: 'assigned', agent: { id: agent.id, name: agent.name } })
  // What follows an assignment in this process (the agent's own welcome) is the hub's to compose, not routing's to import.
  for (const listener of s.assignmentListeners) {
    await listener(conversation, agent).catch(err => s.logger.warn({ conversationId: conversation.id, err: { message: (err as Error).message } }, 'after an assignment: a step failed'))
  }
  if (previous.queuedAt !== null) {
    s.queueAnnouncer.changed(previous.teamId, 'left')
    await countEvent(s, conversation, { measure: 'queue_wait', at: s.clock(), agentId: agent.id, value: s.clock().getTime() - previous.queuedAt.getTime() })
  }
}

/** Where routing left a conversation: with an agent, or waiting (and why). */
type Outcome = { conversation: Conversation, agent: Agent } | { conversation: Conversation, agent: null, waitReason: QueueReason }

/** Tries the decision's candidates in order; the store's atomic update decides who really gets it. */
async function tryAssign (s: HubServices, conversation: Conversation, agents: Agent[], contact: () => Promise<Contact | null>): Promise<Outcome> {
  const decision = decide(conversation, await contact(), agents, s.routing, s.config.routing, s.clock())
  for (const { agent, reason } of decision.candidates) {
    const statuses: AgentStatus[] = reason === 'affinity' ? ['online', 'busy'] : ['online']
    const assigned = await s.store.assignConversation(conversation.id, agent.id, { capacity: capacityOf(agent, s.config.routing), onlyIfWaiting: true, statuses }, s.clock())
    if (assigned !== null) {
      s.roster.assigned(agent.id, s.clock())
      await announceAssigned(s, assigned, agent, { assigneeId: null, teamId: conversation.teamId, queuedAt: conversation.queuedAt }, reason)
      return { conversation: assigned, agent }
    }
  }
  const waitReason = decision.waitReason
  // Nobody could take it: it waits (or keeps its place, with the reason brought up to date).
  if (conversation.queuedAt !== null && conversation.queueReason === waitReason) return { conversation, agent: null, waitReason }
  // Places in line follow when conversations began, not which route job ran first.
  const inLine = await s.store.queueConversation(conversation.id, waitReason, conversation.createdAt, s.clock())
  const queued = inLine?.conversation ?? null
  if (inLine !== null && queued !== null && conversation.queuedAt === null) {
    const { position } = inLine
    await s.bus.publish({ type: 'conversation.queued', conversationId: queued.id, conversation: queued, reason: waitReason, position, audience: conversationAudience(queued) })
    s.logger.info({ conversationId: queued.id, reason: waitReason, position }, 'conversation queued')
    await notifyCustomer(s, queued, { type: 'queued', position, reason: waitReason })
    s.queueAnnouncer.changed(queued.teamId, 'joined')
  }
  return { conversation: queued ?? conversation, agent: null, waitReason }
}

const contactOf = (s: HubServices, conversation: Conversation) => async (): Promise<Contact | null> => await s.store.getContact(conversation.contactId)

/** Routes one conversation that waits for an agent (handed back, transferred, reopened). */
export async function routeConversation (s: HubServices, conversationId: string): Promise<void> {
  const conversation = await s.store.getConversation(conversationId)
  if (conversation === null || conversation.status !== 'unassigned') return
  await tryAssign(s, conversation, await s.roster.current(), contactOf(s, conversation))
}

/** The route step: a new customer message's conversation, if it waits for an agent (not the robot's, not assigned). */
export const routingStep: RouteStep = {
  name: 'route',
  bestEffort: false,
  async run (s, { conversation, contact }) {
    if (conversation.status !== 'unassigned') return undefined
    return { conversation: (await tryAssign(s, conversation, await s.roster.current(), contact)).conversation }
  }
}

/**
 * Capacity freed (an agent came online, closed or handed back a conversation, got more
 * capacity): assigns waiting conversations, longest-waiting first. Once one of a team finds no
 * agent, later ones of that team keep waiting behind it, so the queue drains in order.
 */
export async function drainQueue (s: HubServices): Promise<number> {
  const waiting = await s.store.listQueue(DRAIN_BATCH)
  if (waiting.length === 0) return 0
  const agents = await s.store.listAgents()
  /** Teams whose longest-waiting conversation found no agent, and why: the rest of the team waits behind it. */
  const stuck = new Map<string | null, QueueReason>()
  let assigned = 0
  for (const conversation of waiting) {
    const reason = stuck.get(conversation.teamId)
    if (reason !== undefined) {
      if (conversation.queueReason !== reason) await s.store.queueConversation(conversation.id, reason, conversation.createdAt, s.clock())
      continue
    }
    const outcome = await tryAssign(s, conversation, agents, contactOf(s, conversation))
    if (outcome.agent === null) {
      stuck.set(conversation.teamId, outcome.waitReason)
      continue
    }
    assigned++
    // Keep the local view current so the next decision balances load without re-reading.
    const agent = agents.find(a => a.id === outcome.agent.id)!
    agent.activeCount++
    agent.lastRoutedAt = s.clock()
  }
  if (assigned > 0) s.roster.invalidate()
  return assigned
}
