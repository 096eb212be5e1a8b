import { Type } from 'typebox'
import { ChannelSendError, defineChannel, parseJsonBody, verify, type ChannelContext, type OutboundContext } from '../../core/channels/index.js'
import { normalize, OWN_METADATA, type MessagingEvent } from './events.js'
import { classify, GraphClient } from './graph.js'
import { PageRate } from './rate.js'
import { isPrivateUrl } from './upload.js'
import { tagCatalog, TagRule } from './tags.js'
import { windowVerdict } from './window.js'

/**
 * Meta allows one webhook URL per app: entries for any Page of the app may arrive at any of
 * its channels' URLs, and are handed to the channel of their Page here.
 */
const pages = new Map<string, (events: MessagingEvent[]) => Promise<void>>()

const QUICK_REPLIES = 'quick_replies'
/** Messenger shows at most 13 quick replies, each titled in at most 20 characters. */
const MAX_QUICK_REPLIES = 13
const QUICK_REPLY_TITLE = 20
const clip = (text: string, max: number): string => [...text].length <= max ? text : [...text].slice(0, max - 1).join('') + '…'

/** A Facebook Page's Messenger inbox as a channel. */
export default defineChannel({
  name: 'messenger',
  configSchema: Type.Object({
    pageId: Type.String({ pattern: '^[0-9]+$' }),
    pageAccessToken: Type.String({ minLength: 1 }),
    appSecret: Type.String({ minLength: 8 }),
    verifyToken: Type.String({ minLength: 1 }),
    /** The Page has Meta's human agent permission: HUMAN_AGENT replies for 7 days. */
    humanAgent: Type.Boolean({ default: false }),
    graphBaseUrl: Type.String({ default: 'https://graph.facebook.com', pattern: '^https?://' }),
    graphVersion: Type.String({ default: 'v24.0', pattern: '^v[0-9]+\\.[0-9]+$' }),
    /** Send API calls per second for this Page, across all its channels in this process. */
    maxSendsPerSecond: Type.Number({ default: 20, minimum: 0.1, maximum: 1000 }),
    timeoutMs: Type.Integer({ default: 10_000, minimum: 100, maximum: 120_000 }),
    /** Replace or add message tags (see tags.ts) when Meta changes them. */
    tags: Type.Array(TagRule, { default: [] })
  }, { additionalProperties: false }),
  capabilities: {
    text: true, images: true, files: true, cards: true, typing: true, readReceipts: true,
    maxTextLength: 2000, maxAttachments: 1, choices: MAX_QUICK_REPLIES
  },
  secretSettings: ['pageAccessToken', 'appSecret', 'verifyToken'],

  create (config, ctx: ChannelContext) {
    const graph = new GraphClient({ baseUrl: config.graphBaseUrl, version: config.graphVersion, pageAccessToken: config.pageAccessToken, timeoutMs: config.timeoutMs })
    const rate = PageRate.of(config.pageId, config.maxSendsPerSecond)
    const window = { humanAgent: config.humanAgent, tags: tagCatalog(config.tags) }

    /** Name and picture, fetched once per customer after the message is stored; a failure only means no name yet. */
    const lookingUp = new Set<string>()
    const fetchProfile = async (psid: string): Promise<void> => {
      if (lookingUp.has(psid)) return
      lookingUp.add(psid)
      try {
        if (await ctx.kv.get(`profile:${psid}`) !== null) return
        await ctx.updateProfile(psid, await graph.profile(psid))
        await ctx.kv.set(`profile:${psid}`, ctx.clock().toISOString())
      } catch (err) {
        ctx.logger.warn({ code: (err as { code?: number }).code }, 'messenger profile lookup failed')
      } finally {
        lookingUp.delete(psid)
      }
    }

    const handle = async (events: MessagingEvent[]): Promise<void> => {
      for (const event of events) {
        const item = normalize(event)
        if (item.kind === 'message') {
          const outcome = await ctx.ingest(item.message)
          if (!outcome.duplicate && item.message.direction !== 'outbound') void fetchProfile(item.message.from.externalId)
        } else if (item.kind === 'receipt') {
          await ctx.receipt(item.receipt)
        } else {
          ctx.logger.debug({ reason: item.reason }, 'messenger event skipped')
        }
      }
    }
    pages.set(config.pageId, handle)

    const recipientOf = ({ contact }: Pick<OutboundContext, 'contact'>): string => {
      const psid = contact.identities.find(i => i.channelId === ctx.channelId)?.externalId
      if (psid === undefined) throw new ChannelSendError('no_recipient', 'This contact has no Messenger identity on this Page.', { retryable: false })
      return psid
    }
    const call = async <T>(work: () => Promise<T>): Promise<T> => {
      await rate.take()
      try {
        const result = await work()
        ctx.reportHealth({ ok: true })
        return result
      } catch (err) {
        const error = classify(err)
        if (error.code === 'channel_auth_failed') ctx.reportHealth({ ok: false, code: error.code, message: error.message })
        throw error
      }
    }

    return {
      routes (app) {
        app.removeContentTypeParser('application/json')
        app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
        // Meta's verification handshake when the webhook is set up.
        app.get('/webhook', async (request, reply) => {
          const q = request.query as Record<string, string | undefined>
          if (q['hub.mode'] === 'subscribe' && q['hub.verify_token'] === config.verifyToken && q['hub.challenge'] !== undefined) {
            return await reply.type('text/plain').send(q['hub.challenge'])
          }
          return await reply.status(403).send({ code: 'verification_failed', message: 'hub.verify_token does not match this channel\'s verifyToken.' })
        })
        app.post('/webhook', async (request, reply) => {
          const raw = request.body as Buffer | undefined ?? Buffer.alloc(0)
          if (!verify(config.appSecret, raw, request.headers['x-hub-signature-256'] as string | undefined)) {
            return await reply.status(401).send({ code: 'invalid_signature', message: "X-Hub-Signature-256 is missing or does not match the body signed with the app secret." })
          }
          const parsed = parseJsonBody(raw)
          if (!parsed.ok) return await reply.status(400).send(parsed.error.toJSON())
          const body = (parsed.value ?? {}) as { object?: unknown, entry?: unknown }
          if (body.object !== 'page' || !Array.isArray(body.entry)) {
            return await reply.status(400).send({ code: 'invalid_request', message: 'Expected a Page webhook: {"object": "page", "entry": [...]}.', field: body.object !== 'page' ? 'object' : 'entry' })
          }
          // Every event is stored before the 200: Meta redelivers on anything else, and ingest is idempotent by mid.
          for (const entry of body.entry as Array<{ id?: unknown, messaging?: MessagingEvent[] }>) {
            const page = pages.get(String(entry.id))
            if (page === undefined) {
              request.log.warn({ channelId: ctx.channelId, pageId: String(entry.id) }, 'messenger entry for a Page with no channel; skipped')
              continue
            }
            await page(Array.isArray(entry.messaging) ? entry.messaging : [])
          }
          return await reply.type('text/plain').send('EVENT_RECEIVED')
        })
      },

      async stop () {
        if (pages.get(config.pageId) === handle) pages.delete(config.pageId)
      },

      policy (conversation, draft, now) {
        const other = draft.cards.find(card => card.kind !== QUICK_REPLIES)
        if (other !== undefined) return { verdict: 'deny', code: 'cards_unsupported', message: `Messenger replies carry quick replies only, not "${other.kind}" cards; send the details as text.` }
        return windowVerdict(conversation, draft, now, window)
      },

      async send (outbound) {
        const { message } = outbound
        const psid = recipientOf(outbound)
        const how = message.tag !== null ? { messaging_type: 'MESSAGE_TAG', tag: message.tag } : { messaging_type: 'RESPONSE' }
        const metadata = `${OWN_METADATA}${message.id}`
        const quick = message.cards.find(card => card.kind === QUICK_REPLIES)
        const ids: string[] = []
        for (const attachment of message.attachments) {
          // Meta fetches public URLs itself; a file on a private network is uploaded by the hub.
          const payload = isPrivateUrl(attachment.url)
            ? { attachment_id: await (async () => {
              const { data, meta } = await ctx.files.read(attachment.url)
              const file = new Blob([new Uint8Array(data)], { type: attachment.mimeType ?? meta.mimeType })
              return await call(async () => await graph.upload(config.pageId, attachment.kind, file, attachment.name ?? meta.name))
            })() }
            : { url: attachment.url, is_reusable: true }
          ids.push(await call(async () => await graph.sendMessage(config.pageId, {
            recipient: { id: psid }, ...how, message: { attachment: { type: attachment.kind, payload }, metadata }
          })))
        }
        const text = message.text !== '' ? message.text : quick?.title ?? ''
        if (text !== '') {
          const choices = message.extras?.choices
          const quickReplies = choices !== undefined
            ? choices.map(c => ({ content_type: 'text', title: clip(c.label, QUICK_REPLY_TITLE), payload: c.payload }))
            : quick !== undefined ? Object.values(quick.fields ?? {}).map(title => ({ content_type: 'text', title, payload: title })) : undefined
          ids.push(await call(async () => await graph.sendMessage(config.pageId, {
            recipient: { id: psid }, ...how, message: { text, ...(quickReplies !== undefined ? { quick_replies: quickReplies } : {}), metadata }
          })))
        }
        const last = ids[ids.length - 1]
        if (last === undefined) throw new ChannelSendError('empty_message', 'The message has no text or attachment Messenger could carry.', { retryable: false })
        return { externalId: last }
      },

      async typing (_conversation, contact, on) {
        const psid = recipientOf({ contact })
        await call(async () => { await graph.senderAction(config.pageId, psid, on ? 'typing_on' : 'typing_off') })
      }
    }
  }
})
