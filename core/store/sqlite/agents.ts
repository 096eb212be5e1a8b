import { newId } from '../../ids.js'
import type { Agent, SessionEvent, StatusChange, Team } from '../../model/index.js'
import type { AgentPatch, AgentStore, LogFilter, NewAgent, StatusUpdate } from '../agents.js'
import { decodeCursor, pageById, type Page } from '../cursor.js'
import { storeConflict, storeNotFound } from '../errors.js'
import { isUniqueViolation, SqlitePart } from './connection.js'
import { toAgent, toSessionEvent, toStatusChange, toTeam, type AgentRow, type SessionRow, type StatusLogRow, type TeamRow } from './rows.js'

export class SqliteAgents extends SqlitePart implements AgentStore {
  async createAgent (agent: NewAgent, now: Date): Promise<Agent> {
    const id = newId(now.getTime())
    try {
      this.db.sql('INSERT INTO agents (id, name, email, role, teams, token_hash, capacity, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, agent.name, agent.email.toLowerCase(), agent.role, JSON.stringify(agent.teams), agent.tokenHash, agent.capacity ?? null, now.getTime())
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw storeConflict('agent_exists', agent.email)
      }
      throw err
    }
    return toAgent(this.db.sql('SELECT * FROM agents WHERE id = ?').get(id) as AgentRow)
  }

  async findAgentByTokenHash (tokenHash: string): Promise<Agent | null> {
    const row = this.db.sql('SELECT * FROM agents WHERE token_hash = ?').get(tokenHash) as AgentRow | undefined
    return row === undefined ? null : toAgent(row)
  }

  async ensureAgentWithToken (agent: NewAgent, now: Date): Promise<Agent> {
    const existing = await this.findAgentByTokenHash(agent.tokenHash)
    if (existing !== null) return existing
    const updated = this.db.sql('UPDATE agents SET token_hash = ? WHERE email = ?').run(agent.tokenHash, agent.email.toLowerCase())
    if (updated.changes > 0) return (await this.findAgentByTokenHash(agent.tokenHash))!
    try {
      return await this.createAgent(agent, now)
    } catch (err) {
      // A hub and its workers starting together on one database: another process created it first.
      if ((err as { code?: string }).code !== 'agent_exists') throw err
      return await this.ensureAgentWithToken(agent, now)
    }
  }

  async getAgent (id: string): Promise<Agent | null> {
    const row = this.db.sql('SELECT * FROM agents WHERE id = ?').get(id) as AgentRow | undefined
    return row === undefined ? null : toAgent(row)
  }

  async listAgents (): Promise<Agent[]> {
    return (this.db.sql('SELECT * FROM agents ORDER BY name, id').all() as AgentRow[]).map(toAgent)
  }

  async updateAgent (id: string, patch: AgentPatch): Promise<Agent> {
    const row = await this.db.write(() => this.db.sql(`UPDATE agents SET name = COALESCE(?, name), role = COALESCE(?, role),
        teams = COALESCE(?, teams), capacity = CASE WHEN ? THEN ? ELSE capacity END, locale = CASE WHEN ? THEN ? ELSE locale END,
        welcome = CASE WHEN ? THEN ? ELSE welcome END, signature = CASE WHEN ? THEN ? ELSE signature END,
        deactivated_at = CASE WHEN ? THEN ? ELSE deactivated_at END, notifications = COALESCE(?, notifications)
        WHERE id = ? RETURNING *`)
      .get(patch.name ?? null, patch.role ?? null, patch.teams !== undefined ? JSON.stringify(patch.teams) : null,
        patch.capacity !== undefined ? 1 : 0, patch.capacity ?? null, patch.locale !== undefined ? 1 : 0, patch.locale ?? null,
        patch.welcome !== undefined ? 1 : 0, patch.welcome ?? null, patch.signature !== undefined ? 1 : 0, patch.signature ?? null,
        patch.deactivatedAt !== undefined ? 1 : 0, patch.deactivatedAt?.getTime() ?? null,
        patch.notifications !== undefined ? JSON.stringify(patch.notifications) : null, id) as AgentRow | undefined)
    if (row === undefined) throw storeNotFound('agent', id)
    return toAgent(row)
  }

  async rotateAgentToken (id: string, tokenHash: string): Promise<void> {
    const changed = await this.db.write(() => this.db.sql('UPDATE agents SET token_hash = ? WHERE id = ?').run(tokenHash, id))
    if (changed.changes === 0) throw storeNotFound('agent', id)
  }

