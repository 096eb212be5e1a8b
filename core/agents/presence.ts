import { conversationAudience } from '../events/index.js'
import type { Agent } from '../model/index.js'
import { enqueueDrain, enqueueRouteConversation } from '../queue/jobs.js'
import type { HubServices } from '../services.js'
import type { StatusUpdate } from '../store/index.js'

/** Conversations left unassigned and not waiting this long lost their route job: route them again. */
const ORPHAN_AFTER_MS = 60_000

/**
 * Sets an agent's status with its routing consequences: `offline` hands their open
 * conversations back to routing at once; `online` lets waiting conversations reach them.
 * Null when nothing changed (`from` did not match).
 */
export async function changeStatus (s: HubServices, agentId: string, update: StatusUpdate): Promise<Agent | null> {
  const agent = await s.store.setAgentStatus(agentId, update, s.clock())
  if (agent === null) return null
  s.logger.info({ agentId, status: agent.status, source: update.source }, 'agent status')
  await s.bus.publish({ type: 'agent.status', agentId, status: agent.status, at: agent.statusChangedAt!, audience: { teams: agent.teams.length > 0 ? agent.teams : 'all', agents: [agentId], supervisorsOnly: true } })
  if (agent.status === 'offline') await handBack(s, agent)
  if (agent.status === 'online') await enqueueDrain(s)
  return agent
}

/** Unassigns every open conversation of an agent and routes each again. */
export async function handBack (s: HubServices, agent: Agent): Promise<void> {
  for (const conversation of await s.store.listAssigned(agent.id)) {
    const unassigned = await s.store.unassignConversation(conversation.id, s.clock())
    await s.bus.publish({ type: 'conversation.updated', conversationId: unassigned.id, conversation: unassigned, audience: conversationAudience(unassigned, { agents: [agent.id] }) })
    await enqueueRouteConversation(s, unassigned.id)
  }
}

/**
 * Periodic: agents with no live connection past the grace period go offline; online agents
 * idle past autoBusyAfterMs go busy; lost routings are redone; the queue gets a drain.
 */
export async function sweepPresence (s: HubServices): Promise<void> {
  const now = s.clock().getTime()
  const { graceMs, autoBusyAfterMs } = s.config.presence
  for (const agent of await s.store.listAgents()) {
    if (agent.status === 'offline') continue
    const seen = Math.max(agent.lastSeenAt?.getTime() ?? 0, agent.statusChangedAt?.getTime() ?? 0)
    if (now - seen > graceMs) {
      await changeStatus(s, agent.id, { status: 'offline', source: 'disconnect', from: [agent.status] })
      continue
    }
    const active = Math.max(agent.lastActiveAt?.getTime() ?? 0, agent.statusChangedAt?.getTime() ?? 0)
    if (autoBusyAfterMs > 0 && agent.status === 'online' && now - active > autoBusyAfterMs) {
      await changeStatus(s, agent.id, { status: 'busy', source: 'idle', from: ['online'] })
    }
  }
  const { items } = await s.store.listConversations({ status: 'unassigned', assigneeId: null }, { limit: 100 })
  for (const c of items) {
    if (c.queuedAt === null && now - c.updatedAt.getTime() > ORPHAN_AFTER_MS) await enqueueRouteConversation(s, c.id)
  }
  await enqueueDrain(s)
}
