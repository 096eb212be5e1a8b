import { ChannelSendError, defineChannel, healthyCalls, type ChannelContext, type TemplateOffer, type Verdict } from '../../core/channels/index.js'
import { attachmentOf } from '../../core/files/index.js'
import type { Attachment, Card, Contact } from '../../core/model/index.js'
import { isPrivateUrl } from '../messenger/upload.js'
import { metaWebhook } from '../messenger/webhook.js'
import { CloudClient } from './cloud.js'
import { classify } from './errors.js'
import { normalize, type ChangeValue, type Effect } from './events.js'
import { messagesOf, type MediaRef, MAX_ROWS } from './outbound.js'
import { WhatsAppSettings, type WhatsAppConfig } from './settings.js'
import { fill, offerOf } from './templates.js'
import { countryOfPhone } from '../../core/text/index.js'

const HOUR = 3_600_000
/** WhatsApp's customer service window: free-form messages within 24 hours of the customer's last message. */
const WINDOW_MS = 24 * HOUR

/** One webhook URL serves every phone number of the Meta app: changes are handed to the channel of their number. */
const numbers = new Map<string, (value: ChangeValue) => Promise<void>>()
/** Any channel that receives a template's status change tells every channel of its account to read the templates again. */
const accounts = new Map<string, Set<() => void>>()

const ago = (ms: number): string => ms < 48 * HOUR ? `${Math.round(ms / HOUR)} hours ago` : `${Math.round(ms / (24 * HOUR))} days ago`

