import { createHmac, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'

export interface SlackCall { method: string, token: string | null, args: Record<string, any>, at: number }
export interface Posted { channel: string, ts: string, text: string, blocks: any[] | undefined, thread_ts: string | undefined }
export interface Ephemeral { channel: string, user: string, text: string, blocks: any[] | undefined, thread_ts: string | undefined }

export const BOT = { userId: 'UBOTSELF', botId: 'BBOTSELF', team: 'T0FAKE' }

/**
 * A local stand-in for Slack as its public docs describe it: the Web API methods the desk
 * calls (`POST /api/<method>`, bearer token, form or JSON arguments, `{ok, error}` answers, 429
 * with `Retry-After`), response_url endpoints, Socket Mode (`apps.connections.open` and a
 * WebSocket of envelopes) and signed Events API / interactivity deliveries (`v0:` HMAC-SHA256).
 */
export class FakeSlack {
  readonly calls: SlackCall[] = []
  /** Messages in channels and threads, by ts, as chat.postMessage left them and chat.update changed them. */
  readonly messages = new Map<string, Posted>()
  readonly ephemerals: Ephemeral[] = []
  /** What was sent to response_url endpoints. */
  readonly responses: Array<Record<string, any>> = []
  /** Slack users' profile emails, for users.info. */
  readonly emails = new Map<string, string>()
  /** Channels the bot was never invited to: posting there gets not_in_channel. */
  readonly notInChannel = new Set<string>()
  /** Channels whose calls are answered 302 to elsewhere, as a proxy in front of Slack that moved would. */
  readonly redirecting = new Set<string>()
  /** Envelopes acknowledged over Socket Mode. */
  readonly socketAcks: string[] = []
  url = ''
  private server: Server | undefined
  private sockets: WebSocketServer | undefined
  private readonly limited = new Map<string, Array<number>>()
  private seq = 0

  constructor (readonly botToken: string, readonly signingSecret: string, readonly appToken = 'xapp-fake') {}

  /** The next `times` calls of `method` get 429 with Retry-After: `seconds`. */
  rateLimit (method: string, times: number, seconds: number): void {
    this.limited.set(method, Array(times).fill(seconds))
  }

  callsOf (method: string): SlackCall[] {
    return this.calls.filter(c => c.method === method)
  }

  /** Top-level messages in a channel, oldest first. */
  parents (channel: string): Posted[] {
    return [...this.messages.values()].filter(m => m.channel === channel && m.thread_ts === undefined)
  }

  /** A thread's replies, oldest first. */
  replies (ts: string): Posted[] {
    return [...this.messages.values()].filter(m => m.thread_ts === ts)
  }

  async listen (): Promise<string> {
    this.server = createServer((request, response) => {
      void this.answer(request).then(([status, body, headers]) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers })
        response.end(JSON.stringify(body))
      })
    })
    this.sockets = new WebSocketServer({ server: this.server, path: '/socket' })
    this.sockets.on('connection', socket => {
      socket.on('message', data => {
        const { envelope_id: id } = JSON.parse(String(data)) as { envelope_id?: string }
        if (id !== undefined) this.socketAcks.push(id)
      })
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0FAKE' }, debug_info: { host: 'fake' } }))
    })
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this.url
  }

  async close (): Promise<void> {
    for (const client of this.sockets?.clients ?? []) client.terminate()
    this.sockets?.close()
    this.server?.closeAllConnections()
    await new Promise(resolve => this.server?.close(resolve))
  }

  private nextTs (): string {
    return `1767000000.${String(++this.seq).padStart(6, '0')}`
  }

  private async answer (request: IncomingMessage): Promise<[number, unknown, Record<string, string>]> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString()
    const path = new URL(request.url ?? '/', 'http://fake').pathname
    if (path.startsWith('/response/')) {
      this.responses.push(JSON.parse(raw) as Record<string, any>)
      return [200, { ok: true }, {}]
    }
    const method = path.replace(/^\/api\//, '')
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? null
    const args = (request.headers['content-type'] ?? '').startsWith('application/json') ? JSON.parse(raw) as Record<string, any> : formArgs(raw)
    this.calls.push({ method, token, args, at: Date.now() })
    if (this.redirecting.has(args.channel)) return [302, {}, { location: `${this.url}/moved/${method}` }]
    const pause = this.limited.get(method)?.shift()
    if (pause !== undefined) return [429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(pause) }]
    if (method === 'apps.connections.open') {
      if (token !== this.appToken) return [200, { ok: false, error: 'invalid_auth' }, {}]
      return [200, { ok: true, url: `${this.url.replace('http', 'ws')}/socket` }, {}]
    }
    if (token !== this.botToken) return [200, { ok: false, error: 'invalid_auth' }, {}]
    switch (method) {
      case 'auth.test':
        return [200, { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'omnihub', team_id: BOT.team, user_id: BOT.userId, bot_id: BOT.botId }, {}]
      case 'chat.postMessage': {
        if (typeof args.channel !== 'string' || (args.text === undefined && args.blocks === undefined)) return [200, { ok: false, error: 'no_text' }, {}]
        if (this.notInChannel.has(args.channel)) return [200, { ok: false, error: 'not_in_channel' }, {}]
        if (args.thread_ts !== undefined && !this.messages.has(args.thread_ts)) return [200, { ok: false, error: 'thread_not_found' }, {}]
        const ts = this.nextTs()
        this.messages.set(ts, { channel: args.channel, ts, text: args.text, blocks: args.blocks, thread_ts: args.thread_ts })
        return [200, { ok: true, channel: args.channel, ts, message: { type: 'message', text: args.text, ts, bot_id: BOT.botId } }, {}]
      }
      case 'chat.update': {
        const message = this.messages.get(args.ts)
        if (message === undefined || message.channel !== args.channel) return [200, { ok: false, error: 'message_not_found' }, {}]
        Object.assign(message, { text: args.text, blocks: args.blocks })
        return [200, { ok: true, channel: args.channel, ts: args.ts, text: args.text }, {}]
      }
      case 'chat.postEphemeral':
        this.ephemerals.push({ channel: args.channel, user: args.user, text: args.text, blocks: args.blocks, thread_ts: args.thread_ts })
        return [200, { ok: true, message_ts: this.nextTs() }, {}]
      case 'users.info': {
        const email = this.emails.get(args.user)
        if (email === undefined && !/^U/.test(String(args.user))) return [200, { ok: false, error: 'user_not_found' }, {}]
        return [200, { ok: true, user: { id: args.user, name: String(args.user).toLowerCase(), profile: email !== undefined ? { email } : {} } }, {}]
      }
      default:
        return [200, { ok: false, error: 'unknown_method' }, {}]
    }
  }

  private signed (body: string, contentType: string, options: { secret?: string, timestamp?: number, retryNum?: number } = {}): RequestInit {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
    const signature = 'v0=' + createHmac('sha256', options.secret ?? this.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')
    return {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-signature': signature,
        'x-slack-request-timestamp': String(timestamp),
        ...(options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {})
      },
      body
    }
  }

  /** An Events API callback as Slack wraps an event; the same `eventId` is what Slack's retries carry. */
  eventBody (event: Record<string, unknown>, eventId = `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`): Record<string, unknown> {
    return {
      token: 'deprecated-verification-token', team_id: BOT.team, api_app_id: 'A0FAKE', type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000),
      event: { event_ts: event.ts, ...event }, authorizations: [{ team_id: BOT.team, user_id: BOT.userId, is_bot: true }]
    }
  }

  /** Delivers an event to the hub over HTTP, signed as Slack signs it. */
  async sendEvent (endpoint: string, body: Record<string, unknown>, options: { secret?: string, timestamp?: number, retryNum?: number } = {}): Promise<Response> {
    return await fetch(endpoint, this.signed(JSON.stringify(body), 'application/json', options))
  }

  /** A person clicked a button: block_actions, sent as Slack does (a form with a JSON payload). */
  actionBody (options: { user: string, channel: string, messageTs: string, threadTs?: string, actionId: string, value: string, ephemeral?: boolean }): Record<string, unknown> {
    return {
      type: 'block_actions', team: { id: BOT.team }, api_app_id: 'A0FAKE', user: { id: options.user }, channel: { id: options.channel },
      container: { type: 'message', message_ts: options.messageTs, channel_id: options.channel, is_ephemeral: options.ephemeral ?? false, ...(options.threadTs !== undefined ? { thread_ts: options.threadTs } : {}) },
      ...(options.ephemeral === true ? {} : { message: { ts: options.messageTs, ...(options.threadTs !== undefined ? { thread_ts: options.threadTs } : {}) } }),
      trigger_id: 'trigger', response_url: `${this.url}/response/${randomUUID()}`,
      actions: [{ type: 'button', action_id: options.actionId, block_id: 'b', value: options.value, action_ts: String(Date.now() / 1000) }]
    }
  }

  async sendAction (endpoint: string, payload: Record<string, unknown>, options: { secret?: string } = {}): Promise<Response> {
    return await fetch(endpoint, this.signed(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', options))
  }

  /** Sends an envelope over every open Socket Mode connection; resolves with its envelope id. */
  sendSocket (type: 'events_api' | 'interactive', payload: Record<string, unknown>): string {
    const id = randomUUID()
    for (const client of this.sockets?.clients ?? [] as WebSocket[]) {
      client.send(JSON.stringify({ envelope_id: id, type, payload, accepts_response_payload: false, ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}) }))
    }
    return id
  }

  get socketConnections (): number {
    return this.sockets?.clients.size ?? 0
  }
}

/** Web API arguments sent as a form: objects and arrays arrive as JSON strings. */
function formArgs (raw: string): Record<string, any> {
  const args: Record<string, any> = {}
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? (() => { try { return JSON.parse(value) } catch { return value } })() : value
  }
  return args
}
