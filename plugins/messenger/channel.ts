import { Type, type Static, type TObject } from 'typebox'
import { ChannelSendError, defineChannel, healthyCalls, type ChannelContext, type ChannelPluginDefinition, type OutboundContext, type Verdict } from '../../core/channels/index.js'
import type { Card, Contact, Conversation } from '../../core/model/index.js'
import { normalize, OWN_METADATA, USER_REF, type Effect, type MessagingEvent } from './events.js'
import { classify, GraphClient } from './graph.js'
import type { MetaProfile } from './profile.js'
import { PageRate } from './rate.js'
import { isPrivateUrl } from './upload.js'
import { tagCatalog, TagRule } from './tags.js'
import { metaWebhook } from './webhook.js'
import { AD_WINDOW, AD_WINDOW_MS, windowVerdict } from './window.js'
import { fromLocaleTag } from '../../core/text/index.js'

/**
 * Meta allows one webhook URL per app and product: entries for any Page or Instagram account of
 * the app may arrive at any of its channels' URLs, and are handed to the channel of their
 * account here, by `object:id`.
 */
const accounts = new Map<string, (events: Array<{ event: MessagingEvent, standby: boolean }>, entryTime: Date | undefined) => Promise<void>>()

const QUICK_REPLIES = 'quick_replies'
/** Messenger shows at most 13 quick replies, each titled in at most 20 characters; a generic template at most 10 elements. */
const MAX_QUICK_REPLIES = 13
const QUICK_REPLY_TITLE = 20
const MAX_ELEMENTS = 10
/** Meta's Page inbox: the app a thread is handed back to by default. */
export const PAGE_INBOX_APP = '263902037430900'
/** The conversation's channel state key: the app that owns the thread, when it is not this hub's. */
export const THREAD_OWNER = 'threadOwner'
/** The User Profile API's `timezone` (hours from UTC) as an IANA zone; Etc/ zones count the other way round (UTC+8 is Etc/GMT-8). Half hours have none. */
const zoneOfOffset = (hours: number): { timeZone?: string } =>
  !Number.isInteger(hours) || Math.abs(hours) > 14 ? {} : { timeZone: hours === 0 ? 'Etc/GMT' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}` }
const clip = (text: string, max: number): string => [...text].length <= max ? text : [...text].slice(0, max - 1).join('') + '…'

const Common = {
  pageAccessToken: Type.String({ minLength: 1 }),
  appSecret: Type.String({ minLength: 8 }),
  verifyToken: Type.String({ minLength: 1 }),
  /** The Page has Meta's human agent permission: HUMAN_AGENT replies for 7 days. */
  humanAgent: Type.Boolean({ default: false }),
  graphBaseUrl: Type.String({ default: 'https://graph.facebook.com', pattern: '^https?://' }),
  graphVersion: Type.String({ default: 'v24.0', pattern: '^v[0-9]+\\.[0-9]+$' }),
  /** Send API calls per second for this account, across all its channels in this process. */
  maxSendsPerSecond: Type.Number({ default: 20, minimum: 0.1, maximum: 1000 }),
  timeoutMs: Type.Integer({ default: 10_000, minimum: 100, maximum: 120_000 }),
  /** Replace or add message tags (see tags.ts) when Meta changes them. */
  tags: Type.Array(TagRule, { default: [] }),
  /** The handover protocol, when another app (Meta's Page inbox, a bot) shares the Page: agents take and pass threads. */
  handover: Type.Optional(Type.Object({
    /** This hub's Meta app id: a thread passed to it is the hub's again. */
    appId: Type.String({ pattern: '^[0-9]+$' }),
    /** Where `pass_thread` hands a thread: Meta's Page inbox by default. */
    passTo: Type.String({ default: PAGE_INBOX_APP, pattern: '^[0-9]+$' })
  }, { additionalProperties: false }))
}
const CommonSettings = Type.Object(Common)
type CommonSettings = Static<typeof CommonSettings>

export const MessengerSettings = Type.Object({
  pageId: Type.String({ pattern: '^[0-9]+$' }),
  /** The app has Meta's pages_user_locale and pages_user_timezone: the customer's language, country and time zone come with their name. */
  profileLocale: Type.Boolean({ default: false }),
  ...Common
}, { additionalProperties: false })
/** The Instagram professional account's id (entry.id of its webhooks), linked to the Page whose token sends. */
export const InstagramSettings = Type.Object({ accountId: Type.String({ pattern: '^[0-9]+$' }), ...Common }, { additionalProperties: false })

/** One Messenger Platform channel, Messenger or Instagram Direct by its profile: one code path for both. */
export function metaChannel<S extends TObject> (profile: MetaProfile, schema: S, accountOf: (config: Static<S>) => string): ChannelPluginDefinition<S> {
  return defineChannel({
    name: profile.plugin,
    configSchema: schema,
    capabilities: {
      text: true, images: true, files: profile.sends.includes('file'), cards: true, typing: true, readReceipts: true,
      maxTextLength: profile.maxTextLength, maxAttachments: 1, choices: MAX_QUICK_REPLIES
    },
    secretSettings: ['pageAccessToken', 'appSecret', 'verifyToken'],

    create (settings: Static<S>, ctx: ChannelContext) {
      const config = settings as unknown as CommonSettings
      const account = accountOf(settings)
      const graph = new GraphClient({ baseUrl: config.graphBaseUrl, version: config.graphVersion, pageAccessToken: config.pageAccessToken, timeoutMs: config.timeoutMs })
      const rate = PageRate.of(`${profile.object}:${account}`, config.maxSendsPerSecond)
      const window = { humanAgent: config.humanAgent, tags: tagCatalog(config.tags, profile.plugin) }
      const handover = config.handover

      /** Name and picture, fetched once per customer after the message is stored; a failure only means no name yet. */
      const lookingUp = new Set<string>()
      const fetchProfile = async (person: string): Promise<void> => {
        if (lookingUp.has(person) || person.startsWith(USER_REF)) return
        lookingUp.add(person)
        try {
          if (await ctx.kv.get(`profile:${person}`) !== null) return
          const withLocale = (settings as { profileLocale?: boolean }).profileLocale === true
          const fields = await graph.profile(person, withLocale ? `${profile.profileFields},locale,timezone` : profile.profileFields)
          const name = profile.nameOf(fields)
          const picture = fields[profile.pictureField]
          await ctx.updateProfile(person, {
            ...(name !== '' ? { name } : {}),
            ...(typeof picture === 'string' ? { avatarUrl: picture } : {}),
            ...(typeof fields.locale === 'string' ? fromLocaleTag(fields.locale) : {}),
            ...(typeof fields.timezone === 'number' ? zoneOfOffset(fields.timezone) : {})
          })
          await ctx.kv.set(`profile:${person}`, ctx.clock().toISOString())
        } catch (err) {
          ctx.logger.warn({ code: (err as { code?: number }).code }, `${profile.plugin} profile lookup failed`)
        } finally {
          lookingUp.delete(person)
        }
      }

      /** The conversation of a person, for events that name only them (handover). */
      const remember = async (person: string, conversationId: string): Promise<void> => { await ctx.kv.set(`conversation:${person}`, conversationId) }

      const apply = async (effect: Effect, standby: boolean): Promise<void> => {
        switch (effect.kind) {
          case 'message': {
            const quoted = effect.quotes === undefined ? undefined : (await ctx.findMessages([effect.quotes]))[0]
            const message = {
              ...effect.message,
              ...(effect.sameAs !== undefined ? { from: { ...effect.message.from, sameAs: effect.sameAs } } : {}),
              ...(effect.quotes !== undefined ? { extras: { ...effect.message.extras, quote: { messageId: quoted?.id ?? null, externalId: effect.quotes, text: quoted?.text ?? '' } } } : {})
            }
            const outcome = await ctx.ingest(message)
            if (standby || handover !== undefined) await remember(message.from.externalId, outcome.conversationId)
            // Another app owns the thread: what it receives is kept here, and agents see who answers.
            if (standby) await ctx.setConversationState(outcome.conversationId, { [THREAD_OWNER]: 'other' })
            // Meta delivers `messaging[]` to the thread's owner only: a missed handover event is corrected here.
            else if (handover !== undefined && !outcome.duplicate && (await ctx.getConversation(outcome.conversationId))?.channelState[THREAD_OWNER] !== undefined) {
              await ctx.setConversationState(outcome.conversationId, { [THREAD_OWNER]: null })
            }
            if (effect.adWindow === true && effect.message.sentAt !== undefined) await openAdWindow(outcome.conversationId, effect.message.sentAt)
            if (!outcome.duplicate && message.direction !== 'outbound') void fetchProfile(message.from.externalId)
            return
          }
          case 'receipt':
            await ctx.receipt(effect.receipt)
            return
          case 'amend':
            if (!await ctx.amendMessage(effect.externalId, effect.amendment)) ctx.logger.info({ reason: 'amends a message not kept here' }, `${profile.plugin} event skipped`)
            return
          case 'thread': {
            const conversationId = await ctx.kv.get(`conversation:${effect.person}`)
            if (conversationId !== null) await ctx.setConversationState(conversationId, { [THREAD_OWNER]: effect.owner })
            return
          }
          case 'enforcement':
            ctx.reportHealth(effect.blocked
              ? { ok: false, code: 'policy_blocked', message: `Meta blocked this account from messaging: ${effect.reason}` }
              : { ok: true })
            return
          case 'skip':
            ctx.logger.debug({ reason: effect.reason }, `${profile.plugin} event skipped`)
        }
      }

      /** The first message after an ad click opens a window of up to 7 days from that message, once per click. */
      const openAdWindow = async (conversationId: string, at: Date): Promise<void> => {
        const conversation = await ctx.getConversation(conversationId)
        if (conversation === null || Number(conversation.channelState[AD_WINDOW] ?? 0) > at.getTime()) return
        await ctx.setConversationState(conversationId, { [AD_WINDOW]: at.getTime() + AD_WINDOW_MS })
      }

      const handle = async (events: Array<{ event: MessagingEvent, standby: boolean }>, entryTime: Date | undefined): Promise<void> => {
        for (const { event, standby } of events) {
          for (const effect of normalize(event, handover?.appId ?? null, entryTime)) await apply(effect, standby)
        }
      }
      accounts.set(`${profile.object}:${account}`, handle)

      const personOf = (contact: Contact): string => {
        const id = contact.identities.find(i => i.channelId === ctx.channelId)?.externalId
        if (id === undefined) throw new ChannelSendError('no_recipient', `This contact has no ${profile.label} identity on this account.`, { retryable: false })
        return id
      }
      // Chat-plugin guests and checkbox opt-ins are reached by user_ref until Meta gives their id.
      const recipientOf = (contact: Contact): Record<string, string> => {
        const person = personOf(contact)
        return person.startsWith(USER_REF) ? { user_ref: person.slice(USER_REF.length) } : { id: person }
      }
      const healthy = healthyCalls(ctx.reportHealth, classify, ['channel_auth_failed'])
      const call = async <T>(work: () => Promise<T>): Promise<T> => {
        await rate.take()
        return await healthy(work)
      }

      const ownedElsewhere = (conversation: Conversation): Verdict | null => {
        const owner = conversation.channelState[THREAD_OWNER]
        if (owner === undefined) return null
        const who = owner === PAGE_INBOX_APP ? "the Page's own inbox" : owner === 'other' ? 'another app' : `app ${String(owner)}`
        return handover === undefined
          ? { verdict: 'deny', code: 'thread_owned_elsewhere', message: `On ${profile.label}, ${who} answers this person now; set handover in the channel's config to take the conversation over from here.` }
          : { verdict: 'deny', code: 'thread_owned_elsewhere', message: `On ${profile.label}, ${who} answers this person now; take the conversation over to answer here.`, actions: [{ id: 'take_thread', label: 'Take over the conversation' }] }
      }

      /** Cards other than quick replies go as a generic template: title, the fields as its subtitle, image, a link. */
      const element = (card: Card): Record<string, unknown> => ({
        title: clip(card.title, 80),
        ...(card.fields !== undefined && Object.keys(card.fields).length > 0 ? { subtitle: clip(Object.values(card.fields).join(' · '), 80) } : {}),
        ...(card.imageUrl !== undefined ? { image_url: card.imageUrl } : {}),
        ...(card.url !== undefined ? { default_action: { type: 'web_url', url: card.url }, buttons: [{ type: 'web_url', url: card.url, title: 'Open' }] } : {})
      })

      return {
        routes (app) {
          metaWebhook(app, {
            verifyToken: config.verifyToken,
            appSecret: config.appSecret,
            objects: ['page', 'instagram'],
            handle: async (object, entries, log) => {
              for (const entry of entries as Array<{ id?: unknown, time?: number | string, messaging?: MessagingEvent[], standby?: MessagingEvent[] }>) {
                const target = accounts.get(`${object}:${String(entry.id)}`)
                if (target === undefined) {
                  log.warn({ channelId: ctx.channelId, object, accountId: String(entry.id) }, 'webhook entry for an account with no channel; skipped')
                  continue
                }
                const events = [
                  ...(Array.isArray(entry.messaging) ? entry.messaging : []).map(event => ({ event, standby: false })),
                  ...(Array.isArray(entry.standby) ? entry.standby : []).map(event => ({ event, standby: true }))
                ]
                await target(events, typeof entry.time === 'number' ? new Date(entry.time) : undefined)
              }
            }
          })
        },

        async stop () {
          if (accounts.get(`${profile.object}:${account}`) === handle) accounts.delete(`${profile.object}:${account}`)
        },

        policy (conversation, draft, now) {
          const elsewhere = ownedElsewhere(conversation)
          if (elsewhere !== null) return elsewhere
          const kind = draft.attachments.find(a => !profile.sends.includes(a.kind))?.kind
          if (kind !== undefined) return { verdict: 'deny', code: 'attachment_unsupported', message: `${profile.label} replies carry ${profile.sends.join(', ')} attachments, not ${kind}; send a link instead.` }
          const elements = draft.cards.filter(card => card.kind !== QUICK_REPLIES)
          if (elements.length > MAX_ELEMENTS) return { verdict: 'deny', code: 'too_many_cards', message: `${profile.label} shows at most ${MAX_ELEMENTS} cards in one message; send the others separately.` }
          return windowVerdict(conversation, draft, now, window)
        },

        actions: {
          take_thread: async (conversation, contact) => {
            if (handover === undefined) throw new ChannelSendError('handover_off', `Handover is off for this channel; set handover in its config to take ${profile.label} threads.`, { retryable: false })
            await call(async () => { await graph.takeThread(account, personOf(contact), 'omnihub: an agent took over') })
            await ctx.setConversationState(conversation.id, { [THREAD_OWNER]: null })
          },
          pass_thread: async (conversation, contact) => {
            if (handover === undefined) throw new ChannelSendError('handover_off', `Handover is off for this channel; set handover in its config to pass ${profile.label} threads.`, { retryable: false })
            await call(async () => { await graph.passThread(account, personOf(contact), handover.passTo, 'omnihub: handed back') })
            await ctx.setConversationState(conversation.id, { [THREAD_OWNER]: handover.passTo })
          }
        },

        async send (outbound: OutboundContext) {
          const { message, contact } = outbound
          const recipient = recipientOf(contact)
          const how = message.tag !== null ? { messaging_type: 'MESSAGE_TAG', tag: message.tag } : { messaging_type: 'RESPONSE' }
          const metadata = `${OWN_METADATA}${message.id}`
          // The customer's message this one answers, as Meta's reply_to.
          const replyTo = message.extras?.quote?.externalId != null ? { reply_to: { mid: message.extras.quote.externalId } } : {}
          const quick = message.cards.find(card => card.kind === QUICK_REPLIES)
          const elements = message.cards.filter(card => card.kind !== QUICK_REPLIES)
          const ids: string[] = []
          const sendOne = async (body: Record<string, unknown>): Promise<void> => {
            ids.push(await call(async () => await graph.sendMessage(account, { recipient, ...how, ...replyTo, message: { ...body, metadata } })))
          }
          for (const attachment of message.attachments) {
            // Meta fetches public URLs itself; a file on a private network is uploaded by the hub.
            const payload = isPrivateUrl(attachment.url)
              ? { attachment_id: await (async () => {
                const { data, meta } = await ctx.files.read(attachment.url)
                const file = new Blob([new Uint8Array(data)], { type: attachment.mimeType ?? meta.mimeType })
                return await call(async () => await graph.upload(account, attachment.kind, file, attachment.name ?? meta.name))
              })() }
              : { url: attachment.url, is_reusable: true }
            await sendOne({ attachment: { type: attachment.kind, payload } })
          }
          if (elements.length > 0) await sendOne({ attachment: { type: 'template', payload: { template_type: 'generic', elements: elements.map(element) } } })
          const text = message.text !== '' ? message.text : quick?.title ?? ''
          if (text !== '') {
            const choices = message.extras?.choices
            const quickReplies = choices !== undefined
              ? choices.map(c => ({ content_type: 'text', title: clip(c.label, QUICK_REPLY_TITLE), payload: c.payload }))
              : quick !== undefined ? Object.values(quick.fields ?? {}).map(title => ({ content_type: 'text', title, payload: title })) : undefined
            await sendOne({ text, ...(quickReplies !== undefined ? { quick_replies: quickReplies } : {}) })
          }
          const last = ids[ids.length - 1]
          if (last === undefined) throw new ChannelSendError('empty_message', `The message has no text, attachment or card ${profile.label} could carry.`, { retryable: false })
          return { externalId: last }
        },

        async typing (_conversation, contact, on) {
          const recipient = recipientOf(contact)
          await call(async () => { await graph.senderAction(account, recipient, on ? 'typing_on' : 'typing_off') })
        }
      }
    }
  })
}
