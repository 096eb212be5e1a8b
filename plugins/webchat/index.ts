import type { FastifyReply, FastifyRequest } from 'fastify'
import { defineChannel } from '../../core/channels/index.js'
import { attachmentOf, fileKeyOf, uploadedFileName } from '../../core/files/index.js'
import type { Contact } from '../../core/model/index.js'
import { widgetBundle } from './assets.js'
import { demoPage } from './demo.js'
import type { ServerFrame } from './frames.js'
import { Counter, RateLimiter } from './limits.js'
import { sendFrame, VisitorSockets } from './live.js'
import { uploadKey, VisitorSession } from './session.js'
import { settingsProblems, WebchatSettings } from './settings.js'
import { Visitors } from './visitors.js'
import { messageFrame } from './wire.js'

/** Close codes the widget understands: 4003 refused for good (blocked, origin), 4029 too many (retry later). */
const REFUSED = 4003
const TOO_MANY = 4029
/** Visitors behind one address (an office, a mobile carrier's NAT) share a budget this many times one visitor's. */
const IP_SHARE = 20

/**
 * The website chat widget: a script a seller pastes into their pages, and the WebSocket its
 * visitors talk over. Visitors keep their conversation across pages, tabs and reconnects;
 * what they send while offline is sent once they are back, exactly once.
 */
