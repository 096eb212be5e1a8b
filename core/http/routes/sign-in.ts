import { announceAccessChanged } from '../../agents/access.js'
import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { redeemSignInCode } from '../../agents/sign-in.js'
import { AgentSchema } from '../../model/index.js'
import { logSession } from './sessions.js'
import type { HubServices } from '../../services.js'

const Body = Type.Object({ code: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false })

/** The one route without a token: trading a one-time sign-in link's code for one. */
export async function signInRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.post<{ Body: Static<typeof Body> }>('/sign-in', {
    schema: {
      tags: ['agents'], summary: 'Trade the code of a one-time sign-in link (omnihub agent link) for an API token; the previous token stops working',
      body: Body, response: { 200: Type.Object({ agent: AgentSchema, token: Type.String() }) }
    }
  }, async request => {
    const result = await redeemSignInCode(s.store, request.body.code, s.clock())
    // Signing in replaced the agent's token: sockets on the old one close.
    await announceAccessChanged(s, result.agent.id)
    await logSession(s, request, result.agent.id, 'sign_in', 'link')
    return result
  })
}
