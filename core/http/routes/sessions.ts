import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { overseenLog, requireRole } from '../../agents/permissions.js'
import { changeStatus } from '../../agents/presence.js'
import { AgentSchema, PageOf, SessionEventSchema, type SessionEvent } from '../../model/index.js'
import type { HubServices } from '../../services.js'
import { origin, page, Paging, secured } from './common.js'

const tags = ['agents']
const LogQuery = Type.Object({ agent: Type.Optional(Type.String({ minLength: 1 })), ...Paging }, { additionalProperties: false })

/** A sign-in or sign-out as the log keeps it: when, from which address and browser. */
export async function logSession (s: HubServices, request: FastifyRequest, agentId: string, event: SessionEvent['event'], method: SessionEvent['method']): Promise<void> {
  await s.store.recordSessionEvent({ agentId, event, method, at: s.clock(), ...origin(request) })
  request.log.info({ agentId, event, method }, event === 'sign_in' ? 'agent signed in' : 'agent signed out')
}

/** The sign-in log: the inbox says when an agent signs in with their token and when they sign out; supervisors read it. */
export async function sessionRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.post('/agents/me/sign-in', {
    schema: { tags, summary: 'Sign in to the inbox with your API token: kept in the sign-in log (a sign-in link is logged by POST /sign-in)', ...secured, response: { 200: AgentSchema } }
  }, async request => {
    await logSession(s, request, request.agent!.id, 'sign_in', 'token')
    return (await s.store.getAgent(request.agent!.id))!
  })

  app.post('/agents/me/sign-out', {
    schema: { tags, summary: 'Sign out: logged, and you go offline (your conversations go back to routing)', ...secured, response: { 204: Type.Null() } }
  }, async (request, reply) => {
    await logSession(s, request, request.agent!.id, 'sign_out', null)
    await changeStatus(s, request.agent!.id, { status: 'offline', source: 'api', ...origin(request) })
    return await reply.status(204).send()
  })

  app.get<{ Querystring: Static<typeof LogQuery> }>('/agents/sign-in-log', {
    schema: { tags, summary: 'When agents signed in (and how) and out, from where (supervisors: their teams; admins: all)', ...secured, querystring: LogQuery, response: { 200: PageOf(SessionEventSchema) } }
  }, async request => {
    requireRole(request.agent!, 'supervisor')
    return await s.store.listSessionLog(await overseenLog(s, request.agent!, request.query.agent), page(request.query))
  })
}
