import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { oversees, requireRole } from '../../agents/permissions.js'
import type { HubServices } from '../../services.js'
import { secured } from './common.js'

const Query = Type.Object({ days: Type.Integer({ minimum: 1, maximum: 365, default: 7 }) }, { additionalProperties: false })
const Row = Type.Object({ agentId: Type.String(), name: Type.String(), warned: Type.Integer(), sentAnyway: Type.Integer(), blocked: Type.Integer() })
const KINDS = { attitude_warned: 'warned', attitude_sent_anyway: 'sentAnyway', attitude_blocked: 'blocked' } as const

const DraftBody = Type.Object({ text: Type.String({ maxLength: 100_000 }) }, { additionalProperties: false })

/** Supervisors: how often each of their agents' replies read as abusive, rude or dismissive; every agent: the banned words in a draft. */
export async function attitudeRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  // The reply box asks while the agent types, so the words are marked before a send is refused.
  app.post<{ Body: Static<typeof DraftBody> }>('/guards/banned-words', {
    schema: { tags: ['agents'], summary: 'The banned words (the hub\'s and your teams\') in a draft: what sending it would refuse with 422 banned_words', ...secured, body: DraftBody, response: { 200: Type.Object({ words: Type.Array(Type.String()) }) } }
  }, async request => ({ words: s.guards.bannedWordsIn(request.body.text, request.agent!) }))

  app.get<{ Querystring: Static<typeof Query> }>('/guards/attitude', {
    schema: { tags: ['agents'], summary: 'Supervisors: attitude warnings per agent (their teams\'; admins: everyone\'s) in the last days', ...secured, querystring: Query, response: { 200: Type.Object({ items: Type.Array(Row) }) } }
  }, async request => {
    const me = request.agent!
    requireRole(me, 'supervisor')
    const since = new Date(s.clock().getTime() - request.query.days * 86_400_000)
    const agents = (await s.store.listAgents()).filter(a => oversees(me, a))
    const counts = await s.store.countAgentEvents(since)
    const items = agents.map(a => {
      const row = { agentId: a.id, name: a.name, warned: 0, sentAnyway: 0, blocked: 0 }
      for (const c of counts) if (c.agentId === a.id && c.kind in KINDS) row[KINDS[c.kind as keyof typeof KINDS]] = c.count
      return row
    }).filter(r => r.warned + r.sentAnyway + r.blocked > 0).sort((x, y) => (y.warned + y.blocked) - (x.warned + x.blocked))
    return { items }
  })
}
