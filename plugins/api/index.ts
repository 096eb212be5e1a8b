import { Type } from 'typebox'
import { ChannelSendError, defineChannel, parseJsonBody, remoteSendError, sign, verify, type OutboundContext } from '../../core/channels/index.js'
import { fetchRemote, jsonObject, type RemoteResponse } from '../../core/remote/index.js'
import { inboundProblem, type InboundBody } from './inbound.js'

/**
 * The reference channel: signed JSON in, signed JSON callbacks out. It is also the template
 * for a new channel: copy this folder, change the schema, the routes, policy and send.
 */
export default defineChannel({
  name: 'api',
  configSchema: Type.Object({
    /** Shared secret for X-Omnihub-Signature, both directions. */
    secret: Type.String({ minLength: 16 }),
    /** Where agents' replies are POSTed. Empty: replies are refused with `no_callback`. */
    callbackUrl: Type.String({ default: '', pattern: '^(https?://\\S+)?$' }),
    timeoutMs: Type.Integer({ default: 10_000, minimum: 100, maximum: 120_000 })
  }, { additionalProperties: false }),
  capabilities: {
    text: true, images: true, files: true, cards: false, typing: false, readReceipts: false,
    maxTextLength: 10_000, maxAttachments: 10, choices: 10
  },
  secretSettings: ['secret'],

  create (config, ctx) {
    return {
      routes (app) {
        // The signature covers the raw bytes: keep the body as a Buffer and parse after verifying.
        app.removeContentTypeParser('application/json')
        app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
        app.post('/inbound', async (request, reply) => {
          const raw = request.body as Buffer | undefined ?? Buffer.alloc(0)
          if (!verify(config.secret, raw, request.headers['x-omnihub-signature'] as string | undefined)) {
            return await reply.status(401).send({ code: 'invalid_signature', message: 'X-Omnihub-Signature is missing or does not match the body; sign the raw body with HMAC-SHA256 and the channel secret as sha256=<hex>.' })
          }
          const parsed = parseJsonBody(raw)
          if (!parsed.ok) return await reply.status(400).send(parsed.error.toJSON())
          const body = parsed.value
          const problem = inboundProblem(body, ctx.clock())
          if (problem !== null) return await reply.status(400).send({ code: 'invalid_request', message: problem, field: problem.split(':')[0] })
          const inbound = body as InboundBody
          const outcome = await ctx.ingest({
            externalId: inbound.messageId,
            from: { externalId: inbound.from.id, ...pick(inbound.from, 'name', 'email', 'phone') },
            text: inbound.text,
            attachments: inbound.attachments ?? [],
            ...(inbound.payload !== undefined ? { extras: { payload: inbound.payload } } : {}),
            ...(inbound.timestamp !== undefined ? { sentAt: new Date(inbound.timestamp) } : {})
          })
          return outcome
        })
      },

      policy () {
        if (config.callbackUrl === '') {
          return { verdict: 'deny', code: 'no_callback', message: `Channel ${ctx.channelId} has no callbackUrl, so replies cannot be delivered; an admin must set one in config.` }
        }
        return { verdict: 'allow' }
      },

      async send ({ conversation, contact, message }: OutboundContext) {
        const to = contact.identities.find(i => i.channelId === ctx.channelId)?.externalId
        const body = JSON.stringify({
          messageId: message.id,
          conversationId: conversation.id,
          to: { id: to },
          text: message.text,
          attachments: message.attachments,
          tag: message.tag,
          author: message.author,
          ...(message.extras?.choices !== undefined ? { choices: message.extras.choices } : {}),
          createdAt: message.createdAt
        })
        let response: RemoteResponse
        try {
          response = await fetchRemote(config.callbackUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(config.secret, body), 'idempotency-key': message.id },
            body,
            timeoutMs: config.timeoutMs,
            what: 'The callback'
          })
        } catch (err) {
          throw remoteSendError('callback', err)
        }
        if (response.ok) {
          const answer = jsonObject(response.body)
          const externalId = typeof answer?.id === 'string' ? answer.id : message.id
          return { externalId }
        }
        if (response.retryable) {
          throw new ChannelSendError('callback_unavailable', `The callback answered ${response.status}.`,
            { retryable: true, ...(response.retryAfterMs !== undefined ? { retryAfterMs: response.retryAfterMs } : {}) })
        }
        throw new ChannelSendError('callback_rejected', `The callback refused the message with ${response.status}.`, { retryable: false })
      }
    }
  }
})

function pick<T extends object, K extends keyof T> (from: T, ...keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter(k => from[k] !== undefined).map(k => [k, from[k]])) as Partial<Pick<T, K>>
}

