import type { Agent, AgentLocale, AgentRole, AgentStatus, NotificationPreferences, SessionEvent, StatusChange, Team } from '../model/index.js'
import type { Page } from './cursor.js'

/**
 * Agents, their status log, and teams. An email names one agent and a token hash finds one
 * (agent_exists otherwise); a team id is unique (team_exists). An agent's open count is the
 * inbox's to keep (InboxStore rule 4): nothing here writes it.
 */
export interface AgentStore {
  createAgent (agent: NewAgent, now: Date): Promise<Agent>
  findAgentByTokenHash (tokenHash: string): Promise<Agent | null>
  /** Creates the agent unless one with this token already exists (the env-provided admin). */
  ensureAgentWithToken (agent: NewAgent, now: Date): Promise<Agent>
  getAgent (id: string): Promise<Agent | null>
  listAgents (): Promise<Agent[]>
  updateAgent (id: string, patch: AgentPatch): Promise<Agent>
  rotateAgentToken (id: string, tokenHash: string): Promise<void>
  /** Changes status and logs it; null when `from` did not match and nothing changed. */
  setAgentStatus (id: string, update: StatusUpdate, now: Date): Promise<Agent | null>
  /** Marks agents with a live connection as seen. */
  touchAgents (ids: string[], now: Date): Promise<void>
  /** The agent did something: they are seen and active; `replied`: it was a reply to a customer. */
  markAgentActive (id: string, now: Date, options?: { replied?: boolean }): Promise<void>
  /** Newest first; only these agents' changes when `agentIds` is given (a supervisor's teams). */
  listStatusLog (filter: LogFilter, options: { cursor?: string, limit: number }): Promise<Page<StatusChange>>

  /** Keeps a sign-in or sign-out. */
  recordSessionEvent (event: Omit<SessionEvent, 'id'>): Promise<SessionEvent>
  /** Newest first; only these agents' when `agentIds` is given (a supervisor's teams). */
  listSessionLog (filter: LogFilter, options: { cursor?: string, limit: number }): Promise<Page<SessionEvent>>

  createTeam (team: { id: string, name: string }, now: Date): Promise<Team>
  getTeam (id: string): Promise<Team | null>
  listTeams (): Promise<Team[]>
  updateTeam (id: string, patch: { name: string }): Promise<Team>
}

/** Whose log: one agent, or only these (a supervisor's teams), or both (nothing when the one is not among them). */
export interface LogFilter {
  agentId?: string
  agentIds?: string[]
}

export interface NewAgent {
  name: string
  email: string
  role: AgentRole
  teams: string[]
  tokenHash: string
  capacity?: number | null
}

export interface AgentPatch {
  name?: string
  role?: AgentRole
  teams?: string[]
  capacity?: number | null
  locale?: AgentLocale | null
  welcome?: string | null
  signature?: string | null
  deactivatedAt?: Date | null
  notifications?: NotificationPreferences
}

export interface StatusUpdate {
  status: AgentStatus
  source: StatusChange['source']
  ip?: string | null
  userAgent?: string | null
  /** Change only from one of these statuses (a sweep must not undo what the agent just did). */
  from?: AgentStatus[]
}
