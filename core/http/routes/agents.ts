import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { announceAccessChanged } from '../../agents/access.js'
import { oversees, overseenLog, requireRole } from '../../agents/permissions.js'
import { changeStatus } from '../../agents/presence.js'
import { hashToken, newAgentToken } from '../../agents/tokens.js'
import { SLUG } from '../../config/schema.js'
import { HubError, notFound } from '../../errors.js'
import { AgentSchema, PageOf, StatusChangeSchema } from '../../model/index.js'
import { enqueueDrain } from '../../pipeline/jobs.js'
import type { HubServices } from '../../pipeline/index.js'
import { IdParams, page, Paging, secured } from './common.js'

const tags = ['agents']
const Role = Type.Enum(['admin', 'supervisor', 'agent'])
const Teams = Type.Array(Type.String({ pattern: SLUG }), { maxItems: 50 })
const Capacity = Type.Union([Type.Integer({ minimum: 1, maximum: 10_000 }), Type.Null()], { description: 'null: the hub default' })
const NewAgent = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }),
  role: Role,
  teams: Type.Optional(Teams),
  capacity: Type.Optional(Capacity)
}, { additionalProperties: false })
const AgentPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  role: Type.Optional(Role),
  teams: Type.Optional(Teams),
  capacity: Type.Optional(Capacity)
}, { additionalProperties: false })
const MyPatch = Type.Object({
  locale: Type.Optional(Type.Union([Type.Enum(['en', 'zh']), Type.Null()])),
  welcome: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2000, description: 'sent to a customer whose conversation you are given; may hold {contact.name} and {agent.name}' }), Type.Null()]))
}, { additionalProperties: false, minProperties: 1 })
const StatusBody = Type.Object({ status: Type.Enum(['online', 'busy', 'offline']) }, { additionalProperties: false })
const LogQuery = Type.Object({ agent: Type.Optional(Type.String({ minLength: 1 })), ...Paging }, { additionalProperties: false })
const WithToken = Type.Object({ agent: AgentSchema, token: Type.String({ description: 'shown once; only its hash is stored' }) })

async function checkTeams (s: HubServices, teams: string[] | undefined): Promise<void> {
  for (const team of teams ?? []) {
    if (await s.store.getTeam(team) === null) throw new HubError('unknown_team', `There is no team "${team}"; create it first (POST /api/v1/teams).`, 422)
  }
}

