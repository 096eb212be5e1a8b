/**
 * The yardstick for inbound throughput: a bare Fastify server doing only what a webhook must
 * (verify the HMAC of the raw body, parse the JSON, answer 200), in its own process as the hub
 * is. Prints its URL once it listens.
 */
import Fastify from 'fastify'
import { verify } from '../core/channels/signature.js'

const secret = process.env.BENCH_SECRET ?? 'bench-secret-0123456789'
const app = Fastify({ logger: false })
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })
app.post('/channels/api/inbound', async (request, reply) => {
  const raw = request.body as Buffer
  if (!verify(secret, raw, String(request.headers['x-omnihub-signature'] ?? ''))) return await reply.status(401).send({ code: 'invalid_signature' })
  const message = JSON.parse(raw.toString('utf8')) as { messageId: string }
  return { messageId: message.messageId, duplicate: false }
})
const url = await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`listening on ${url}\n`)
