import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import websocket from '@fastify/websocket'
import type { HubServices } from '../pipeline/index.js'
import { requireAgent } from './auth.js'
import { installErrorHandling } from './errors.js'
import { conversationRoutes } from './routes/conversations.js'
import { healthRoutes } from './routes/health.js'
import { AgentStreams } from './stream.js'

/** Builds the Fastify app: health, the agents' API and stream, and each channel's routes. */
export async function buildApp (s: HubServices): Promise<{ app: FastifyInstance, streams: AgentStreams }> {
  const app = Fastify({
    loggerInstance: s.logger as FastifyBaseLogger,
    // Fastify's request lines carry the full URL, query string (tokens) included: we log our own.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: s.config.http.bodyLimit
  })
  app.decorateRequest('agent', null)
  installErrorHandling(app)
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request')
  })
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })

  const streams = new AgentStreams(s.bus, s.logger)
  await healthRoutes(app, s)
  await app.register(async api => {
    api.addHook('onRequest', requireAgent(s.store))
    await conversationRoutes(api, s)
    api.get('/stream', { websocket: true }, (socket, request) => streams.add(request.agent!, socket))
  }, { prefix: '/api/v1' })

  for (const channel of s.channels.values()) {
    const routes = channel.instance.routes
    if (routes !== undefined) await app.register(async scope => { await routes(scope) }, { prefix: `/channels/${channel.id}` })
  }
  return { app, streams }
}
