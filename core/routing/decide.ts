import type { Agent, Contact, Conversation, QueueReason } from '../model/index.js'
import type { RoutingStrategy } from './strategy.js'

export interface RoutingSettings {
  defaultCapacity: number
  affinityHours: number
}

export interface Decision {
  /** Agents to try, in order; the first whose capacity still has room takes it. */
  candidates: Array<{ agent: Agent, reason: 'routed' | 'affinity' }>
  /** Why it must wait if none of them can take it. */
  waitReason: QueueReason
}

export const capacityOf = (agent: Agent, settings: RoutingSettings): number => agent.capacity ?? settings.defaultCapacity

/**
 * Who should take a waiting conversation. Pure: the router applies the decision with atomic
 * store updates, so a stale view can only cost a retry, never exceed a capacity.
 * - The affinity agent (served this contact within the window) if in the team, not offline
 *   (busy agents keep their returning buyers) and below capacity.
 * - Else online agents of the conversation's team below capacity, in the strategy's order.
 */
export function decide (conversation: Conversation, contact: Contact | null, agents: Agent[], strategy: RoutingStrategy, settings: RoutingSettings, now: Date): Decision {
  const team = agents.filter(a => conversation.teamId === null || a.teams.includes(conversation.teamId))
  const hasRoom = (a: Agent): boolean => a.activeCount < capacityOf(a, settings)
  const online = team.filter(a => a.status === 'online')
  const waitReason: QueueReason = !strategy.automatic
    ? 'manual_routing'
    : online.length === 0 ? (conversation.teamId === null ? 'no_agent_online' : 'team_offline') : 'all_at_capacity'
  if (!strategy.automatic) return { candidates: [], waitReason }

  const candidates: Decision['candidates'] = []
  const windowMs = settings.affinityHours * 3_600_000
  if (contact?.lastAgentId != null && contact.lastAgentAt !== null && now.getTime() - new Date(contact.lastAgentAt).getTime() <= windowMs) {
    const previous = team.find(a => a.id === contact.lastAgentId)
    if (previous !== undefined && previous.status !== 'offline' && hasRoom(previous)) candidates.push({ agent: previous, reason: 'affinity' })
  }
  for (const agent of strategy.order(online.filter(hasRoom))) {
    if (agent.id !== candidates[0]?.agent.id) candidates.push({ agent, reason: 'routed' })
  }
  return { candidates, waitReason }
}
