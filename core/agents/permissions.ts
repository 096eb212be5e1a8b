import { HubError, notFound } from '../errors.js'
import type { Agent, AgentRole, Conversation } from '../model/index.js'
import type { AgentStore, InboxStore, Visibility } from '../store/index.js'

const RANK: Record<AgentRole, number> = { agent: 0, supervisor: 1, admin: 2 }

export const atLeast = (agent: Agent, role: AgentRole): boolean => RANK[agent.role] >= RANK[role]

export function requireRole (agent: Agent, role: AgentRole): void {
  if (!atLeast(agent, role)) throw new HubError('forbidden', `This needs the ${role} role; ask an admin if you should have it.`, 403)
}

/** The visibility filter for lists; undefined for admins, who see everything. */
export const visibilityOf = (agent: Agent): Visibility | undefined =>
  agent.role === 'admin' ? undefined : { agentId: agent.id, teams: agent.teams }

/** The teams whose phrases and FAQ entries an agent sees (besides the hub's): their own, or every team for admins. */
export const visibleTeams = (agent: Agent): string[] | 'all' => agent.role === 'admin' ? 'all' : agent.teams

/** Whose figures a supervisor sees: their own and their teams' agents' (admins: everyone's). */
export const oversees = (supervisor: Agent, agent: Pick<Agent, 'id' | 'teams'>): boolean =>
  supervisor.role === 'admin' || agent.id === supervisor.id || agent.teams.some(t => supervisor.teams.includes(t))

/**
 * Who may manage an agent's account (create, change, deactivate, send a sign-in link): admins
 * anyone but themselves for deactivation; supervisors the agents (role agent) of their teams,
 * and only into their teams. Throws forbidden with what to do instead.
 */
export function mayManage (actor: Agent, target: Pick<Agent, 'id' | 'role' | 'teams'> | null, into: { role?: AgentRole, teams?: string[] } = {}): void {
  if (actor.role === 'admin') return
  requireRole(actor, 'supervisor')
  const ownTeams = (teams: string[]): boolean => teams.length > 0 && teams.every(t => actor.teams.includes(t))
  if (target !== null && (target.role !== 'agent' || !target.teams.some(t => actor.teams.includes(t)))) {
    throw new HubError('forbidden', 'Supervisors manage the agents of their own teams; ask an admin for this one.', 403)
  }
  if ((into.role !== undefined && into.role !== 'agent') || (into.teams !== undefined && !ownTeams(into.teams)) || (target === null && into.teams === undefined)) {
    throw new HubError('forbidden', `Supervisors add agents (not supervisors or admins) to their own teams (${actor.teams.join(', ') || 'none'}); ask an admin for anything else.`, 403)
  }
}

/**
 * Whose log a supervisor reads: their teams' agents (and themselves), or one of them; admins
 * everyone's. An agent outside their teams is forbidden.
 */
export async function overseenLog (s: { store: Pick<AgentStore, 'listAgents'> }, supervisor: Agent, agentId: string | undefined): Promise<{ agentId?: string, agentIds?: string[] }> {
  const overseen = supervisor.role === 'admin' ? undefined : (await s.store.listAgents()).filter(a => oversees(supervisor, a)).map(a => a.id)
  if (agentId !== undefined && overseen !== undefined && !overseen.includes(agentId)) {
    throw new HubError('forbidden', 'That agent is not in one of your teams; supervisors see the logs of their own teams.', 403)
  }
  return { ...(agentId !== undefined ? { agentId } : {}), ...(overseen !== undefined ? { agentIds: overseen } : {}) }
}

/** What belongs to a team (null: every agent's) is seen by its agents, and by admins. */
export const seesTeam = (agent: Agent, teamId: string | null): boolean => agent.role === 'admin' || teamId === null || agent.teams.includes(teamId)

/** Agents see their teams' conversations, every-agent ones, and the ones assigned to them. */
export const canSeeConversation = (agent: Agent, c: Conversation): boolean => seesTeam(agent, c.teamId) || c.assigneeId === agent.id

/** A conversation the agent may see; one they may not is as absent as one that does not exist. */
export async function visibleConversation (store: Pick<InboxStore, 'getConversation'>, agent: Agent, id: string): Promise<Conversation> {
  const conversation = await store.getConversation(id)
  if (conversation === null || !canSeeConversation(agent, conversation)) throw notFound('conversation', id)
  return conversation
}
