import type { FastifyInstance } from 'fastify'
import { verifySlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt'
import type { Logger } from 'pino'

/** Slack gives up on a request after 3 s and retries: answer before that even while work goes on. */
const ANSWER_WITHIN_MS = 2500

/** The request body Slack sent: JSON for events, a form (with a JSON `payload`) for buttons and commands. */
function parseBody (raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith('application/x-www-form-urlencoded') === true) {
    const form = Object.fromEntries(new URLSearchParams(raw))
    return typeof form.payload === 'string' ? JSON.parse(form.payload) as Record<string, unknown> : form
  }
  const parsed: unknown = JSON.parse(raw)
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
  return parsed as Record<string, unknown>
}

/**
 * Bolt's receiver for the hub's Fastify app: POST /<desk id>/events. Slack's signature and
 * 5-minute window are checked with Bolt's own verifySlackRequest over the raw body; the answer
 * waits for the listeners (so an agent's reply is stored before Slack hears 200) unless they
 * take longer than Slack waits.
 */
export class FastifyReceiver implements Receiver {
  private app: App | undefined

  constructor (private readonly signingSecret: string, private readonly logger: Logger) {}

  init (app: App): void {
    this.app = app
  }

  async start (): Promise<void> {}
  async stop (): Promise<void> {}

  async routes (fastify: FastifyInstance): Promise<void> {
    await fastify.register(async scope => {
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => { done(null, body) })
      scope.post('/events', { schema: { hide: true } }, async (request, reply) => {
        const raw = typeof request.body === 'string' ? request.body : ''
        const contentType = request.headers['content-type']
        if (contentType?.startsWith('application/x-www-form-urlencoded') === true && new URLSearchParams(raw).get('ssl_check') === '1') return await reply.send()
        try {
          verifySlackRequest({
            signingSecret: this.signingSecret,
            body: raw,
            headers: { 'x-slack-signature': String(request.headers['x-slack-signature'] ?? ''), 'x-slack-request-timestamp': Number(request.headers['x-slack-request-timestamp']) }
          })
        } catch {
          request.log.warn('slack request refused: bad signature or stale timestamp')
          return await reply.status(401).send({ code: 'invalid_signature', message: 'The request is not signed with this Slack app\'s signing secret, or its timestamp is more than 5 minutes off; check signingSecret in the desk config and the server clock.' })
        }
        let body: Record<string, unknown>
        try {
          body = parseBody(raw, contentType)
        } catch {
          return await reply.status(400).send({ code: 'invalid_payload', message: 'The request body is neither a Slack event (JSON) nor an interaction (form with payload).' })
        }
        if (body.type === 'url_verification') return { challenge: body.challenge }
        return await this.dispatch(body, request.headers, reply)
      })
    })
  }

  private async dispatch (body: Record<string, unknown>, headers: Record<string, string | string[] | undefined>, reply: import('fastify').FastifyReply): Promise<unknown> {
    let answer: unknown
    let acked = false
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => { acked = true; answer = response },
      ...(headers['x-slack-retry-num'] !== undefined ? { retryNum: Number(headers['x-slack-retry-num']) } : {}),
      ...(typeof headers['x-slack-retry-reason'] === 'string' ? { retryReason: headers['x-slack-retry-reason'] } : {})
    }
    let failed = false
    const processing = (this.app?.processEvent(event) ?? Promise.resolve()).catch(err => {
      failed = true
      this.logger.warn({ err: { message: (err as Error).message } }, 'slack event failed')
    })
    let timer: NodeJS.Timeout | undefined
    await Promise.race([processing, new Promise(resolve => { timer = setTimeout(resolve, ANSWER_WITHIN_MS) })])
    clearTimeout(timer)
    if (failed && !acked) return await reply.status(500).send({ code: 'desk_failed', message: 'Omnihub could not handle this Slack request; Slack will retry it.' })
    if (answer === undefined || answer === '') return await reply.send()
    return typeof answer === 'string' ? await reply.type('text/plain').send(answer) : answer
  }
}
