import type { Attachment, Card, MessageAmendment } from '../../core/model/index.js'
import type { InboundMessage, OutboundReceipt } from '../../core/channels/index.js'

/**
 * One `messaging[]` or `standby[]` item of a Page or Instagram webhook, as Meta's Messenger
 * Platform webhook reference documents its events (the fields Omnihub reads).
 */
export interface MessagingEvent {
  sender?: { id?: string, user_ref?: string }
  recipient?: { id?: string }
  /** Milliseconds; some events carry it as a string. */
  timestamp?: number | string
  message?: {
    mid?: string
    text?: string
    is_echo?: boolean
    is_deleted?: boolean
    is_unsupported?: boolean
    metadata?: string
    quick_reply?: { payload?: string }
    reply_to?: { mid?: string, story?: { url?: string, id?: string } }
    referral?: Referral
    attachments?: Array<{ type?: string, payload?: AttachmentPayload }>
  }
  /** The person answers a message the Page sent to a `user_ref` (the checkbox plugin). */
  prior_message?: { source?: string, identifier?: string }
  message_edit?: { mid?: string, text?: string, num_edit?: number | string }
  postback?: { mid?: string, title?: string, payload?: string, referral?: Referral }
  referral?: Referral
  reaction?: { reaction?: string, emoji?: string, action?: string, mid?: string }
  delivery?: { mids?: string[], watermark?: number | string }
  read?: { watermark?: number | string, mid?: string }
  optin?: { type?: string, ref?: string, user_ref?: string, payload?: string, title?: string }
  pass_thread_control?: { new_owner_app_id?: string | number, previous_owner_app_id?: string | number | null, metadata?: string }
  take_thread_control?: { new_owner_app_id?: string | number, previous_owner_app_id?: string | number | null, metadata?: string }
  request_thread_control?: { requested_owner_app_id?: string | number, metadata?: string }
  policy_enforcement?: { action?: string, reason?: string }
}

export interface Referral { ref?: string, source?: string, type?: string, ad_id?: string, product?: { id?: string } }

interface AttachmentPayload {
  url?: string
  title?: string
  sticker_id?: number
  reel_video_id?: string | number
  /** A product template: the catalog items the person asked about. */
  product?: { elements?: Array<{ id?: string, retailer_id?: string, image_url?: string, title?: string, subtitle?: string }> }
}

/** Replies Omnihub sends carry this metadata; their echoes are already stored. */
export const OWN_METADATA = 'omnihub:'

/** A contact known only by a `user_ref` (chat plugin guests, the checkbox plugin) until Meta gives their PSID. */
export const USER_REF = 'user_ref:'

/** What one event asks of the channel; one event may ask several things (a standby message: store it, note the owner). */
export type Effect =
  | { kind: 'message', message: InboundMessage, quotes?: string, sameAs?: string, adWindow?: boolean }
  | { kind: 'receipt', receipt: OutboundReceipt }
  | { kind: 'amend', externalId: string, amendment: MessageAmendment }
  /** Who owns the person's thread now (handover protocol); null: this app. */
  | { kind: 'thread', person: string, owner: string | null }
  | { kind: 'enforcement', blocked: boolean, reason: string }
  | { kind: 'skip', reason: string }

/** Event kinds Omnihub receives and deliberately does nothing with, and why (the README's table lists them). */
const IGNORED: Record<string, string> = {
  account_linking: 'account linking is the business\'s own login flow',
  game_play: 'instant games',
  response_feedback: 'feedback on bot responses',
  messaging_feedback: 'customer feedback templates are not sent by Omnihub',
  app_roles: 'app roles change who may own threads, not the conversation'
}

const KINDS: Record<string, Attachment['kind']> = { image: 'image', video: 'video', audio: 'audio', file: 'file', ig_reel: 'video', reel: 'video' }

/** A timestamp as Meta sends it (a number, or the same as a string), or undefined. */
export function timeOf (value: number | string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined
  const ms = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : undefined
}

