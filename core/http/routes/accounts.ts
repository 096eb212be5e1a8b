import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { announceAccessChanged } from '../../agents/access.js'
import { mayManage } from '../../agents/permissions.js'
import { changeStatus } from '../../agents/presence.js'
import { createSignInCode, SIGN_IN_LINK_TTL_MS, signInUrl } from '../../agents/sign-in.js'
import { hashToken, newAgentToken } from '../../agents/tokens.js'
import { SLUG } from '../../config/schema.js'
import { HubError, notFound } from '../../errors.js'
import { AgentSchema, type Agent } from '../../model/index.js'
import { enqueueDrain } from '../../queue/jobs.js'
import type { HubServices } from '../../services.js'
import { publicBaseUrl } from '../../config/public-url.js'
import { IdParams, origin, secured } from './common.js'

const tags = ['agents']
const Role = Type.Enum(['admin', 'supervisor', 'agent'])
const Teams = Type.Array(Type.String({ pattern: SLUG }), { maxItems: 50 })
const Capacity = Type.Union([Type.Integer({ minimum: 1, maximum: 10_000 }), Type.Null()], { description: 'null: the hub default' })
const Signature = Type.Union([Type.String({ minLength: 1, maxLength: 1000, description: 'signs the agent\'s replies where the channel can (email)' }), Type.Null()])
const NewAgent = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }),
  role: Role,
  teams: Type.Optional(Teams),
  capacity: Type.Optional(Capacity),
  signature: Type.Optional(Signature)
}, { additionalProperties: false })
const AgentPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  role: Type.Optional(Role),
  teams: Type.Optional(Teams),
  capacity: Type.Optional(Capacity),
  signature: Type.Optional(Signature)
}, { additionalProperties: false, minProperties: 1 })
const WithToken = Type.Object({ agent: AgentSchema, token: Type.String({ description: 'shown once; only its hash is stored' }) })
const Link = Type.Object({ url: Type.String({ description: 'works once; signing in with it replaces the agent\'s token' }), expiresAt: Type.String({ format: 'date-time' }) })

async function checkTeams (s: HubServices, teams: string[] | undefined): Promise<void> {
  for (const team of teams ?? []) {
    if (await s.store.getTeam(team) === null) throw new HubError('unknown_team', `There is no team "${team}"; create it first (POST /api/v1/teams).`, 422)
  }
}

/** The agent an actor manages (404 when there is none, 403 when not theirs), with what it is to become. */
async function managed (s: HubServices, actor: Agent, id: string, into: Parameters<typeof mayManage>[2] = {}): Promise<Agent> {
  const agent = await s.store.getAgent(id)
  if (agent === null) throw notFound('agent', id)
  mayManage(actor, agent, into)
  return agent
}

/**
 * Agents' accounts in the app: admins manage everyone; supervisors the agents of their own
 * teams (creating, capacity, teams among theirs, signature, deactivating, sign-in links).
 */
