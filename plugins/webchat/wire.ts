import type { ChannelFiles } from '../../core/channels/index.js'
import type { Message } from '../../core/model/index.js'
import type { ServerFrame, WireMessage } from './frames.js'

/** Visitor messages' external ids are `<visitorId>:<clientId>`: unique per channel, and idempotent per browser. */
export const visitorMessageId = (visitorId: string, clientId: string): string => `${visitorId}:${clientId}`

/**
 * Whether the visitor sees this message: their own and what was sent to them, not agents' notes
 * or failures. Their own include what the hub held aside (spam, a block: to them it was sent),
 * until it is restored as a message of its own.
 */
export const visibleToVisitor = (m: Message): boolean =>
  (m.author.type === 'contact' && m.extras?.held?.restored === undefined) || (m.direction === 'outbound' && m.status !== 'failed')

/** A stored message as the widget shows it, with signed links to its files. */
export function toWire (m: Message, files: ChannelFiles): WireMessage {
  const inbound = m.author.type === 'contact'
  return {
    id: m.id,
    clientId: inbound ? m.externalId?.split(':')[1] ?? null : null,
    from: inbound ? 'visitor' : m.author.type === 'bot' ? 'bot' : 'agent',
    text: m.text,
    attachments: files.signDeep(m.attachments),
    createdAt: m.createdAt.toISOString(),
    status: !inbound && (m.status === 'delivered' || m.status === 'read') ? m.status : 'sent',
    ...(!inbound && m.extras?.choices !== undefined ? { choices: m.extras.choices.map(c => ({ label: c.label, payload: c.payload })) } : {}),
    ...(m.extras?.quote !== undefined ? { quote: { text: m.extras.quote.text } } : {}),
    // The widget shows what a card says; the channel's id for it (`id`) is the hub's business.
    ...(m.cards.length > 0 ? { cards: m.cards.map(({ id: _id, ...card }) => card) } : {})
  }
}

/** An agent's or bot's reply, as the visitor's tabs get it. */
export const messageFrame = (message: Message, files: ChannelFiles): ServerFrame => ({ type: 'message', message: toWire(message, files) })
