import type { Draft } from '../channels/index.js'
import { conversationAudience } from '../events/index.js'
import type { Choice, Conversation, Message } from '../model/index.js'
import { countMessage } from '../reports/index.js'
import { afterStored } from './after-stored.js'
import { enqueueSend } from '../queue/jobs.js'
import { evaluateDraft } from './policy.js'
import type { HubServices } from '../services.js'

export interface AutomatedReply {
  /** What it is (`faq`, `welcome`, `away`, `rating_invitation`, …): kept as extras.automated, shown to agents. */
  kind: string
  text: string
  choices?: Choice[]
}

/** Choices as numbered lines, for channels without buttons; the customer may answer with the number. */
const choiceLines = (choices: Choice[]): string => choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')

/**
 * The hub's own message to a customer (the robot's answer, a welcome, a rating invitation):
 * authored by the bot, so channels treat it as automated (Messenger never tags it, email marks
 * it Auto-Submitted), and checked by the channel's policy like any reply. Null when the channel
 * would refuse it now (a closed window, a reply limit) or the contact is suppressed (a complaint,
 * a bounce, a machine's address): an automated message is never forced.
 */
export async function sendAutomated (s: HubServices, conversation: Conversation, reply: AutomatedReply): Promise<Message | null> {
  const channel = s.channels.get(conversation.channelId)
  if (channel === undefined) return null
  const choices = reply.choices ?? []
  const asButtons = choices.length > 0 && choices.length <= (channel.definition.capabilities.choices ?? 0)
  const text = choices.length === 0 || asButtons ? reply.text : `${reply.text}\n${choiceLines(choices)}`
  const draft: Draft = { text, attachments: [], cards: [], tag: null, automated: true }
  const verdict = evaluateDraft(channel, conversation, draft, s.clock(), await s.store.getContact(conversation.contactId))
  if (verdict.verdict !== 'allow') {
    s.logger.info({ conversationId: conversation.id, kind: reply.kind, code: verdict.code }, 'automated reply not sent')
    return null
  }
  const message = await s.store.recordOutbound({
    conversationId: conversation.id, direction: 'outbound', author: { type: 'bot', id: null }, text, attachments: [], cards: [], tag: null,
    extras: { automated: reply.kind, ...(choices.length > 0 ? { choices } : {}) }
  }, s.clock())
  s.logger.info({ conversationId: conversation.id, messageId: message.id, kind: reply.kind }, 'automated reply')
  await afterStored(s, { messageId: message.id }, [
    async () => await s.bus.publish({ type: 'message.created', conversationId: conversation.id, message, audience: conversationAudience(conversation) }),
    async () => await enqueueSend(s, message.id),
    // Only the robot's answers answer anything; other automatic messages count for nothing.
    async () => { if (reply.kind === 'faq') await countMessage(s, conversation, message, false) }
  ])
  return message
}

/**
 * The payload of the choice a customer answered with: tapped (extras.payload), or typed as its
 * number or label when the channel showed the choices as lines. Only the hub's last message counts.
 */
export async function chosenPayload (s: HubServices, message: Message): Promise<string | null> {
  if (message.extras?.payload !== undefined) return message.extras.payload
  const typed = message.text.trim()
  if (typed === '' || typed.length > 200) return null
  const recent = (await s.store.listMessages(message.conversationId, { since: new Date(message.createdAt.getTime() - 30 * 60_000), limit: 100 })).items
  const last = recent.filter(m => m.direction === 'outbound' && m.createdAt.getTime() <= message.createdAt.getTime()).at(-1)
  const choices = last?.author.type === 'bot' ? last.extras?.choices ?? [] : []
  const byNumber = /^\d{1,2}$/.test(typed) ? choices[Number(typed) - 1] : undefined
  return (byNumber ?? choices.find(c => c.label.toLowerCase() === typed.toLowerCase()))?.payload ?? null
}