/** Agents: the list, presence, and (admins) accounts and tokens; supervisors read the status log. */
export async function agentRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get('/agents', { schema: { tags, summary: 'Every agent with status and load', ...secured, response: { 200: Type.Object({ items: Type.Array(AgentSchema) }) } } },
    async () => ({ items: await s.store.listAgents() }))

  app.get('/agents/me', { schema: { tags, summary: 'You', ...secured, response: { 200: AgentSchema } } },
    async request => (await s.store.getAgent(request.agent!.id))!)

  app.patch<{ Body: Static<typeof MyPatch> }>('/agents/me', {
    schema: { tags, summary: 'Your own settings: the inbox language (null: the browser\'s) and your welcome to customers (null: none)', ...secured, body: MyPatch, response: { 200: AgentSchema } }
  }, async request => {
    // Fields this route does not take are refused by validation; what it takes must change something.
    if (request.body.locale === undefined && request.body.welcome === undefined) throw new HubError('nothing_to_change', 'Send locale or welcome (or both); other settings are an admin\'s.', 400)
    const updated = await s.store.updateAgent(request.agent!.id, request.body)
    // Routing's copy of the agents carries the welcome it greets with.
    if (request.body.welcome !== undefined) s.roster.invalidate()
    return updated
  })

  app.put<{ Body: Static<typeof StatusBody> }>('/agents/me/status', {
    schema: { tags, summary: 'Go online, busy (keep your conversations, no new buyers) or offline (hand them back)', ...secured, body: StatusBody, response: { 200: AgentSchema } }
  }, async request => {
    const changed = await changeStatus(s, request.agent!.id, {
      status: request.body.status, source: 'api', ip: request.ip, userAgent: request.headers['user-agent'] ?? null
    })
    return changed ?? (await s.store.getAgent(request.agent!.id))!
  })

  app.put<{ Params: Static<typeof IdParams>, Body: Static<typeof StatusBody> }>('/agents/:id/status', {
    schema: { tags, summary: "Set an agent's status from the monitor (supervisors of their teams, admins); offline hands their conversations back", ...secured, params: IdParams, body: StatusBody, response: { 200: AgentSchema } }
  }, async request => {
    const supervisor = request.agent!
    requireRole(supervisor, 'supervisor')
    const agent = await s.store.getAgent(request.params.id)
    if (agent === null) throw notFound('agent', request.params.id)
    if (!oversees(supervisor, agent)) throw new HubError('forbidden', 'That agent is not in one of your teams; supervisors set the status of their own teams\' agents.', 403)
    const changed = await changeStatus(s, agent.id, { status: request.body.status, source: 'supervisor', ip: request.ip, userAgent: request.headers['user-agent'] ?? null })
    request.log.info({ agentId: agent.id, by: supervisor.id, status: request.body.status }, 'agent status set by a supervisor')
    return changed ?? agent
  })

  app.get<{ Querystring: Static<typeof LogQuery> }>('/agents/status-log', {
    schema: { tags, summary: 'When agents went online, busy or offline, and from where (supervisors)', ...secured, querystring: LogQuery, response: { 200: PageOf(StatusChangeSchema) } }
  }, async request => {
    const supervisor = request.agent!
    requireRole(supervisor, 'supervisor')
    return await s.store.listStatusLog(await overseenLog(s, supervisor, request.query.agent), page(request.query))
  })

  app.post<{ Body: Static<typeof NewAgent> }>('/agents', {
    schema: { tags, summary: 'Create an agent and their first token (admins)', ...secured, body: NewAgent, response: { 201: WithToken } }
  }, async (request, reply) => {
    requireRole(request.agent!, 'admin')
    await checkTeams(s, request.body.teams)
    const token = newAgentToken()
    const agent = await s.store.createAgent({ ...request.body, teams: request.body.teams ?? [], capacity: request.body.capacity ?? null, tokenHash: hashToken(token) }, s.clock())
    request.log.info({ agentId: agent.id, by: request.agent!.id }, 'agent created')
    return await reply.status(201).send({ agent, token })
  })

  app.patch<{ Params: Static<typeof IdParams>, Body: Static<typeof AgentPatch> }>('/agents/:id', {
    schema: { tags, summary: 'Change name, role, teams or capacity (admins)', ...secured, params: IdParams, body: AgentPatch, response: { 200: AgentSchema } }
  }, async request => {
    requireRole(request.agent!, 'admin')
    await checkTeams(s, request.body.teams)
    const agent = await s.store.updateAgent(request.params.id, request.body)
    if (request.body.role !== undefined || request.body.teams !== undefined) await announceAccessChanged(s, agent.id)
    s.roster.invalidate()
    // More capacity or another team can let waiting conversations through.
    await enqueueDrain(s)
    return agent
  })

  app.post<{ Params: Static<typeof IdParams> }>('/agents/:id/token', {
    schema: { tags, summary: "Replace an agent's token (admins, or the agent themselves); the old one stops working", ...secured, params: IdParams, response: { 200: Type.Object({ token: Type.String() }) } }
  }, async request => {
    if (request.params.id !== request.agent!.id) requireRole(request.agent!, 'admin')
    if (await s.store.getAgent(request.params.id) === null) throw notFound('agent', request.params.id)
    const token = newAgentToken()
    await s.store.rotateAgentToken(request.params.id, hashToken(token))
    await announceAccessChanged(s, request.params.id)
    request.log.info({ agentId: request.params.id, by: request.agent!.id }, 'agent token rotated')
    return { token }
  })
}