/** A business phone number on the WhatsApp Business Cloud API as a channel. */
export default defineChannel({
  name: 'whatsapp',
  configSchema: WhatsAppSettings,
  capabilities: {
    text: true, images: true, files: true, cards: true, typing: true, readReceipts: true,
    // Cloud API: a text body of up to 4,096 characters; a list offers up to 10 rows.
    maxTextLength: 4096, maxAttachments: 10, choices: MAX_ROWS
  },
  secretSettings: ['accessToken', 'appSecret', 'verifyToken'],

  create (config: WhatsAppConfig, ctx: ChannelContext) {
    const cloud = new CloudClient({ baseUrl: config.graphBaseUrl, version: config.graphVersion, accessToken: config.accessToken, timeoutMs: config.timeoutMs, maxMediaBytes: config.maxMediaBytes })
    // What only an admin can mend marks the channel unhealthy until a call succeeds again.
    const call = healthyCalls(ctx.reportHealth, classify, ['channel_auth_failed', 'phone_not_registered', 'account_restricted'])
    let offers: TemplateOffer[] = []
    /** Why the last reading of the templates failed, or null: the verdict says so rather than "none approved". */
    let unread: string | null = null
    let timer: ReturnType<typeof setInterval> | undefined

    const loadTemplates = async (): Promise<TemplateOffer[]> => {
      try {
        offers = (await call(async () => await cloud.templates(config.wabaId))).flatMap(t => offerOf(t) ?? [])
        unread = null
        ctx.logger.info({ templates: offers.length }, 'whatsapp templates read')
        return offers
      } catch (err) {
        unread = (err as ChannelSendError).code
        ctx.logger.warn({ code: unread }, 'whatsapp templates not read')
        throw err
      }
    }
    const refresh = (): void => { void loadTemplates().catch(() => {}) }

    /** A customer's media, kept in the hub's file store; one that cannot be fetched becomes a card saying so. */
    const fetchMedia = async (media: Extract<Effect, { kind: 'message' }>['media']): Promise<{ attachments: Attachment[], cards: Card[] }> => {
      const attachments: Attachment[] = []
      const cards: Card[] = []
      for (const m of media) {
        try {
          const { data, mimeType } = await cloud.download(m.id)
          attachments.push({ ...attachmentOf(await ctx.files.put(data, { name: m.name, mimeType })), kind: m.kind })
        } catch (err) {
          ctx.logger.warn({ code: classify(err).code }, 'whatsapp media not downloaded')
          cards.push({ kind: 'media_unavailable', title: `A ${m.kind} that could not be downloaded; ask the customer to send it again`, fields: { mediaId: m.id } })
        }
      }
      return { attachments, cards }
    }

    const apply = async (effect: Effect): Promise<void> => {
      switch (effect.kind) {
        case 'message': {
          // A redelivered message with media: stored already, nothing to download again (ingest dedupes the rest).
          if (effect.media.length > 0 && (await ctx.findMessages([effect.message.externalId])).length > 0) return
          const fetched = await fetchMedia(effect.media)
          const quoted = effect.quotes === undefined ? undefined : (await ctx.findMessages([effect.quotes]))[0]
          const outcome = await ctx.ingest({
            ...effect.message,
            attachments: fetched.attachments,
            cards: [...(effect.message.cards ?? []), ...fetched.cards],
            ...(effect.quotes !== undefined ? { extras: { ...effect.message.extras, quote: { messageId: quoted?.id ?? null, externalId: effect.quotes, text: quoted?.text ?? '' } } } : {})
          })
          // What a "read" and the typing indicator refer to: the customer's latest message.
          if (!outcome.duplicate) await ctx.kv.set(`last-inbound:${outcome.conversationId}`, effect.message.externalId)
          // The number says the customer's country (a contact that has one keeps it).
          const country = outcome.duplicate ? null : countryOfPhone(effect.message.from.externalId)
          if (country !== null) await ctx.updateProfile(effect.message.from.externalId, { country })
          return
        }
        case 'receipt':
          await ctx.receipt(effect.receipt)
          return
        case 'failed':
          if (!await ctx.outboundFailed(effect.externalId, effect.failure)) ctx.logger.info({ code: effect.failure.code }, 'whatsapp failure for a message not kept here')
          return
        case 'amend':
          if (!await ctx.amendMessage(effect.externalId, effect.amendment)) ctx.logger.info({ reason: 'reacts to a message not kept here' }, 'whatsapp event skipped')
          return
        case 'skip':
          ctx.logger.debug({ reason: effect.reason }, 'whatsapp event skipped')
      }
    }
    const handle = async (value: ChangeValue): Promise<void> => {
      for (const effect of normalize(value)) await apply(effect)
    }
    numbers.set(config.phoneNumberId, handle)
    const listeners = accounts.get(config.wabaId) ?? new Set()
    listeners.add(refresh)
    accounts.set(config.wabaId, listeners)

    const waIdOf = (contact: Contact): string => {
      const id = contact.identities.find(i => i.channelId === ctx.channelId)?.externalId
      if (id === undefined) throw new ChannelSendError('no_recipient', 'This contact has no WhatsApp number on this channel.', { retryable: false })
      return id
    }
    const markRead = async (conversationId: string, typing: boolean): Promise<void> => {
      const last = await ctx.kv.get(`last-inbound:${conversationId}`)
      if (last !== null) await call(async () => { await cloud.markRead(config.phoneNumberId, last, typing) })
    }

    return {
      async start () {
        refresh()
        timer = setInterval(refresh, config.templatesRefreshMs)
        timer.unref()
      },

      async stop () {
        clearInterval(timer)
        if (numbers.get(config.phoneNumberId) === handle) numbers.delete(config.phoneNumberId)
        accounts.get(config.wabaId)?.delete(refresh)
      },

      routes (app) {
        metaWebhook(app, {
          verifyToken: config.verifyToken,
          appSecret: config.appSecret,
          objects: ['whatsapp_business_account'],
          handle: async (_object, entries, log) => {
            for (const entry of entries as Array<{ id?: unknown, changes?: Array<{ field?: string, value?: ChangeValue }> }>) {
              for (const change of Array.isArray(entry.changes) ? entry.changes : []) {
                if (change.field === 'message_template_status_update' || change.field === 'message_template_quality_update') {
                  for (const reread of accounts.get(String(entry.id)) ?? []) reread()
                  continue
                }
                if (change.field !== 'messages' || change.value === undefined) continue
                const target = numbers.get(String(change.value.metadata?.phone_number_id))
                if (target === undefined) {
                  log.warn({ channelId: ctx.channelId, phoneNumberId: change.value.metadata?.phone_number_id }, 'whatsapp change for a number with no channel; skipped')
                  continue
                }
                await target(change.value)
              }
            }
          }
        })
      },

      policy (conversation, draft, now): Verdict {
        if (draft.template !== undefined) {
          const filled = fill(offers, draft.template)
          return 'code' in filled ? { verdict: 'deny', code: filled.code, message: filled.message } : { verdict: 'allow' }
        }
        const last = conversation.lastInboundAt
        const since = last === null ? Infinity : now.getTime() - new Date(last).getTime()
        if (since < WINDOW_MS) return { verdict: 'allow', windowClosesAt: new Date(new Date(last!).getTime() + WINDOW_MS) }
        if (draft.automated) return { verdict: 'deny', code: 'window_closed', message: 'Automatic messages go only within 24 hours of the customer\'s last message.' }
        const when = last === null ? 'The customer has not written on WhatsApp yet' : `The customer last wrote ${ago(since)}`
        return {
          verdict: 'deny',
          code: 'template_required',
          message: offers.length > 0
            ? `${when}: outside WhatsApp's 24-hour window only an approved template can reach them. Choose one; it is billed by its category.`
            : unread !== null
              ? `${when}: outside WhatsApp's 24-hour window only an approved template can reach them, and the templates could not be read from WhatsApp (${unread}); refresh them, or ask an admin to check the channel.`
              : `${when}: outside WhatsApp's 24-hour window only an approved template can reach them, and this number has none approved; create one in WhatsApp Manager.`,
          templates: offers
        }
      },

      templates: {
        list: async force => force || offers.length === 0 ? await loadTemplates() : offers,
        fill: use => fill(offers, use)
      },

      async send ({ message, contact }) {
        const to = waIdOf(contact)
        // Meta fetches public links itself; a file on a private network is uploaded by the hub first.
        const media: MediaRef[] = []
        for (const a of message.attachments) {
          if (!isPrivateUrl(a.url)) { media.push({ link: a.url }); continue }
          const { data, meta } = await ctx.files.read(a.url)
          media.push({ id: await call(async () => await cloud.upload(config.phoneNumberId, new Blob([new Uint8Array(data)], { type: a.mimeType ?? meta.mimeType }), a.name ?? meta.name)) })
        }
        const ids: string[] = []
        for (const body of messagesOf(message, media)) ids.push(await call(async () => await cloud.send(config.phoneNumberId, { to, ...body })))
        const last = ids.at(-1)
        if (last === undefined) throw new ChannelSendError('empty_message', 'The message has no text, attachment or card WhatsApp could carry.', { retryable: false })
        return { externalId: last }
      },

      // Blue ticks when an agent opens the conversation; the typing indicator rides on the same call.
      async read (conversation) {
        await markRead(conversation.id, false)
      },

      async typing (conversation, _contact, on) {
        if (on) await markRead(conversation.id, true)
      }
    }
  }
})
