import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { oversees, overseenLog, requireRole } from '../../agents/permissions.js'
import { changeStatus } from '../../agents/presence.js'
import { HubError, notFound } from '../../errors.js'
import { AgentSchema, PageOf, StatusChangeSchema } from '../../model/index.js'
import type { HubServices } from '../../services.js'
import { IdParams, origin, page, Paging, secured } from './common.js'

const tags = ['agents']
const MyPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'your name as customers read it ("Lin joined the conversation")' })),
  locale: Type.Optional(Type.Union([Type.Enum(['en', 'zh']), Type.Null()])),
  welcome: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2000, description: 'sent to a customer whose conversation you are given; may hold {contact.name} and {agent.name}' }), Type.Null()])),
  signature: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 1000, description: 'signs your replies where the channel can (email)' }), Type.Null()])),
  notifications: Type.Optional(Type.Object({
    sound: Type.Optional(Type.Boolean({ description: 'a chime for new messages while the tab is hidden' })),
    desktop: Type.Optional(Type.Boolean({ description: 'desktop notifications while the tab is hidden (the browser asks for permission once)' })),
    tabTitle: Type.Optional(Type.Boolean({ description: 'the unread count in the tab\'s title' }))
  }, { additionalProperties: false, minProperties: 1, description: 'the ones given change; kept on the server, so every device follows them' }))
}, { additionalProperties: false, minProperties: 1 })
const StatusBody = Type.Object({ status: Type.Enum(['online', 'busy', 'offline']) }, { additionalProperties: false })
const LogQuery = Type.Object({ agent: Type.Optional(Type.String({ minLength: 1 })), ...Paging }, { additionalProperties: false })

/** Agents: the list, you, presence; supervisors read the status log (accounts: accounts.ts). */
export async function agentRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get('/agents', { schema: { tags, summary: 'Every agent with status and load', ...secured, response: { 200: Type.Object({ items: Type.Array(AgentSchema) }) } } },
    async () => ({ items: await s.store.listAgents() }))

  app.get('/agents/me', { schema: { tags, summary: 'You', ...secured, response: { 200: AgentSchema } } },
    async request => (await s.store.getAgent(request.agent!.id))!)

  app.patch<{ Body: Static<typeof MyPatch> }>('/agents/me', {
    schema: { tags, summary: 'Your own settings: your name as customers read it, the inbox language (null: the browser\'s), your welcome to customers, your signature (null: none) and how you are notified', ...secured, body: MyPatch, response: { 200: AgentSchema } }
  }, async request => {
    // Fields this route does not take are refused by validation; what it takes must change something.
    if (Object.values(request.body).every(v => v === undefined)) throw new HubError('nothing_to_change', 'Send name, locale, welcome, signature or notifications; other settings are an admin\'s.', 400)
    const { name, notifications, ...rest } = request.body
    const updated = await s.store.updateAgent(request.agent!.id, {
      ...rest,
      ...(name !== undefined ? { name: name.trim() } : {}),
      ...(notifications !== undefined ? { notifications: { ...request.agent!.notifications, ...notifications } } : {})
    })
    // Routing's copy of the agents carries the name and welcome it greets with.
    if (request.body.welcome !== undefined || name !== undefined) s.roster.invalidate()
    return updated
  })

  app.put<{ Body: Static<typeof StatusBody> }>('/agents/me/status', {
    schema: { tags, summary: 'Go online, busy (keep your conversations, no new buyers) or offline (hand them back)', ...secured, body: StatusBody, response: { 200: AgentSchema } }
  }, async request => {
    const changed = await changeStatus(s, request.agent!.id, {
      status: request.body.status, source: 'api', ...origin(request)
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
    if (agent.deactivatedAt !== null && request.body.status !== 'offline') throw new HubError('agent_deactivated', `${agent.name}'s account is deactivated; reactivate it first.`, 409)
    const changed = await changeStatus(s, agent.id, { status: request.body.status, source: 'supervisor', ...origin(request) })
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
}