function attachmentsOf (items: NonNullable<MessagingEvent['message']>['attachments']): { attachments: Attachment[], cards: Card[] } {
  const attachments: Attachment[] = []
  const cards: Card[] = []
  for (const item of items ?? []) {
    const type = item.type ?? 'unknown'
    const p = item.payload ?? {}
    const kind = KINDS[type]
    if (kind !== undefined && p.url !== undefined) attachments.push({ kind, url: p.url, ...(p.title !== undefined ? { name: p.title } : {}) })
    else if (type === 'template' && p.product?.elements !== undefined) {
      for (const e of p.product.elements) {
        const fields = Object.fromEntries(Object.entries({ productId: e.id, retailerId: e.retailer_id, price: e.subtitle }).filter(([, v]) => v !== undefined)) as Record<string, string>
        cards.push({ kind: 'product', title: e.title ?? 'Product', ...(e.image_url !== undefined ? { imageUrl: e.image_url } : {}), fields })
      }
    } else if (type === 'sticker' && p.url !== undefined) attachments.push({ kind: 'image', url: p.url, name: 'sticker' })
    // Instagram's CDN links to stories expire and may not be kept: a card that points at it.
    else cards.push({ kind: type, title: p.title ?? TITLES[type] ?? type, ...(p.url !== undefined ? { url: p.url } : {}) })
  }
  return { attachments, cards }
}

const TITLES: Record<string, string> = { story_mention: 'Mentioned you in their story', share: 'Shared a post', fallback: 'Shared a link', location: 'Shared a location' }

const referralCard = (r: Referral): Card => ({
  kind: 'referral',
  title: r.source === 'ADS' ? 'Came from an ad' : 'Opened from a link',
  fields: Object.fromEntries(Object.entries({ source: r.source, type: r.type, ref: r.ref, adId: r.ad_id, productId: r.product?.id }).filter(([, v]) => v !== undefined)) as Record<string, string>
})

const appId = (v: string | number | null | undefined): string | null => v === undefined || v === null ? null : String(v)

/**
 * Maps one Messenger or Instagram event onto what the channel does with it. `own` is the app
 * id of this hub's Meta app (handover): a thread passed to it is the hub's again.
 */
