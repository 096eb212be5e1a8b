import type { Attachment, Card, MessageAmendment } from '../../core/model/index.js'
import type { InboundMessage, OutboundReceipt } from '../../core/channels/index.js'
import { mapped } from './errors.js'

/** One `changes[].value` of a `whatsapp_business_account` webhook (the fields Omnihub reads). */
export interface ChangeValue {
  messaging_product?: string
  metadata?: { display_phone_number?: string, phone_number_id?: string }
  contacts?: Array<{ wa_id?: string, profile?: { name?: string } }>
  messages?: CloudMessage[]
  statuses?: CloudStatus[]
}

interface Media { id?: string, mime_type?: string, caption?: string, filename?: string, voice?: boolean, animated?: boolean }

export interface CloudMessage {
  from?: string
  id?: string
  /** Seconds, as a string. */
  timestamp?: string | number
  type?: string
  context?: { from?: string, id?: string }
  text?: { body?: string }
  image?: Media
  video?: Media
  audio?: Media
  document?: Media
  sticker?: Media
  location?: { latitude?: number, longitude?: number, name?: string, address?: string, url?: string }
  contacts?: Array<{ name?: { formatted_name?: string }, phones?: Array<{ phone?: string, wa_id?: string }> }>
  interactive?: { type?: string, button_reply?: { id?: string, title?: string }, list_reply?: { id?: string, title?: string, description?: string } }
  button?: { text?: string, payload?: string }
  reaction?: { message_id?: string, emoji?: string }
  referral?: { source_url?: string, source_type?: string, source_id?: string, headline?: string, body?: string, ctwa_clid?: string }
  order?: { catalog_id?: string, product_items?: Array<{ product_retailer_id?: string, quantity?: number, item_price?: number, currency?: string }> }
  errors?: Array<{ code?: number, title?: string }>
}

export interface CloudStatus {
  id?: string
  status?: string
  timestamp?: string | number
  recipient_id?: string
  errors?: Array<{ code?: number, title?: string, message?: string, error_data?: { details?: string } }>
}

/** A customer's media to download into the hub's file store before the message is stored. */
export interface MediaToFetch { id: string, kind: Attachment['kind'], mimeType: string, name: string }

export type Effect =
  | { kind: 'message', message: InboundMessage, media: MediaToFetch[], quotes?: string }
  | { kind: 'receipt', receipt: OutboundReceipt }
  | { kind: 'failed', externalId: string, failure: { code: string, message: string, retryable: boolean } }
  | { kind: 'amend', externalId: string, amendment: MessageAmendment }
  | { kind: 'skip', reason: string }

const MEDIA: Record<string, Attachment['kind']> = { image: 'image', video: 'video', audio: 'audio', document: 'file', sticker: 'image' }

const secondsOf = (v: string | number | undefined): Date | undefined => {
  const n = typeof v === 'number' ? v : /^\d+$/.test(v ?? '') ? Number(v) : NaN
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : undefined
}

