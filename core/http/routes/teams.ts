import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { requireRole } from '../../agents/permissions.js'
import { SLUG } from '../../config/schema.js'
import { TeamSchema } from '../../model/index.js'
import type { HubServices } from '../../services.js'
import { secured } from './common.js'

const tags = ['teams']
const NewTeam = Type.Object({ id: Type.String({ pattern: SLUG, description: 'what channels name in config (`team:`)' }), name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false })
const TeamPatch = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false })
const TeamId = Type.Object({ id: Type.String({ pattern: SLUG }) })

export async function teamRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get('/teams', { schema: { tags, summary: 'Every team', ...secured, response: { 200: Type.Object({ items: Type.Array(TeamSchema) }) } } },
    async () => ({ items: await s.store.listTeams() }))

  app.post<{ Body: Static<typeof NewTeam> }>('/teams', { schema: { tags, summary: 'Create a team (admins)', ...secured, body: NewTeam, response: { 201: TeamSchema } } },
    async (request, reply) => {
      requireRole(request.agent!, 'admin')
      return await reply.status(201).send(await s.store.createTeam(request.body, s.clock()))
    })

  app.patch<{ Params: Static<typeof TeamId>, Body: Static<typeof TeamPatch> }>('/teams/:id', { schema: { tags, summary: 'Rename a team (admins)', ...secured, params: TeamId, body: TeamPatch, response: { 200: TeamSchema } } },
    async request => {
      requireRole(request.agent!, 'admin')
      return await s.store.updateTeam(request.params.id, request.body)
    })
}
