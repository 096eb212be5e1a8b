import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { oversees, requireRole } from '../../agents/permissions.js'
import { ConversationSchema } from '../../model/index.js'
import type { HubServices } from '../../services.js'
import { ratingSummary, requestRating } from '../../ratings/index.js'
import { IdParams, secured } from './common.js'

const tags = ['ratings']
const Query = Type.Object({ days: Type.Integer({ minimum: 1, maximum: 365, default: 30 }) }, { additionalProperties: false })
const Row = Type.Object({
  agentId: Type.Union([Type.String(), Type.Null()], { description: 'who served the customer; null: nobody (the robot)' }),
  agentName: Type.Union([Type.String(), Type.Null()]),
  channelId: Type.String(), count: Type.Integer(), average: Type.Number(), satisfied: Type.Integer({ description: 'ratings of 4 or 5' })
})

/** Asking customers to rate, and what they said, per agent and channel. */
export async function ratingRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.post<{ Params: Static<typeof IdParams> }>('/conversations/:id/rating-invitation', {
    schema: {
      tags, summary: 'Ask the customer to rate the service: score buttons where the channel has them (webchat, Messenger), and a link to the rating page (score and comment)',
      ...secured, params: IdParams, response: { 200: ConversationSchema }
    }
  }, async request => {
    const conversation = await requestRating(s, request.agent!, request.params.id)
    request.log.info({ conversationId: conversation.id, agentId: request.agent!.id }, 'rating requested')
    return conversation
  })

  app.get<{ Querystring: Static<typeof Query> }>('/ratings', {
    schema: { tags, summary: 'Supervisors: customers\' ratings in the last days, per agent who served them and channel', ...secured, querystring: Query, response: { 200: Type.Object({ items: Type.Array(Row) }) } }
  }, async request => {
    const me = request.agent!
    requireRole(me, 'supervisor')
    const agents = new Map((await s.store.listAgents()).map(a => [a.id, a]))
    // Supervisors see their teams' agents (and the robot's ratings); admins everyone's.
    const mine = (agentId: string | null): boolean => {
      const agent = agentId === null ? undefined : agents.get(agentId)
      return agentId === null || me.role === 'admin' || (agent !== undefined && oversees(me, agent))
    }
    return { items: (await ratingSummary(s, new Date(s.clock().getTime() - request.query.days * 86_400_000))).filter(r => mine(r.agentId)) }
  })
}