function messageEffect (m: CloudMessage, names: Map<string, string>): Effect {
  if (m.id === undefined || m.from === undefined) return { kind: 'skip', reason: 'message without id or sender' }
  const sentAt = secondsOf(m.timestamp)
  const name = names.get(m.from)
  const base = { externalId: m.id, from: { externalId: m.from, phone: `+${m.from}`, ...(name !== undefined ? { name } : {}) }, ...(sentAt !== undefined ? { sentAt } : {}) }
  const type = m.type ?? 'unknown'
  const cards: Card[] = []
  const media: MediaToFetch[] = []
  let text = ''
  let payload: string | undefined
  if (type === 'reaction') {
    if (m.reaction?.message_id === undefined) return { kind: 'skip', reason: 'reaction without message_id' }
    // An empty emoji takes the reaction back.
    return { kind: 'amend', externalId: m.reaction.message_id, amendment: { reaction: (m.reaction.emoji ?? '') === '' ? null : { emoji: m.reaction.emoji! } } }
  }
  const item = (m as Record<string, unknown>)[type] as Media | undefined
  if (MEDIA[type] !== undefined && item?.id !== undefined) {
    media.push({ id: item.id, kind: MEDIA[type]!, mimeType: item.mime_type ?? 'application/octet-stream', name: item.filename ?? (type === 'sticker' ? 'sticker.webp' : type === 'audio' && item.voice === true ? 'voice.ogg' : type) })
    text = item.caption ?? ''
  } else if (type === 'text') text = m.text?.body ?? ''
  else if (type === 'location' && m.location !== undefined) {
    const l = m.location
    cards.push({ kind: 'location', title: l.name ?? 'Shared a location', url: l.url ?? `https://maps.google.com/?q=${l.latitude ?? 0},${l.longitude ?? 0}`, fields: Object.fromEntries(Object.entries({ latitude: l.latitude, longitude: l.longitude, address: l.address }).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])) })
  } else if (type === 'contacts') {
    for (const c of m.contacts ?? []) cards.push({ kind: 'contact', title: c.name?.formatted_name ?? 'A contact', fields: Object.fromEntries((c.phones ?? []).map((p, i) => [`phone${i + 1}`, p.phone ?? p.wa_id ?? ''])) })
  } else if (type === 'interactive') {
    const reply = m.interactive?.button_reply ?? m.interactive?.list_reply
    text = reply?.title ?? ''
    payload = reply?.id
  } else if (type === 'button') {
    // A template's quick-reply button.
    text = m.button?.text ?? ''
    payload = m.button?.payload
  } else if (type === 'order' && m.order !== undefined) {
    for (const p of m.order.product_items ?? []) cards.push({ kind: 'order_item', title: p.product_retailer_id ?? 'Product', fields: Object.fromEntries(Object.entries({ quantity: p.quantity, price: p.item_price, currency: p.currency }).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])) })
  } else {
    // `unsupported` and anything Meta adds later: kept as such, with Meta's reason.
    const error = m.errors?.[0]
    cards.push({ kind: 'unsupported', title: 'A message WhatsApp cannot show here; read it on the phone', fields: { type, ...(error?.title !== undefined ? { reason: error.title } : {}) } })
  }
  if (m.referral !== undefined) {
    const r = m.referral
    cards.push({ kind: 'referral', title: r.headline ?? 'Came from an ad', ...(r.source_url !== undefined ? { url: r.source_url } : {}), fields: Object.fromEntries(Object.entries({ sourceType: r.source_type, sourceId: r.source_id, ctwaClid: r.ctwa_clid }).filter(([, v]) => v !== undefined)) as Record<string, string> })
  }
  return {
    kind: 'message',
    message: { ...base, text, attachments: [], cards, ...(payload !== undefined ? { extras: { payload } } : {}) },
    media,
    ...(m.context?.id !== undefined ? { quotes: m.context.id } : {})
  }
}

function statusEffect (s: CloudStatus): Effect {
  if (s.id === undefined) return { kind: 'skip', reason: 'status without id' }
  if (s.status === 'delivered' || s.status === 'read') return { kind: 'receipt', receipt: { status: s.status, externalIds: [s.id] } }
  if (s.status === 'failed') {
    const e = s.errors?.[0]
    const m = mapped(e?.code, e?.error_data?.details ?? e?.title ?? e?.message ?? 'no reason given')
    return { kind: 'failed', externalId: s.id, failure: m }
  }
  // `sent` is what the send itself recorded; others (`deleted`, `warning`) change nothing here.
  return { kind: 'skip', reason: `status ${s.status ?? 'unknown'}` }
}

/** What one change of the webhook asks of the channel, messages first, then statuses. */
export function normalize (value: ChangeValue): Effect[] {
  const names = new Map((value.contacts ?? []).flatMap(c => c.wa_id !== undefined && c.profile?.name !== undefined ? [[c.wa_id, c.profile.name] as const] : []))
  return [...(value.messages ?? []).map(m => messageEffect(m, names)), ...(value.statuses ?? []).map(statusEffect)]
}
