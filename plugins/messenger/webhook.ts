import type { FastifyInstance, FastifyBaseLogger } from 'fastify'
import { parseJsonBody, verify } from '../../core/channels/index.js'

/**
 * Meta's webhook protocol, as Messenger, Instagram and WhatsApp share it: the `hub.challenge`
 * handshake on GET, and on POST a body signed with the app secret (`X-Hub-Signature-256` over
 * the raw bytes) whose `object` is one this channel reads. `handle` stores what the entries hold
 * before the 200, since Meta redelivers on anything else.
 */
export function metaWebhook (app: FastifyInstance, options: { verifyToken: string, appSecret: string, objects: string[], handle: (object: string, entries: unknown[], log: FastifyBaseLogger) => Promise<void> }): void {
  const { verifyToken, appSecret, objects, handle } = options
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
  app.get('/webhook', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>
    if (q['hub.mode'] === 'subscribe' && q['hub.verify_token'] === verifyToken && q['hub.challenge'] !== undefined) {
      return await reply.type('text/plain').send(q['hub.challenge'])
    }
    return await reply.status(403).send({ code: 'verification_failed', message: 'hub.verify_token does not match this channel\'s verifyToken.' })
  })
  app.post('/webhook', async (request, reply) => {
    const raw = request.body as Buffer | undefined ?? Buffer.alloc(0)
    if (!verify(appSecret, raw, request.headers['x-hub-signature-256'] as string | undefined)) {
      return await reply.status(401).send({ code: 'invalid_signature', message: 'X-Hub-Signature-256 is missing or does not match the body signed with the app secret.' })
    }
    const parsed = parseJsonBody(raw)
    if (!parsed.ok) return await reply.status(400).send(parsed.error.toJSON())
    const body = (parsed.value ?? {}) as { object?: unknown, entry?: unknown }
    const known = typeof body.object === 'string' && objects.includes(body.object)
    if (!known || !Array.isArray(body.entry)) {
      return await reply.status(400).send({ code: 'invalid_request', message: `Expected a webhook of ${objects.map(o => `"${o}"`).join(' or ')}: {"object": …, "entry": [...]}.`, field: known ? 'entry' : 'object' })
    }
    await handle(body.object as string, body.entry, request.log)
    return await reply.type('text/plain').send('EVENT_RECEIVED')
  })
}
