import type { Attachment, Card } from '../../core/model/index.js'
import type { InboundMessage, OutboundReceipt } from '../../core/channels/index.js'

/** One `messaging[]` item of a Page webhook (the fields Omnihub reads). */
export interface MessagingEvent {
  sender?: { id?: string }
  recipient?: { id?: string }
  timestamp?: number
  message?: {
    mid?: string
    text?: string
    is_echo?: boolean
    metadata?: string
    quick_reply?: { payload?: string }
    attachments?: Array<{ type?: string, payload?: { url?: string, title?: string } }>
  }
  postback?: { mid?: string, title?: string, payload?: string, referral?: { ref?: string, source?: string } }
  referral?: { ref?: string, source?: string, type?: string, ad_id?: string }
  reaction?: { reaction?: string, emoji?: string, action?: string, mid?: string }
  delivery?: { mids?: string[], watermark?: number }
  read?: { watermark?: number }
}

/** Replies Omnihub sends carry this metadata; their echoes are already stored. */
export const OWN_METADATA = 'omnihub:'

export type Normalized =
  | { kind: 'message', message: InboundMessage }
  | { kind: 'receipt', receipt: OutboundReceipt }
  | { kind: 'skip', reason: string }

const KINDS: Record<string, Attachment['kind']> = { image: 'image', video: 'video', audio: 'audio', file: 'file' }

function attachmentsOf (items: NonNullable<MessagingEvent['message']>['attachments']): { attachments: Attachment[], cards: Card[] } {
  const attachments: Attachment[] = []
  const cards: Card[] = []
  for (const item of items ?? []) {
    const kind = KINDS[item.type ?? '']
    if (kind !== undefined && item.payload?.url !== undefined) attachments.push({ kind, url: item.payload.url })
    else cards.push({ kind: item.type ?? 'unknown', title: item.payload?.title ?? item.type ?? 'attachment', ...(item.payload?.url !== undefined ? { url: item.payload.url } : {}) })
  }
  return { attachments, cards }
}

/** Maps one Messenger event onto the model: a message (inbound, or an echo), a receipt, or nothing. */
export function normalize (event: MessagingEvent): Normalized {
  const sender = event.sender?.id
  const recipient = event.recipient?.id
  const sentAt = event.timestamp !== undefined ? new Date(event.timestamp) : undefined
  const at = sentAt !== undefined ? { sentAt } : {}
  if (sender === undefined || recipient === undefined) return { kind: 'skip', reason: 'no sender or recipient' }

  if (event.message !== undefined) {
    const m = event.message
    if (m.mid === undefined) return { kind: 'skip', reason: 'message without mid' }
    const { attachments, cards } = attachmentsOf(m.attachments)
    if (m.quick_reply?.payload !== undefined) cards.push({ kind: 'quick_reply', title: m.text ?? '', fields: { payload: m.quick_reply.payload } })
    if (m.is_echo === true) {
      if (m.metadata?.startsWith(OWN_METADATA) === true) return { kind: 'skip', reason: 'echo of our own reply' }
      // Sent by the Page from elsewhere (its own inbox, another tool): the customer is the recipient.
      return { kind: 'message', message: { externalId: m.mid, from: { externalId: recipient }, text: m.text ?? '', attachments, cards, direction: 'outbound', ...at } }
    }
    // A tapped quick reply's payload: the hub acts on its own (a rating, a related question).
    const payload = m.quick_reply?.payload !== undefined ? { extras: { payload: m.quick_reply.payload } } : {}
    return { kind: 'message', message: { externalId: m.mid, from: { externalId: sender }, text: m.text ?? '', attachments, cards, ...payload, ...at } }
  }
  if (event.postback !== undefined) {
    const p = event.postback
    const fields: Record<string, string> = { ...(p.payload !== undefined ? { payload: p.payload } : {}), ...(p.referral?.ref !== undefined ? { ref: p.referral.ref } : {}) }
    return {
      kind: 'message',
      message: { externalId: p.mid ?? `postback:${sender}:${event.timestamp ?? 0}`, from: { externalId: sender }, text: p.title ?? '', cards: [{ kind: 'postback', title: p.title ?? '', fields }], ...at }
    }
  }
  if (event.referral !== undefined) {
    const r = event.referral
    const fields: Record<string, string> = Object.fromEntries(Object.entries({ source: r.source, type: r.type, ref: r.ref, adId: r.ad_id }).filter(([, v]) => v !== undefined)) as Record<string, string>
    // An ad click or m.me link opens the conversation and its window, with no text of its own.
    return {
      kind: 'message',
      message: { externalId: `referral:${sender}:${event.timestamp ?? 0}`, from: { externalId: sender }, text: '', cards: [{ kind: 'referral', title: r.source === 'ADS' ? 'Came from an ad' : 'Opened from a link', fields }], ...at }
    }
  }
  if (event.reaction !== undefined) {
    const r = event.reaction
    return {
      kind: 'message',
      message: {
        externalId: `reaction:${r.mid ?? ''}:${sender}:${r.action ?? ''}:${event.timestamp ?? 0}`,
        from: { externalId: sender },
        text: r.action === 'unreact' ? '' : r.emoji ?? '',
        cards: [{ kind: 'reaction', title: r.reaction ?? 'other', fields: { action: r.action ?? 'react', ...(r.mid !== undefined ? { messageId: r.mid } : {}) } }],
        opensWindow: false,
        ...at
      }
    }
  }
  if (event.delivery !== undefined) {
    const d = event.delivery
    return { kind: 'receipt', receipt: { status: 'delivered', ...(d.mids !== undefined ? { externalIds: d.mids } : {}), ...(d.watermark !== undefined ? { upTo: { contactExternalId: sender, at: new Date(d.watermark) } } : {}) } }
  }
  if (event.read?.watermark !== undefined) {
    return { kind: 'receipt', receipt: { status: 'read', upTo: { contactExternalId: sender, at: new Date(event.read.watermark) } } }
  }
  return { kind: 'skip', reason: 'event type not handled' }
}