export function normalize (event: MessagingEvent, own: string | null, entryTime?: Date): Effect[] {
  const person = event.sender?.id ?? (event.sender?.user_ref !== undefined ? `${USER_REF}${event.sender.user_ref}` : undefined)
  const recipient = event.recipient?.id
  const sentAt = timeOf(event.timestamp) ?? entryTime
  const at = sentAt !== undefined ? { sentAt } : {}

  if (event.message_edit !== undefined) {
    const e = event.message_edit
    if (e.mid === undefined || e.text === undefined) return [{ kind: 'skip', reason: 'edit without mid or text' }]
    const revision = Number(e.num_edit)
    return [{ kind: 'amend', externalId: e.mid, amendment: { text: e.text, ...(Number.isInteger(revision) && revision > 0 ? { revision } : {}) } }]
  }
  if (event.reaction !== undefined) {
    const r = event.reaction
    if (r.mid === undefined) return [{ kind: 'skip', reason: 'reaction without mid' }]
    return [{ kind: 'amend', externalId: r.mid, amendment: { reaction: r.action === 'unreact' ? null : { emoji: r.emoji ?? r.reaction ?? 'other' } } }]
  }
  if (event.policy_enforcement !== undefined) {
    return [{ kind: 'enforcement', blocked: event.policy_enforcement.action === 'block', reason: event.policy_enforcement.reason ?? 'Meta gave no reason' }]
  }
  for (const key of Object.keys(IGNORED)) if (key in event) return [{ kind: 'skip', reason: IGNORED[key]! }]
  if (person === undefined || recipient === undefined) {
    // The checkbox plugin's opt-in names the person by user_ref only, in the optin itself.
    if (event.optin?.user_ref === undefined) return [{ kind: 'skip', reason: 'no sender or recipient' }]
  }

  const handover = event.pass_thread_control ?? event.take_thread_control
  if (handover !== undefined && person !== undefined) {
    const owner = appId(handover.new_owner_app_id)
    return [{ kind: 'thread', person, owner: owner === own ? null : owner ?? 'unknown' }]
  }
  if (event.request_thread_control !== undefined) return [{ kind: 'skip', reason: 'another app asked for the thread; an agent passes it from the conversation' }]

  if (event.message !== undefined) {
    const m = event.message
    if (m.mid === undefined) return [{ kind: 'skip', reason: 'message without mid' }]
    if (m.is_deleted === true) return [{ kind: 'amend', externalId: m.mid, amendment: { text: '' } }]
    const { attachments, cards } = attachmentsOf(m.attachments)
    if (m.quick_reply?.payload !== undefined) cards.push({ kind: 'quick_reply', title: m.text ?? '', fields: { payload: m.quick_reply.payload } })
    if (m.reply_to?.story !== undefined) cards.push({ kind: 'story_reply', title: 'Replied to your story', ...(m.reply_to.story.url !== undefined ? { url: m.reply_to.story.url } : {}) })
    if (m.referral !== undefined) cards.push(referralCard(m.referral))
    if (m.is_unsupported === true) cards.push({ kind: 'unsupported', title: 'A message the app cannot show; read it in Instagram' })
    const quotes = m.reply_to?.mid !== undefined ? { quotes: m.reply_to.mid } : {}
    if (m.is_echo === true) {
      if (m.metadata?.startsWith(OWN_METADATA) === true) return [{ kind: 'skip', reason: 'echo of our own reply' }]
      // Sent by the Page from elsewhere (its own inbox, another tool): the customer is the recipient.
      return [{ kind: 'message', message: { externalId: m.mid, from: { externalId: recipient! }, text: m.text ?? '', attachments, cards, direction: 'outbound', ...at }, ...quotes }]
    }
    // A tapped quick reply's payload: the hub acts on its own (a rating, a related question).
    const payload = m.quick_reply?.payload !== undefined ? { extras: { payload: m.quick_reply.payload } } : {}
    const sameAs = event.prior_message?.identifier !== undefined ? { sameAs: `${USER_REF}${event.prior_message.identifier}` } : {}
    return [{
      kind: 'message',
      message: { externalId: m.mid, from: { externalId: person! }, text: m.text ?? '', attachments, cards, ...payload, ...at },
      ...quotes, ...sameAs, ...(m.referral?.source === 'ADS' ? { adWindow: true } : {})
    }]
  }
  if (event.postback !== undefined) {
    const p = event.postback
    const fields: Record<string, string> = { ...(p.payload !== undefined ? { payload: p.payload } : {}), ...(p.referral?.ref !== undefined ? { ref: p.referral.ref } : {}) }
    return [{
      kind: 'message',
      message: { externalId: p.mid ?? `postback:${person!}:${sentAt?.getTime() ?? 0}`, from: { externalId: person! }, text: p.title ?? '', cards: [{ kind: 'postback', title: p.title ?? '', fields }], ...at },
      ...(p.referral?.source === 'ADS' ? { adWindow: true } : {})
    }]
  }
  if (event.referral !== undefined) {
    // An ad click or m.me link opens the conversation and its window, with no text of its own.
    return [{
      kind: 'message',
      message: { externalId: `referral:${person!}:${sentAt?.getTime() ?? 0}`, from: { externalId: person! }, text: '', cards: [referralCard(event.referral)], ...at },
      ...(event.referral.source === 'ADS' ? { adWindow: true } : {})
    }]
  }
  if (event.optin !== undefined) {
    const o = event.optin
    const who = o.user_ref !== undefined ? `${USER_REF}${o.user_ref}` : person!
    const fields = Object.fromEntries(Object.entries({ type: o.type, ref: o.ref, payload: o.payload }).filter(([, v]) => v !== undefined)) as Record<string, string>
    return [{ kind: 'message', message: { externalId: `optin:${who}:${sentAt?.getTime() ?? 0}`, from: { externalId: who }, text: '', cards: [{ kind: 'optin', title: o.title ?? 'Agreed to get messages', fields }], ...at } }]
  }
  if (event.delivery !== undefined) {
    const d = event.delivery
    const upTo = timeOf(d.watermark)
    return [{ kind: 'receipt', receipt: { status: 'delivered', ...(d.mids !== undefined ? { externalIds: d.mids } : {}), ...(upTo !== undefined ? { upTo: { contactExternalId: person!, at: upTo } } : {}) } }]
  }
  if (event.read !== undefined) {
    // Messenger reads up to a watermark; Instagram names the message seen.
    const upTo = timeOf(event.read.watermark)
    if (upTo !== undefined) return [{ kind: 'receipt', receipt: { status: 'read', upTo: { contactExternalId: person!, at: upTo } } }]
    if (event.read.mid !== undefined) return [{ kind: 'receipt', receipt: { status: 'read', externalIds: [event.read.mid] } }]
  }
  return [{ kind: 'skip', reason: 'event type not handled' }]
}
