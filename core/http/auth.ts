import type { FastifyReply, FastifyRequest } from 'fastify'
import { hashToken } from '../agents/tokens.js'
import { HubError } from '../errors.js'
import type { Agent } from '../model/index.js'
import type { Store } from '../store/index.js'

declare module 'fastify' {
  interface FastifyRequest {
    agent: Agent | null
  }
}

function tokenOf (request: FastifyRequest): string | null {
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
export function requireAgent (store: Store) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = tokenOf(request)
    const agent = token !== null ? await store.findAgentByTokenHash(hashToken(token)) : null
    if (agent === null) {
      throw new HubError('unauthorized', "Send an agent's API token as 'Authorization: Bearer <token>' (create one with `omnihub agent add`).", 401)
    }
    request.agent = agent
  }
}
