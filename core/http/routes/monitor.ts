import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { oversees, requireRole } from '../../agents/permissions.js'
import type { HubServices } from '../../services.js'
import { capacityOf } from '../../routing/decide.js'
import { secured } from './common.js'

/** An agent's open conversations looked at for the longest wait: their capacity is far below it. */
const OPEN_LOOKED_AT = 200

const Row = Type.Object({
  agentId: Type.String(),
  openConversations: Type.Integer(),
  capacity: Type.Integer({ description: 'their own, or the hub\'s default' }),
  lastReplyAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  unanswered: Type.Integer({ description: 'their open conversations whose customer waits for a reply' }),
  longestWait: Type.Union([Type.Object({ conversationId: Type.String(), since: Type.String({ format: 'date-time' }) }), Type.Null()])
})

/** The live monitor beside the queue: per agent of the supervisor's teams, load, last reply and the customer waiting longest. */
export async function monitorRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get('/monitor', {
    schema: { tags: ['agents'], summary: 'Supervisors: per agent of their teams, open conversations, capacity, last reply and the customer waiting longest', ...secured, response: { 200: Type.Object({ items: Type.Array(Row) }) } }
  }, async request => {
    const supervisor = request.agent!
    requireRole(supervisor, 'supervisor')
    const now = s.clock()
    const agents = (await s.store.listAgents()).filter(a => oversees(supervisor, a))
    const items = await Promise.all(agents.map(async agent => {
      const waiting = (await s.store.listConversations({ assigneeId: agent.id, unansweredSince: now }, { limit: OPEN_LOOKED_AT })).items
      const longest = waiting.reduce<typeof waiting[number] | null>((a, c) => a === null || c.lastInboundAt! < a.lastInboundAt! ? c : a, null)
      return {
        agentId: agent.id,
        openConversations: agent.activeCount,
        capacity: capacityOf(agent, s.config.routing),
        lastReplyAt: agent.lastReplyAt?.toISOString() ?? null,
        unanswered: waiting.length,
        longestWait: longest === null ? null : { conversationId: longest.id, since: longest.lastInboundAt!.toISOString() }
      }
    }))
    return { items }
  })
}