  async setAgentStatus (id: string, update: StatusUpdate, now: Date): Promise<Agent | null> {
    const at = now.getTime()
    return await this.db.write(() => {
      const from = update.from ?? ['online', 'busy', 'offline']
      const row = this.db.sql(`UPDATE agents SET status = ?, status_changed_at = ?,
          last_active_at = CASE WHEN ? = 'api' THEN ? ELSE last_active_at END,
          last_seen_at = CASE WHEN ? = 'api' THEN ? ELSE last_seen_at END
        WHERE id = ? AND status IN (SELECT value FROM json_each(?)) RETURNING *`)
        .get(update.status, at, update.source, at, update.source, at, id, JSON.stringify(from)) as AgentRow | undefined
      if (row === undefined) {
        if (this.db.sql('SELECT 1 FROM agents WHERE id = ?').get(id) === undefined) throw storeNotFound('agent', id)
        return null
      }
      this.db.sql('INSERT INTO agent_status_log (id, agent_id, status, at, source, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(newId(at), id, update.status, at, update.source, update.ip ?? null, update.userAgent ?? null)
      return toAgent(row)
    })
  }

  async touchAgents (ids: string[], now: Date): Promise<void> {
    if (ids.length === 0) return
    await this.db.write(() => this.db.sql('UPDATE agents SET last_seen_at = ? WHERE id IN (SELECT value FROM json_each(?))').run(now.getTime(), JSON.stringify(ids)))
  }

  async markAgentActive (id: string, now: Date, options: { replied?: boolean } = {}): Promise<void> {
    const at = now.getTime()
    await this.db.write(() => this.db.sql('UPDATE agents SET last_seen_at = ?, last_active_at = ?, last_reply_at = CASE WHEN ? THEN ? ELSE last_reply_at END WHERE id = ?')
      .run(at, at, options.replied === true ? 1 : 0, at, id))
  }

  async recordSessionEvent (event: Omit<SessionEvent, 'id'>): Promise<SessionEvent> {
    const id = newId(event.at.getTime())
    await this.db.write(() => this.db.sql('INSERT INTO agent_sessions (id, agent_id, event, method, at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, event.agentId, event.event, event.method, event.at.getTime(), event.ip, event.userAgent))
    return { id, ...event }
  }

  async listSessionLog (filter: LogFilter, options: { cursor?: string, limit: number }): Promise<Page<SessionEvent>> {
    return this.#newestFirst<SessionRow, SessionEvent>('agent_sessions', filter, options, toSessionEvent)
  }

  async listStatusLog (filter: LogFilter, options: { cursor?: string, limit: number }): Promise<Page<StatusChange>> {
    return this.#newestFirst<StatusLogRow, StatusChange>('agent_status_log', filter, options, toStatusChange)
  }

  /** An agent log (status changes, sign-ins), newest first, of one agent or some, paged by id. */
  #newestFirst<R, T extends { id: string }> (table: 'agent_status_log' | 'agent_sessions', filter: LogFilter, options: { cursor?: string, limit: number }, map: (row: R) => T): Page<T> {
    const before = options.cursor !== undefined ? String(decodeCursor(options.cursor, 1)[0]) : '\uffff'
    const agents = filter.agentId !== undefined ? [filter.agentId].filter(id => filter.agentIds?.includes(id) ?? true) : filter.agentIds
    const rows = (agents !== undefined
      ? this.db.sql(`SELECT * FROM ${table} WHERE agent_id IN (SELECT value FROM json_each(?)) AND id < ? ORDER BY id DESC LIMIT ?`).all(JSON.stringify(agents), before, options.limit + 1)
      : this.db.sql(`SELECT * FROM ${table} WHERE id < ? ORDER BY id DESC LIMIT ?`).all(before, options.limit + 1)) as R[]
    return pageById(rows, options.limit, map)
  }

  async createTeam (team: { id: string, name: string }, now: Date): Promise<Team> {
    try {
      return toTeam(await this.db.write(() => this.db.sql('INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?) RETURNING *').get(team.id, team.name, now.getTime()) as TeamRow))
    } catch (err) {
      if (isUniqueViolation(err)) throw storeConflict('team_exists', team.id)
      throw err
    }
  }

  async getTeam (id: string): Promise<Team | null> {
    const row = this.db.sql('SELECT * FROM teams WHERE id = ?').get(id) as TeamRow | undefined
    return row === undefined ? null : toTeam(row)
  }

  async listTeams (): Promise<Team[]> {
    return (this.db.sql('SELECT * FROM teams ORDER BY id').all() as TeamRow[]).map(toTeam)
  }

  async updateTeam (id: string, patch: { name: string }): Promise<Team> {
    const row = await this.db.write(() => this.db.sql('UPDATE teams SET name = ? WHERE id = ? RETURNING *').get(patch.name, id) as TeamRow | undefined)
    if (row === undefined) throw storeNotFound('team', id)
    return toTeam(row)
  }
}
