import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ChannelSendError, defineChannel, parseJsonBody, remoteSendError, type ChannelContext } from '../../core/channels/index.js'
import { fetchRemote, type RemoteResponse } from '../../core/remote/index.js'
import type { Card } from '../../core/model/index.js'
import { loadProfile, profileFile } from './load.js'
import { PushError, type Api, type CardKind, type Credentials, type MarketMessage, type MarketplaceProfile, type OutboundPart } from './profile.js'

/** Seller chat of a marketplace shop (TikTok Shop, Shopee, Lazada, or a profile of your own) as a channel. */
export default defineChannel({
  name: 'marketplace',
  configSchema: Type.Object({
    /** A file in plugins/marketplace/profiles (`tiktok-shop`, `shopee`, `lazada`), or a path to a profile module. */
    profile: Type.String({ minLength: 1 }),
    shopId: Type.String({ minLength: 1 }),
    appKey: Type.String({ minLength: 1 }),
    appSecret: Type.String({ minLength: 8 }),
    accessToken: Type.String({ minLength: 1 }),
    /** The marketplace's API host for the shop's region, e.g. https://open-api.tiktokglobalshop.com. */
    apiBaseUrl: Type.String({ pattern: '^https?://' }),
    /** The public URL the marketplace pushes to (this channel's /push): Shopee signs it with the body. */
    pushUrl: Type.String({ default: '' }),
    timeoutMs: Type.Integer({ default: 10_000, minimum: 100, maximum: 120_000 }),
    catchUp: Type.Object({
      /** How often to ask for messages whose push never arrived; 0 turns it off (it still runs at start). */
      intervalMs: Type.Integer({ default: 300_000, minimum: 0 }),
      maxPages: Type.Integer({ default: 20, minimum: 1, maximum: 1000 })
    }, { additionalProperties: false, default: {} })
  }, { additionalProperties: false }),
  capabilities: {
    text: true, images: false, files: false, cards: true, typing: false, readReceipts: false,
    maxTextLength: 2000, maxAttachments: 0
  },
  secretSettings: ['appSecret', 'accessToken'],

  validate (config) {
    const problems: string[] = []
    if (profileFile(config.profile) === null) problems.push(`profile: no marketplace profile "${config.profile}"; use tiktok-shop, shopee, lazada or a path to a profile file`)
    return problems
  },

  async create (config, ctx: ChannelContext) {
    const profile: MarketplaceProfile = await loadProfile(config.profile)
    const credentials: Credentials = { appKey: config.appKey, appSecret: config.appSecret, accessToken: config.accessToken, shopId: config.shopId, pushUrl: config.pushUrl }
    const log = ctx.logger.child({ marketplace: profile.name })

    const api: Api = async ({ method, path, query, headers, body }) => {
      const url = `${config.apiBaseUrl.replace(/\/$/, '')}${path}${query !== undefined ? `?${new URLSearchParams(query).toString()}` : ''}`
      let response: RemoteResponse
      try {
        response = await fetchRemote(url, {
          method,
          headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          timeoutMs: config.timeoutMs,
          what: profile.title
        })
      } catch (err) {
        throw remoteSendError('marketplace', err)
      }
      let parsed: unknown = {}
      try { parsed = JSON.parse(response.body.toString('utf8')) } catch {}
      return { status: response.status, body: parsed }
    }

    /** Stores one marketplace message (idempotent) and remembers its conversation for replies; our own sends echoed back are skipped. */
    const take = async (m: MarketMessage): Promise<boolean> => {
      if (m.message.direction === 'outbound' && await ctx.kv.get(`own:${m.message.externalId}`) !== null) return false
      const outcome = await ctx.ingest(m.message)
      if (outcome.duplicate) return false
      // Read before writing: the marketplace's conversation rarely changes, and a push should not pay a second write.
      const key = `conv:${outcome.conversationId}`
      if (await ctx.kv.get(key) !== m.conversationRef) await ctx.kv.set(key, m.conversationRef)
      return true
    }

    let running: Promise<void> | null = null
    const catchUp = async (): Promise<void> => {
      running ??= catchUpOnce().finally(() => { running = null })
      await running
    }
    const catchUpOnce = async (): Promise<void> => {
      let recovered = 0
      try {
        let cursor = await ctx.kv.get('catchup-cursor')
        for (let page = 0; page < config.catchUp.maxPages; page++) {
          const result = await profile.catchUp(api, cursor, credentials, ctx.clock())
          for (const m of result.messages) if (await take(m)) recovered++
          cursor = result.cursor
          if (cursor !== null) await ctx.kv.set('catchup-cursor', cursor)
          if (!result.more) break
        }
        if (recovered > 0) log.info({ recovered }, 'catch-up recovered messages the marketplace had not pushed')
        ctx.reportHealth({ ok: true })
      } catch (err) {
        const code = err instanceof ChannelSendError ? err.code : 'catch_up_failed'
        log.warn({ code }, 'marketplace catch-up failed; next try at the next interval')
        ctx.reportHealth({ ok: false, code, message: `Catching up with ${profile.title} failed: ${(err as Error).message}` })
      }
    }
    let timer: NodeJS.Timeout | undefined

    return {
      routes (app) {
        // The signature covers the raw bytes: keep them, parse after verifying.
        app.removeContentTypeParser('application/json')
        app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
        app.post('/push', async (request: FastifyRequest, reply: FastifyReply) => {
          const started = performance.now()
          const raw = request.body as Buffer | undefined ?? Buffer.alloc(0)
          const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]))
          if (!profile.verifyPush({ raw, headers }, credentials)) {
            log.warn('push with a bad signature refused')
            return await reply.status(401).send({ code: 'invalid_signature', message: `The Authorization header does not match the body as ${profile.title} signs it; check the channel's appKey and appSecret${profile.name === 'shopee' ? ' and pushUrl' : ''}.` })
          }
          const parsed = parseJsonBody(raw)
          const notAPush = async (reason: string): Promise<unknown> =>
            await reply.status(400).send({ code: 'invalid_push', message: `This is not a ${profile.title} push: ${reason}.` })
          if (!parsed.ok) return parsed.error.code === 'invalid_encoding' ? await reply.status(400).send(parsed.error.toJSON()) : await notAPush('the body is not JSON')
          let messages: MarketMessage[]
          try {
            messages = profile.parsePush(parsed.value, credentials)
          } catch (err) {
            return await notAPush(err instanceof PushError ? err.message : 'the body is not a push this channel reads')
          }
          // Stored before the answer; routing, delivery to agents and everything slower run in jobs.
          for (const m of messages) await take(m)
          const ms = performance.now() - started
          if (ms > profile.ackDeadlineMs) log.warn({ ms: Math.round(ms), deadlineMs: profile.ackDeadlineMs }, 'push answered after the marketplace deadline')
          return await reply.send({ code: 0, message: 'success' })
        })
      },

      async start () {
        void catchUp()
        if (config.catchUp.intervalMs > 0) {
          timer = setInterval(() => { void catchUp() }, config.catchUp.intervalMs)
          timer.unref()
        }
      },

      async stop () {
        clearInterval(timer)
        // What a catch-up already fetched is stored before the store closes.
        await running
      },

      policy (_conversation, draft) {
        if (draft.text.length > profile.limits.maxTextLength) {
          return { verdict: 'deny', code: 'text_too_long', message: `${profile.title} takes at most ${profile.limits.maxTextLength} characters per message; this one has ${draft.text.length}. Shorten it or split it.` }
        }
        for (const card of draft.cards) {
          if (!profile.limits.cards.includes(card.kind as CardKind)) {
            return { verdict: 'deny', code: 'card_unsupported', message: `${profile.title} cannot send a "${card.kind}" card; it sends ${profile.limits.cards.map(k => `${k} cards`).join(' and ') || 'no cards'}.` }
          }
          if (card.id === undefined) {
            return { verdict: 'deny', code: 'card_needs_id', message: `A ${card.kind} card needs the ${profile.title} ${card.kind === 'order' ? 'order number' : 'product id'} as its id.` }
          }
        }
        return { verdict: 'allow' }
      },

      async send ({ conversation, contact, message }) {
        const buyerId = contact.identities.find(i => i.channelId === ctx.channelId)?.externalId
        if (buyerId === undefined) throw new ChannelSendError('no_recipient', `This contact is not a buyer of this ${profile.title} shop.`, { retryable: false })
        const conversationRef = await ctx.kv.get(`conv:${conversation.id}`)
        const parts: OutboundPart[] = [
          ...(message.text.trim() !== '' ? [{ type: 'text' as const, text: message.text }] : []),
          // The policy let only cards of this marketplace's kinds, with ids, through.
          ...message.cards.map(card => ({ type: 'card' as const, card: card as Card & { kind: CardKind, id: string } }))
        ]
        // Each part is its own marketplace message; a retry sends only the parts not yet sent.
        const ids: string[] = []
        for (const [i, part] of parts.entries()) {
          const key = `part:${message.id}:${i}`
          let id = await ctx.kv.get(key)
          if (id === null) {
            id = await profile.send(api, { conversationRef, buyerId, part }, credentials, ctx.clock())
            if (parts.length > 1) await ctx.kv.set(key, id)
            // One part's echo matches the stored message's id; several parts' echoes need a note each.
            if (parts.length > 1) await ctx.kv.set(`own:${id}`, message.id)
          }
          ids.push(id)
        }
        if (parts.length > 1) for (const i of parts.keys()) await ctx.kv.delete(`part:${message.id}:${i}`)
        return { externalId: ids.join(',') }
      }
    }
  }
})
