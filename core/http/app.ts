import { isUtf8 } from 'node:buffer'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import websocket from '@fastify/websocket'
import { invalidEncoding } from '../channels/json-body.js'
import { Type, type Static } from 'typebox'
import type { HubServices } from '../services.js'
import { hashToken } from '../agents/tokens.js'
import { markActions, requireAgent, tokenOf } from './auth.js'
import { badRequestLine, badUrl, installErrorHandling } from './errors.js'
import { refuseUndeclaredBody, strictBodies } from './strict-bodies.js'
import { agentRoutes } from './routes/agents.js'
import { attitudeRoutes } from './routes/attitude.js'
import { channelRoutes } from './routes/channels.js'
import { reportRoutes } from './routes/reports.js'
import { sessionRoutes } from './routes/sessions.js'
import { monitorRoutes } from './routes/monitor.js'
import { accountRoutes } from './routes/accounts.js'
import { ruleRoutes } from './routes/rules.js'
import { spamRoutes } from './routes/spam.js'
import { catalogRoutes } from './routes/catalog.js'
import { contactRoutes } from './routes/contacts.js'
import { conversationRoutes } from './routes/conversations.js'
import { fileRoutes } from './routes/files.js'
import { healthRoutes } from './routes/health.js'
import { phraseRoutes } from './routes/phrases.js'
import { faqRoutes } from './routes/faq.js'
import { ratingRoutes } from './routes/ratings.js'
import { ratingPage } from './rating-page.js'
import { queueRoutes } from './routes/queue.js'
import { signInRoutes } from './routes/sign-in.js'
import { teamRoutes } from './routes/teams.js'
import { translationRoutes } from './routes/translation.js'
import { uploadRoutes } from './routes/uploads.js'
import { inboxRoutes } from './inbox.js'
import { AgentStreams } from './stream.js'

const StreamQuery = Type.Object({
  access_token: Type.Optional(Type.String({ description: 'for browsers, which cannot set headers on a WebSocket' })),
  lastEventId: Type.Optional(Type.String({ description: 'the id of the last event received: what was missed is sent first' }))
})

/** The first channel's page to try it as a customer, or null when none offers one. */
export function demoPath (s: HubServices): string | null {
  const channel = [...s.channels.values()].find(c => c.instance.demoPage !== undefined)
  return channel === undefined ? null : `/channels/${channel.id}/${channel.instance.demoPage!.replace(/^\//, '')}`
}

/** Builds the Fastify app: health, the agents' API and stream, docs, and each channel's routes. */
export async function buildApp (s: HubServices): Promise<{ app: FastifyInstance, streams: AgentStreams }> {
  const app = Fastify({
    loggerInstance: s.logger as FastifyBaseLogger,
    // Fastify's request lines carry the full URL, query string (tokens) included: we log our own.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: s.config.http.bodyLimit,
    frameworkErrors: badUrl,
    clientErrorHandler: badRequestLine
  })
  app.decorateRequest('agent', null)
  installErrorHandling(app)
  strictBodies(app)
  // Fastify's own JSON parser (prototype poisoning refused), after a UTF-8 check of the bytes.
  const json = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (!isUtf8(body as Buffer)) { done(invalidEncoding(), undefined); return }
    json(request, (body as Buffer).toString('utf8'), done)
  })
  // Messages keep plain file URLs; every response hands out signed, expiring links instead.
  app.addHook('preSerialization', async (_request, _reply, payload) => s.links.signDeep(payload, s.clock()))
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request')
  })
  await app.register(swagger, {
    openapi: {
      info: { title: 'Omnihub API', version: '1', description: 'Agents\' REST API and channel endpoints. Errors are always `{code, message, ...}`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an agent API token (`omnihub agent add`)' } } }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })

  const streams = new AgentStreams(s)
  await healthRoutes(app, s)
  await fileRoutes(app, s)
  await inboxRoutes(app)
  await app.register(async open => { await ratingPage(open, s) })
  await app.register(async open => { await signInRoutes(open, s) }, { prefix: '/api/v1' })
  await app.register(async api => {
    api.addHook('onRequest', requireAgent(s))
    api.addHook('preValidation', refuseUndeclaredBody)
    api.addHook('onResponse', markActions(s))
    await conversationRoutes(api, s)
    await contactRoutes(api, s)
    await agentRoutes(api, s)
    await accountRoutes(api, s)
    await ruleRoutes(api, s)
    await spamRoutes(api, s)
    await catalogRoutes(api, s)
    await teamRoutes(api, s)
    await queueRoutes(api, s)
    await channelRoutes(api, s)
    await reportRoutes(api, s)
    await sessionRoutes(api, s)
    await monitorRoutes(api, s)
    await phraseRoutes(api, s)
    await faqRoutes(api, s)
    await ratingRoutes(api, s)
    await attitudeRoutes(api, s)
    await translationRoutes(api, s)
    await api.register(async uploads => { await uploadRoutes(uploads, s) })
    api.get<{ Querystring: Static<typeof StreamQuery> }>('/stream', {
      websocket: true,
      schema: { tags: ['stream'], summary: 'WebSocket of events you may see; reconnect with lastEventId to get what you missed', security: [{ bearer: [] }], querystring: StreamQuery }
    }, (socket, request) => {
      const lastEventId = request.query.lastEventId ?? (request.headers['last-event-id'] as string | undefined)
      streams.add(request.agent!, hashToken(tokenOf(request)!), socket, lastEventId).catch(err => {
        request.log.warn({ agentId: request.agent!.id, err: { message: (err as Error).message } }, 'agent stream failed to start')
        socket.close(1011, 'could not start the stream; reconnect shortly')
      })
    })
  }, { prefix: '/api/v1' })

  const demo = demoPath(s)
  if (demo !== null) app.get('/demo', { schema: { hide: true } }, async (_request, reply) => await reply.redirect(demo))

  for (const channel of s.channels.values()) {
    const routes = channel.instance.routes
    if (routes !== undefined) await app.register(async scope => { await routes(scope) }, { prefix: `/channels/${channel.id}` })
  }
  for (const desk of s.desks.values()) {
    const routes = desk.instance.routes
    if (routes !== undefined) await app.register(async scope => { await routes(scope) }, { prefix: `/${desk.id}` })
  }
  return { app, streams }
}
