import type { Card, Message } from '../../core/model/index.js'

/** WhatsApp's limits for interactive messages: 3 reply buttons (20 characters each), lists of 10 rows (24). */
export const MAX_BUTTONS = 3
export const MAX_ROWS = 10
const clip = (text: string, max: number): string => [...text].length <= max ? text : [...text].slice(0, max - 1).join('') + '…'

const KIND: Record<string, string> = { image: 'image', video: 'video', audio: 'audio', file: 'document' }

/** How an attachment is named to the Cloud API: a link Meta fetches, or a media id the hub uploaded. */
export type MediaRef = { link: string } | { id: string }

/**
 * The Cloud API messages one hub message becomes, in the order they go: a template alone, or
 * each attachment (the text as the caption of a single one), cards, then the text (as
 * interactive buttons or a list when it offers choices).
 */
export function messagesOf (message: Message, media: MediaRef[]): Array<Record<string, unknown>> {
  const context = message.extras?.quote?.externalId != null ? { context: { message_id: message.extras.quote.externalId } } : {}
  const template = message.extras?.template
  if (template !== undefined) {
    const parameters = template.parameters.map(text => ({ type: 'text', text }))
    return [{ ...context, type: 'template', template: { name: template.name, language: { code: template.language }, components: parameters.length > 0 ? [{ type: 'body', parameters }] : [] } }]
  }
  const out: Array<Record<string, unknown>> = []
  const captioned = message.attachments.length === 1 && message.text !== '' && message.attachments[0]!.kind !== 'audio' && (message.extras?.choices ?? []).length === 0
  message.attachments.forEach((a, i) => {
    const type = KIND[a.kind] ?? 'document'
    out.push({ ...context, type, [type]: { ...media[i], ...(captioned ? { caption: message.text } : {}), ...(type === 'document' && a.name !== undefined ? { filename: a.name } : {}) } })
  })
  for (const card of message.cards) out.push({ ...context, ...cardMessage(card) })
  const choices = message.extras?.choices ?? []
  if (message.text !== '' && !captioned) {
    if (choices.length > 0 && choices.length <= MAX_BUTTONS) {
      out.push({ ...context, type: 'interactive', interactive: { type: 'button', body: { text: message.text }, action: { buttons: choices.map(c => ({ type: 'reply', reply: { id: c.payload, title: clip(c.label, 20) } })) } } })
    } else if (choices.length > 0) {
      out.push({ ...context, type: 'interactive', interactive: { type: 'list', body: { text: message.text }, action: { button: 'Choose', sections: [{ rows: choices.slice(0, MAX_ROWS).map(c => ({ id: c.payload, title: clip(c.label, 24) })) }] } } })
    } else {
      out.push({ ...context, type: 'text', text: { body: message.text, preview_url: /https?:\/\//.test(message.text) } })
    }
  }
  return out
}

/** A location card as a location; any other card (a product, an order) as an interactive message with its link. */
function cardMessage (card: Card): Record<string, unknown> {
  const fields = card.fields ?? {}
  if (card.kind === 'location' && fields.latitude !== undefined && fields.longitude !== undefined) {
    return { type: 'location', location: { latitude: Number(fields.latitude), longitude: Number(fields.longitude), name: card.title, ...(fields.address !== undefined ? { address: fields.address } : {}) } }
  }
  const body = [card.title, ...Object.values(fields)].join('\n')
  const header = card.imageUrl !== undefined ? { header: { type: 'image', image: { link: card.imageUrl } } } : {}
  if (card.url === undefined) return { type: 'text', text: { body, preview_url: false } }
  return { type: 'interactive', interactive: { type: 'cta_url', ...header, body: { text: clip(body, 1024) }, action: { name: 'cta_url', parameters: { display_text: 'Open', url: card.url } } } }
}