export async function accountRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.post<{ Body: Static<typeof NewAgent> }>('/agents', {
    schema: { tags, summary: 'Create an agent and their first token (admins; supervisors: agents of their teams)', ...secured, body: NewAgent, response: { 201: WithToken } }
  }, async (request, reply) => {
    mayManage(request.agent!, null, { role: request.body.role, teams: request.body.teams })
    await checkTeams(s, request.body.teams)
    const token = newAgentToken()
    const { signature, ...fields } = request.body
    let agent = await s.store.createAgent({ ...fields, teams: request.body.teams ?? [], capacity: request.body.capacity ?? null, tokenHash: hashToken(token) }, s.clock())
    if (signature !== undefined) agent = await s.store.updateAgent(agent.id, { signature })
    request.log.info({ agentId: agent.id, by: request.agent!.id }, 'agent created')
    return await reply.status(201).send({ agent, token })
  })

  app.patch<{ Params: Static<typeof IdParams>, Body: Static<typeof AgentPatch> }>('/agents/:id', {
    schema: { tags, summary: 'Change name, role, teams, capacity or signature (admins; supervisors: their teams\' agents, within their teams)', ...secured, params: IdParams, body: AgentPatch, response: { 200: AgentSchema } }
  }, async request => {
    await managed(s, request.agent!, request.params.id, { ...(request.body.role !== undefined ? { role: request.body.role } : {}), ...(request.body.teams !== undefined ? { teams: request.body.teams } : {}) })
    await checkTeams(s, request.body.teams)
    const agent = await s.store.updateAgent(request.params.id, request.body)
    if (request.body.role !== undefined || request.body.teams !== undefined) await announceAccessChanged(s, agent.id)
    s.roster.invalidate()
    // More capacity or another team can let waiting conversations through.
    await enqueueDrain(s)
    return agent
  })

  app.post<{ Params: Static<typeof IdParams> }>('/agents/:id/deactivate', {
    schema: { tags, summary: 'Deactivate an account: its token and links stop working, its sockets close, its conversations go back to routing', ...secured, params: IdParams, response: { 200: AgentSchema } }
  }, async request => {
    const target = await managed(s, request.agent!, request.params.id)
    // Nobody deactivates themselves, so an active admin always remains.
    if (target.id === request.agent!.id) throw new HubError('cannot_deactivate_self', 'You cannot deactivate your own account; ask another admin.', 409)
    if (target.deactivatedAt !== null) return target
    const deactivated = await s.store.updateAgent(target.id, { deactivatedAt: s.clock() })
    const offline = await changeStatus(s, target.id, { status: 'offline', source: 'supervisor', ...origin(request) })
    await announceAccessChanged(s, target.id)
    s.roster.invalidate()
    request.log.info({ agentId: target.id, by: request.agent!.id }, 'agent deactivated')
    return offline ?? deactivated
  })

  app.post<{ Params: Static<typeof IdParams> }>('/agents/:id/reactivate', {
    schema: { tags, summary: 'Reactivate an account; it signs in again with a new sign-in link', ...secured, params: IdParams, response: { 200: AgentSchema } }
  }, async request => {
    const target = await managed(s, request.agent!, request.params.id)
    // The old token was the deactivated account's: a new start needs a new sign-in link.
    await s.store.rotateAgentToken(target.id, hashToken(newAgentToken()))
    const agent = await s.store.updateAgent(target.id, { deactivatedAt: null })
    request.log.info({ agentId: target.id, by: request.agent!.id }, 'agent reactivated')
    return agent
  })

  app.post<{ Params: Static<typeof IdParams> }>('/agents/:id/sign-in-link', {
    schema: { tags, summary: 'A one-time sign-in link (24 hours) to hand to the agent; using it replaces their token', ...secured, params: IdParams, response: { 200: Link } }
  }, async request => {
    const target = await managed(s, request.agent!, request.params.id)
    if (target.deactivatedAt !== null) throw new HubError('agent_deactivated', `${target.name}'s account is deactivated; reactivate it first.`, 409)
    const code = await createSignInCode(s.store, target.id, s.clock())
    request.log.info({ agentId: target.id, by: request.agent!.id }, 'sign-in link made')
    return { url: signInUrl(publicBaseUrl(s.config.http, s.listenUrl), code), expiresAt: new Date(s.clock().getTime() + SIGN_IN_LINK_TTL_MS).toISOString() }
  })

  app.post<{ Params: Static<typeof IdParams> }>('/agents/:id/token', {
    schema: { tags, summary: "Replace an agent's token (admins, or the agent themselves); the old one stops working", ...secured, params: IdParams, response: { 200: Type.Object({ token: Type.String() }) } }
  }, async request => {
    if (request.params.id !== request.agent!.id) {
      if (request.agent!.role !== 'admin') throw new HubError('forbidden', 'Only admins replace another agent\'s token; a supervisor can make a sign-in link instead.', 403)
    }
    if (await s.store.getAgent(request.params.id) === null) throw notFound('agent', request.params.id)
    const token = newAgentToken()
    await s.store.rotateAgentToken(request.params.id, hashToken(token))
    await announceAccessChanged(s, request.params.id)
    request.log.info({ agentId: request.params.id, by: request.agent!.id }, 'agent token rotated')
    return { token }
  })
}
