import type { Draft, Verdict } from '../channels/index.js'
import { visibleConversation } from '../agents/permissions.js'
import { HubError } from '../errors.js'
import { conversationAudience } from '../events/index.js'
import type { Agent, Attachment, Card, Conversation, Message } from '../model/index.js'
import { enqueueSend } from './jobs.js'
import { evaluateDraft } from './policy.js'
import type { Channel, HubServices } from './services.js'

export interface ReplyInput {
  text: string
  tag?: string | null
  attachments?: Attachment[]
  cards?: Card[]
}

function channelOf (s: HubServices, conversation: Conversation): Channel {
  const channel = s.channels.get(conversation.channelId)
  if (channel === undefined) {
    throw new HubError('channel_unavailable', `Channel "${conversation.channelId}" is not enabled on this hub; an admin must enable it in config before replies can go out.`, 409)
  }
  return channel
}


/** JSON shape of a verdict, as the API and the inbox show it. */
export function verdictBody (verdict: Verdict): Record<string, unknown> {
  return { ...verdict, ...(verdict.windowClosesAt !== undefined ? { windowClosesAt: verdict.windowClosesAt.toISOString() } : {}) }
}

/** The preflight: what would happen to a plain text reply now. */
export async function replyPolicy (s: HubServices, agent: Agent, conversationId: string): Promise<Verdict> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  const draft: Draft = { text: '', attachments: [], cards: [], tag: null, automated: false }
  return evaluateDraft(channelOf(s, conversation), conversation, draft, s.clock())
}

/**
 * An agent's reply: checked by the channel's policy and the guards, stored as `pending`,
 * then queued for sending. Refusals are HubErrors (422) that say why and what to do.
 */
export async function reply (s: HubServices, conversationId: string, agent: Agent, input: ReplyInput): Promise<Message> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  const channel = channelOf(s, conversation)
  const draft: Draft = { text: input.text, attachments: input.attachments ?? [], cards: input.cards ?? [], tag: input.tag ?? null, automated: false }
  if (draft.text.trim() === '' && draft.attachments.length === 0 && draft.cards.length === 0) {
    throw new HubError('empty_reply', 'The reply has no text, attachment or card; write something to send.', 400)
  }
  const verdict = evaluateDraft(channel, conversation, draft, s.clock())
  if (verdict.verdict === 'deny') {
    throw new HubError(verdict.code, verdict.message, 422, verdictBody(verdict))
  }
  if (verdict.verdict === 'tag_required') {
    const message = draft.tag === null
      ? verdict.message
      : `Tag "${draft.tag}" cannot be used here; use one of: ${verdict.tags.join(', ')}. ${verdict.message}`
    throw new HubError('tag_required', message, 422, { ...verdictBody(verdict), code: 'tag_required', message })
  }
  const refusal = s.guards.check(draft, agent)
  if (refusal !== null) throw new HubError(refusal.code, refusal.message, 422, refusal.details)

  const message = await s.store.recordOutbound({
    conversationId, direction: 'outbound', author: { type: 'agent', id: agent.id },
    text: draft.text, attachments: draft.attachments, cards: draft.cards, tag: draft.tag
  }, s.clock())
  s.logger.info({ conversationId, messageId: message.id, agentId: agent.id }, 'reply accepted')
  // The agent served this contact: routing's affinity keeps them together.
  await s.store.recordServed(conversation.contactId, agent.id, s.clock())
  await s.store.markAgentActive(agent.id, s.clock())
  await s.bus.publish({ type: 'message.created', conversationId, message, audience: conversationAudience(conversation) })
  // If the queue is down the message stays pending; the recovery sweep queues it later.
  await enqueueSend(s, message.id).catch(err => {
    s.logger.error({ messageId: message.id, err: { message: (err as Error).message } }, 'send job not queued; recovery will retry')
  })
  return message
}
