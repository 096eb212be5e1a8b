import type { FastifyReply, FastifyRequest } from 'fastify'
import { hashToken } from '../agents/tokens.js'
import { HubError } from '../errors.js'
import type { Agent } from '../model/index.js'
import type { HubServices } from '../services.js'

declare module 'fastify' {
  interface FastifyRequest {
    agent: Agent | null
  }
}

/** An API call is a sign of life, but at most one write per agent per this long. */
const SEEN_EVERY_MS = 30_000

export function tokenOf (request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    return match?.[1] ?? null
  }
  // Browsers cannot set headers on a WebSocket: the stream accepts ?access_token=.
  const query = request.query as { access_token?: unknown }
  return typeof query.access_token === 'string' ? query.access_token : null
}

/** An agent's action keeps them active (idle detection), at most one write per agent per this long (or a tenth of the idle limit). */
const ACTIVE_EVERY_MS = 10_000

/**
 * onResponse hook: whatever an agent does through the API counts against going idle: a change
 * that succeeded (a tag, a note, a rating invitation, typing, reading) or opening a conversation.
 * Only looking at lists and the stream does not.
 */
export function markActions (s: HubServices) {
  const lastActive = new Map<string, number>()
  // Well within the idle limit, so an agent at work is never taken for idle between two marks.
  const every = Math.min(ACTIVE_EVERY_MS, s.config.presence.autoBusyAfterMs / 10 || ACTIVE_EVERY_MS)
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const agent = request.agent
    if (agent === null || agent === undefined || reply.statusCode >= 400) return
    const opening = request.method === 'GET' && request.routeOptions.url === '/api/v1/conversations/:id'
    if (request.method === 'GET' && !opening) return
    const now = s.clock().getTime()
    if (now - (lastActive.get(agent.id) ?? 0) < every) return
    lastActive.set(agent.id, now)
    await s.store.markAgentActive(agent.id, s.clock()).catch(err => request.log.warn({ agentId: agent.id, err: { message: (err as Error).message } }, 'activity not marked'))
  }
}

/** onRequest hook: resolves the agent behind a bearer token, or answers 401. */
export function requireAgent (s: HubServices) {
  const lastSeen = new Map<string, number>()
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = tokenOf(request)
    const agent = token !== null ? await s.store.findAgentByTokenHash(hashToken(token)) : null
    if (agent === null) {
      throw new HubError('unauthorized', "Send an agent's API token as 'Authorization: Bearer <token>' (create one with `omnihub agent add`).", 401)
    }
    if (agent.deactivatedAt !== null) {
      throw new HubError('agent_deactivated', 'This account is deactivated; ask a supervisor or an admin to reactivate it.', 401)
    }
    request.agent = agent
    const now = s.clock().getTime()
    if (now - (lastSeen.get(agent.id) ?? 0) > SEEN_EVERY_MS) {
      lastSeen.set(agent.id, now)
      await s.store.touchAgents([agent.id], s.clock())
    }
  }
}