export default defineChannel({
  name: 'webchat',
  configSchema: WebchatSettings,
  capabilities: {
    text: true, images: true, files: true, cards: true, typing: true, readReceipts: true,
    maxTextLength: 5000, maxAttachments: 10, choices: 10
  },
  secretSettings: ['identitySecret'],
  validate: settingsProblems,

  async create (settings, ctx) {
    const visitors = await Visitors.open(ctx.kv)
    const sockets = new VisitorSockets(ctx, settings)
    const { limits } = settings
    const deps = {
      ctx, settings, visitors, sockets,
      messageLimit: new RateLimiter(limits.messagesPerMinute),
      eventLimit: new RateLimiter(limits.eventsPerMinute),
      ipLimit: new RateLimiter(limits.eventsPerMinute * IP_SHARE),
      connections: new Counter(limits.connectionsPerIp)
    }
    const connectLimit = new RateLimiter(limits.connectsPerIpPerMinute, limits.connectsPerIpPerMinute)
    const blockedIps = new Set(settings.blocked.ips)
    const blockedVisitors = new Set(settings.blocked.visitors)
    const originAllowed = (origin: string | undefined): boolean =>
      settings.allowedOrigins.length === 0 || (origin !== undefined && settings.allowedOrigins.includes(origin))

    const identityOf = (contact: Contact): string | null =>
      contact.identities.find(i => i.channelId === ctx.channelId)?.externalId ?? null
    /** To every tab of the visitor behind an identity, if there is one. */
    const tell = async (externalId: string | null, frame: ServerFrame): Promise<void> => {
      if (externalId !== null) await sockets.toIdentity(externalId, frame)
    }
    /** Cross-origin uploads from the seller's pages. */
    const cors = (request: FastifyRequest, reply: FastifyReply): boolean => {
      const origin = request.headers.origin
      if (origin === undefined) return true
      if (!originAllowed(origin)) return false
      void reply.header('access-control-allow-origin', origin).header('vary', 'origin')
        .header('access-control-allow-headers', 'authorization, content-type, x-file-name, x-file-type')
        .header('access-control-allow-methods', 'POST, OPTIONS').header('access-control-max-age', '600')
      return true
    }

    return {
      demoPage: settings.demo ? 'demo' : undefined,

      routes (app) {
        app.get('/widget.js', async (request, reply) => {
          const bundle = widgetBundle()
          if (bundle === null) return await reply.status(503).send({ code: 'widget_not_built', message: 'The widget bundle is missing; run npm run build.' })
          if (request.headers['if-none-match'] === bundle.etag) return await reply.status(304).send()
          return await reply.type('text/javascript; charset=utf-8').header('etag', bundle.etag)
            .header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*').send(bundle.code)
        })

        if (settings.demo) {
          app.get('/demo', async (_request, reply) => await reply.type('text/html; charset=utf-8').send(demoPage(ctx.channelId)))
        }

        app.get<{ Querystring: { token?: string } }>('/ws', { websocket: true }, (socket, request) => {
          const refuse = (code: string, message: string, close: number): void => {
            sendFrame(socket, { type: 'error', code, message })
            socket.close(close, code)
          }
          const ip = request.ip
          if (blockedIps.has(ip)) return refuse('blocked', 'This chat is not available.', REFUSED)
          if (!originAllowed(request.headers.origin)) return refuse('origin_not_allowed', 'This site may not embed this chat; the hub\'s admin lists allowed sites in allowedOrigins.', REFUSED)
          const wait = connectLimit.take(ip, Date.now())
          if (wait > 0) return refuse('too_many_connections', `Too many connections from your address; try again in ${Math.ceil(wait / 1000)} s.`, TOO_MANY)
          if (!deps.connections.acquire(ip)) return refuse('too_many_connections', 'Too many chat windows are open from your address; close some and try again.', TOO_MANY)
          let visitorId = visitors.verify(request.query.token)
          let token = request.query.token ?? ''
          if (visitorId === null) ({ visitorId, token } = visitors.create())
          if (blockedVisitors.has(visitorId)) {
            deps.connections.release(ip)
            return refuse('blocked', 'This chat is not available.', REFUSED)
          }
          new VisitorSession(deps, socket, visitorId, ip).start(token)
        })

        // Files: raw bytes, the name and type in headers (no multipart parser needed), then sent as a message's attachment.
        app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: settings.attachments.maxBytes }, (_request, body, done) => done(null, body))
        app.options('/uploads', async (request, reply) => await reply.status(cors(request, reply) ? 204 : 403).send())
        app.post('/uploads', async (request, reply) => {
          if (!cors(request, reply)) return await reply.status(403).send({ code: 'origin_not_allowed', message: 'This site may not embed this chat.' })
          const visitorId = visitors.verify((request.headers.authorization ?? '').replace(/^Bearer /i, ''))
          if (visitorId === null || blockedVisitors.has(visitorId) || blockedIps.has(request.ip)) {
            return await reply.status(401).send({ code: 'invalid_visitor', message: 'Send the visitor token from the widget as Authorization: Bearer <token>.' })
          }
          const wait = deps.messageLimit.take(visitorId, Date.now())
          if (wait > 0) return await reply.status(429).header('retry-after', Math.ceil(wait / 1000)).send({ code: 'rate_limited', message: 'You are sending too fast; try again shortly.' })
          const type = String(request.headers['x-file-type'] ?? '').toLowerCase()
          const allowed = settings.attachments.types.some(t => t === type || (t.endsWith('/*') && type.startsWith(t.slice(0, -1))))
          if (!allowed) return await reply.status(415).send({ code: 'file_type_not_allowed', message: `This kind of file cannot be sent here; allowed: ${settings.attachments.types.join(', ')}.` })
          const data = request.body
          if (!Buffer.isBuffer(data) || data.length === 0) return await reply.status(400).send({ code: 'empty_file', message: 'Send the file\'s bytes as an application/octet-stream body.' })
          const stored = await ctx.files.put(data, { name: uploadedFileName(request.headers['x-file-name']), mimeType: type })
          await ctx.kv.set(uploadKey(fileKeyOf(stored.url)!), visitorId)
          return await reply.status(201).send({ attachment: attachmentOf(stored), link: ctx.files.link(stored.url) })
        })
      },

      async stop () {
        sockets.close()
      },

      // A website chat has no reply window: an agent may answer any time; an absent visitor reads it on return.
      policy: () => ({ verdict: 'allow' }),

      async send ({ contact, message }) {
        await tell(identityOf(contact), messageFrame(message, ctx.files))
        return { externalId: message.id }
      },

      async typing (_conversation, contact, on) {
        await tell(identityOf(contact), { type: 'typing', on })
      },

      async read (conversation, at) {
        await ctx.kv.set(`seen:${conversation.id}`, at.toISOString())
        await tell(await visitors.identityOf(conversation.id), { type: 'seen', at: at.toISOString() })
      },

      // Kept per conversation too, so a page loaded later still shows the place in line or the agent.
      async notify (conversation, notice) {
        const externalId = await visitors.identityOf(conversation.id)
        if (notice.type === 'queued') {
          await ctx.kv.set(`notice:${conversation.id}`, JSON.stringify({ position: notice.position }))
          await tell(externalId, { type: 'queue', position: notice.position })
        } else {
          const agent = { name: notice.agent.name }
          await ctx.kv.set(`notice:${conversation.id}`, JSON.stringify({ agent }))
          await tell(externalId, { type: 'assigned', agent })
        }
      }
    }
  }
})
