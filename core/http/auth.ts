import type { FastifyReply, FastifyRequest } from 'fastify'
import { hashToken } from '../agents/tokens.js'
import { HubError } from '../errors.js'
import type { Agent } from '../model/index.js'
import type { HubServices } from '../pipeline/index.js'

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

/** onRequest hook: resolves the agent behind a bearer token, or answers 401. */
export function requireAgent (s: HubServices) {
  const lastSeen = new Map<string, number>()
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = tokenOf(request)
    const agent = token !== null ? await s.store.findAgentByTokenHash(hashToken(token)) : null
    if (agent === null) {
      throw new HubError('unauthorized', "Send an agent's API token as 'Authorization: Bearer <token>' (create one with `omnihub agent add`).", 401)
    }
    request.agent = agent
    const now = s.clock().getTime()
    if (now - (lastSeen.get(agent.id) ?? 0) > SEEN_EVERY_MS) {
      lastSeen.set(agent.id, now)
      await s.store.touchAgents([agent.id], s.clock())
    }
  }
}
