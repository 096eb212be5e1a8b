import { newId } from '../../ids.js'
import type { Agent, SessionEvent, StatusChange, Team } from '../../model/index.js'
import type { AgentPatch, AgentStore, LogFilter, NewAgent, StatusUpdate } from '../agents.js'
import { decodeCursor, pageById, type Page } from '../cursor.js'
import { storeConflict, storeNotFound } from '../errors.js'
import { isDuplicateKey, type Doc, MongoPart } from './connection.js'
import { toAgent, toStatusChange, toTeam } from './docs.js'
import type { Models } from './models.js'

export class MongoAgents extends MongoPart implements AgentStore {
  async createAgent (agent: NewAgent, now: Date): Promise<Agent> {
    try {
      const created = await this.m.Agent.create({ _id: newId(now.getTime()), ...agent, email: agent.email.toLowerCase(), slots: [], createdAt: now })
      return toAgent(created.toObject() as Doc)
    } catch (err) {
      if (isDuplicateKey(err)) throw storeConflict('agent_exists', agent.email)
      throw err
    }
  }

  async findAgentByTokenHash (tokenHash: string): Promise<Agent | null> {
    const d = await this.m.Agent.findOne({ tokenHash }).lean() as Doc | null
    return d === null ? null : toAgent(d)
  }

  async ensureAgentWithToken (agent: NewAgent, now: Date): Promise<Agent> {
    const existing = await this.findAgentByTokenHash(agent.tokenHash)
    if (existing !== null) return existing
    const updated = await this.m.Agent.findOneAndUpdate({ email: agent.email.toLowerCase() }, { $set: { tokenHash: agent.tokenHash } }, { returnDocument: 'after', lean: true }) as Doc | null
    if (updated !== null) return toAgent(updated)
    try {
      return await this.createAgent(agent, now)
    } catch (err) {
      // A hub and its workers starting together on one database: another process created it first.
      if ((err as { code?: string }).code !== 'agent_exists') throw err
      return await this.ensureAgentWithToken(agent, now)
    }
  }

  async getAgent (id: string): Promise<Agent | null> {
    const d = await this.m.Agent.findById(id).lean() as Doc | null
    return d === null ? null : toAgent(d)
  }

  async listAgents (): Promise<Agent[]> {
    return (await this.m.Agent.find().sort({ name: 1, _id: 1 }).lean() as Doc[]).map(toAgent)
  }

  async updateAgent (id: string, patch: AgentPatch): Promise<Agent> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
    const d = await this.m.Agent.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw storeNotFound('agent', id)
    return toAgent(d)
  }

  async rotateAgentToken (id: string, tokenHash: string): Promise<void> {
    const r = await this.m.Agent.updateOne({ _id: id }, { $set: { tokenHash } })
    if (r.matchedCount === 0) throw storeNotFound('agent', id)
  }

  async setAgentStatus (id: string, update: StatusUpdate, now: Date): Promise<Agent | null> {
    const set: Doc = { status: update.status, statusChangedAt: now }
    if (update.source === 'api') Object.assign(set, { lastActiveAt: now, lastSeenAt: now })
    // The change and its log entry in one transaction; standalone, a crash between them leaves the change unlogged.
    return await this.db.atomically(async () => {
      const d = await this.m.Agent.findOneAndUpdate({ _id: id, status: { $in: update.from ?? ['online', 'busy', 'offline'] } }, { $set: set }, { returnDocument: 'after', lean: true }) as Doc | null
      if (d === null) {
        if (await this.m.Agent.exists({ _id: id }) === null) throw storeNotFound('agent', id)
        return null
      }
      this.db.wrote()
      await this.m.StatusChange.create({ _id: newId(now.getTime()), agentId: id, status: update.status, at: now, source: update.source, ip: update.ip ?? null, userAgent: update.userAgent ?? null })
      this.db.wrote()
      return toAgent(d)
    })
  }

  async touchAgents (ids: string[], now: Date): Promise<void> {
    if (ids.length > 0) await this.m.Agent.updateMany({ _id: { $in: ids } }, { $set: { lastSeenAt: now } })
  }

  async markAgentActive (id: string, now: Date, options: { replied?: boolean } = {}): Promise<void> {
    await this.m.Agent.updateOne({ _id: id }, { $set: { lastSeenAt: now, lastActiveAt: now, ...(options.replied === true ? { lastReplyAt: now } : {}) } })
  }

  async recordSessionEvent (event: Omit<SessionEvent, 'id'>): Promise<SessionEvent> {
    const id = newId(event.at.getTime())
    await this.m.SessionEvent.create({ _id: id, ...event })
    return { id, ...event }
  }

  async listSessionLog (filter: LogFilter, options: { cursor?: string, limit: number }): Promise<Page<SessionEvent>> {
    return await this.#newestFirst(this.m.SessionEvent, filter, options, d => ({ id: d._id, agentId: d.agentId, event: d.event, method: d.method ?? null, at: d.at, ip: d.ip ?? null, userAgent: d.userAgent ?? null }))
  }

  async listStatusLog (filter: LogFilter, options: { cursor?: string, limit: number }): Promise<Page<StatusChange>> {
    return await this.#newestFirst(this.m.StatusChange, filter, options, toStatusChange)
  }

  /** An agent log (status changes, sign-ins), newest first, of one agent or some, paged by id. */
  async #newestFirst<T extends { id: string }> (model: Models['StatusChange'] | Models['SessionEvent'], filter: LogFilter, options: { cursor?: string, limit: number }, map: (doc: Doc) => T): Promise<Page<T>> {
    const query: Doc = {}
    const agents = filter.agentId !== undefined ? [filter.agentId].filter(id => filter.agentIds?.includes(id) ?? true) : filter.agentIds
    if (agents !== undefined) query.agentId = { $in: agents }
    if (options.cursor !== undefined) query._id = { $lt: String(decodeCursor(options.cursor, 1)[0]) }
    const docs = await (model as Models['StatusChange']).find(query).sort({ _id: -1 }).limit(options.limit + 1).lean() as Doc[]
    return pageById(docs, options.limit, map)
  }

  async createTeam (team: { id: string, name: string }, now: Date): Promise<Team> {
    try {
      const created = await this.m.Team.create({ _id: team.id, name: team.name, createdAt: now })
      return toTeam(created.toObject() as Doc)
    } catch (err) {
      if (isDuplicateKey(err)) throw storeConflict('team_exists', team.id)
      throw err
    }
  }

  async getTeam (id: string): Promise<Team | null> {
    const d = await this.m.Team.findById(id).lean() as Doc | null
    return d === null ? null : toTeam(d)
  }

  async listTeams (): Promise<Team[]> {
    return (await this.m.Team.find().sort({ _id: 1 }).lean() as Doc[]).map(toTeam)
  }

  async updateTeam (id: string, patch: { name: string }): Promise<Team> {
    const d = await this.m.Team.findOneAndUpdate({ _id: id }, { $set: { name: patch.name } }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw storeNotFound('team', id)
    return toTeam(d)
  }
}
