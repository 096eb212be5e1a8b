import type { Draft, TemplateUse, Verdict } from '../channels/index.js'
import { visibleConversation } from '../agents/permissions.js'
import { HubError, notFound } from '../errors.js'
import { fileKeyOf, plainUrl } from '../files/index.js'
import { conversationAudience } from '../events/index.js'
import type { Agent, Attachment, Card, Conversation, Message, MessageExtras } from '../model/index.js'
import { translateReply } from '../translation/index.js'
import { announceAssigned } from '../routing/index.js'
import { countMessage } from '../reports/index.js'
import { afterStored } from './after-stored.js'
import { enqueueSend } from '../queue/jobs.js'
import { draftOf, evaluateDraft } from './policy.js'
import type { Channel, HubServices } from '../services.js'

export interface ReplyInput {
  text: string
  tag?: string | null
  attachments?: Attachment[]
  cards?: Card[]
  /** Another channel to answer through (email for a webchat visitor); default: the conversation's. */
  channelId?: string
  /** The agents' desk it was written from (kept on the message, so that desk does not echo it). */
  via?: string
  /** The agent saw the attitude warning and sends it as written. */
  confirm?: boolean
  /** A message of this conversation the reply quotes: shown as a quote, sent as the channel's own reply-to where it has one. */
  replyTo?: string
  /** A pre-approved template and its parameter values, sent instead of free text (WhatsApp outside its window). */
  template?: TemplateUse
}

/** The text a template reads as, filled in by its channel; a missing parameter is refused by name. */
function filledTemplate (channel: Channel, use: TemplateUse): string {
  const templates = channel.instance.templates
  if (templates === undefined) throw new HubError('templates_unsupported', `${channel.id} has no message templates; write the reply as text.`, 422, { field: 'template' })
  const filled = templates.fill(use)
  if ('code' in filled) throw new HubError(filled.code, filled.message, 422, { field: 'template' })
  return filled.text
}

/** A plain text reply by a person: what a channel's verdict "now" is asked about. */
const PLAIN_REPLY: Draft = { text: '', attachments: [], cards: [], tag: null, automated: false }

/** The quote a reply carries: one of this conversation's messages, as it reads now. */
async function quoteOf (s: HubServices, conversationId: string, messageId: string): Promise<NonNullable<MessageExtras['quote']>> {
  const quoted = await s.store.getMessage(messageId)
  if (quoted === null || quoted.conversationId !== conversationId) {
    throw new HubError('quote_not_found', `Message ${messageId} is not in this conversation; quote one of its own messages.`, 422, { field: 'replyTo' })
  }
  return { messageId: quoted.id, externalId: quoted.externalId, text: quoted.text }
}

/** The channel a reply goes out on: the conversation's, or one the agent chose that can reach the contact. */
async function channelOf (s: HubServices, conversation: Conversation, chosen?: string): Promise<Channel> {
  const id = chosen ?? conversation.channelId
  const channel = s.channels.get(id)
  if (channel === undefined) {
    throw chosen !== undefined && chosen !== conversation.channelId
      ? new HubError('unknown_channel', `No channel "${chosen}" is enabled on this hub; choose one of: ${[...s.channels.keys()].join(', ')}.`, 422)
      : new HubError('channel_unavailable', `Channel "${id}" is not enabled on this hub; an admin must enable it in config before replies can go out.`, 409)
  }
  if (id === conversation.channelId) return channel
  const contact = await s.store.getContact(conversation.contactId)
  const address = contact === null ? null : channel.instance.recipient?.(contact) ?? null
  if (address === null) {
    throw new HubError('contact_unreachable', `${id} has no address for this contact${channel.instance.recipient === undefined ? ' (it only answers its own conversations)' : ''}; add one to the contact or reply on ${conversation.channelId}.`, 422)
  }
  return channel
}


/** JSON shape of a verdict, as the API and the inbox show it. */
export function verdictBody (verdict: Verdict): Record<string, unknown> {
  return { ...verdict, ...(verdict.windowClosesAt !== undefined ? { windowClosesAt: verdict.windowClosesAt.toISOString() } : {}) }
}

/**
 * Every channel a reply to this conversation can go out on, its own first: the others that can
 * reach the contact (an email channel for a webchat visitor who left their address), each with
 * the address it would use and its verdict for a plain reply now.
 */
export async function replyChannels (s: HubServices, agent: Agent, conversationId: string): Promise<Array<{ channelId: string, address: string | null, verdict: Verdict }>> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  const contact = await s.store.getContact(conversation.contactId)
  const own = s.channels.get(conversation.channelId)
  const reachable = [
    ...(own !== undefined ? [{ channel: own, address: null }] : []),
    ...[...s.channels.values()].filter(c => c.id !== conversation.channelId).flatMap(channel => {
      const address = contact === null ? null : channel.instance.recipient?.(contact) ?? null
      return address === null ? [] : [{ channel, address }]
    })
  ]
  return reachable.map(({ channel, address }) => ({ channelId: channel.id, address, verdict: evaluateDraft(channel, conversation, PLAIN_REPLY, s.clock()) }))
}

/** The preflight: what would happen to a plain text reply now. */
export async function replyPolicy (s: HubServices, agent: Agent, conversationId: string, channelId?: string): Promise<Verdict> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  return evaluateDraft(await channelOf(s, conversation, channelId), conversation, PLAIN_REPLY, s.clock())
}

/** Attitude warnings, refusals and replies sent anyway: what supervisors see counted per agent. */
const ATTITUDE_EVENTS: Record<string, string> = { attitude_warning: 'attitude_warned', attitude_blocked: 'attitude_blocked' }

/** Throws the 422 that tells the agent why the channel's policy or a guard refuses this draft now. */
async function refuseUnlessAllowed (s: HubServices, channel: Channel, conversation: Conversation, draft: Draft, agent: Agent, confirmed = false, written = draft.text): Promise<void> {
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
  // The guards read what the agent wrote (before any translation), in their own language.
  const refusal = s.guards.check({ ...draft, text: written }, agent, confirmed)
  const counted = refusal !== null ? ATTITUDE_EVENTS[refusal.code] : confirmed && s.guards.attitude.read(written) !== null ? 'attitude_sent_anyway' : undefined
  if (counted !== undefined) await s.store.recordAgentEvent(agent.id, counted, s.clock())
  if (refusal !== null) throw new HubError(refusal.code, refusal.message, 422, refusal.details)
}

/** A person answered a conversation the FAQ robot held: it is theirs now, and the robot stops. */
async function takeFromRobot (s: HubServices, conversation: Conversation, agent: Agent): Promise<void> {
  const assigned = await s.store.assignConversation(conversation.id, agent.id, { capacity: null, onlyIfWaiting: false }, s.clock())
  if (assigned !== null) await announceAssigned(s, assigned, agent, { assigneeId: null, teamId: conversation.teamId, queuedAt: null }, 'picked')
}

/**
 * An agent's reply: checked by the channel's policy and the guards, stored as `pending`,
 * then queued for sending. Refusals are HubErrors (422) that say why and what to do.
 */
export async function reply (s: HubServices, conversationId: string, agent: Agent, input: ReplyInput): Promise<Message> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  const channel = await channelOf(s, conversation, input.channelId)
  // A hub file comes back as the signed link the agent was shown; the message keeps the plain URL.
  const attachments = (input.attachments ?? []).map(a => fileKeyOf(a.url) !== null ? { ...a, url: plainUrl(a.url) } : a)
  if (input.text.trim() === '' && attachments.length === 0 && (input.cards ?? []).length === 0 && input.template === undefined) {
    throw new HubError('empty_reply', 'The reply has no text, attachment or card; write something to send.', 400)
  }
  // A template reads as approved, in its own language; free text is translated when translation is on.
  const template = input.template !== undefined ? filledTemplate(channel, input.template) : null
  const translated = template !== null ? { text: template, extras: {} } : await translateReply(s, conversationId, input.text)
  const draft: Draft = { text: translated.text, attachments, cards: input.cards ?? [], tag: input.tag ?? null, automated: false, ...(input.template !== undefined ? { template: input.template } : {}) }
  await refuseUnlessAllowed(s, channel, conversation, draft, agent, input.confirm === true, template ?? input.text)
  const extras = {
    ...translated.extras,
    ...(input.via !== undefined ? { via: input.via } : {}),
    ...(input.replyTo !== undefined ? { quote: await quoteOf(s, conversationId, input.replyTo) } : {}),
    ...(input.template !== undefined ? { template: input.template } : {})
  }

  const message = await s.store.recordOutbound({
    conversationId, channelId: channel.id, direction: 'outbound', author: { type: 'agent', id: agent.id },
    text: draft.text, attachments: draft.attachments, cards: draft.cards, tag: draft.tag, ...(Object.keys(extras).length > 0 ? { extras } : {})
  }, s.clock())
  s.logger.info({ conversationId, messageId: message.id, agentId: agent.id }, 'reply accepted')
  // Stored: from here on nothing makes the answer an error.
  await afterStored(s, { messageId: message.id }, [
    async () => { if (conversation.status === 'bot') await takeFromRobot(s, conversation, agent) },
    // The agent served this contact: routing's affinity keeps them together.
    async () => await s.store.recordServed(conversation.contactId, agent.id, s.clock()),
    async () => await s.store.markAgentActive(agent.id, s.clock(), { replied: true }),
    async () => await s.bus.publish({ type: 'message.created', conversationId, message, audience: conversationAudience(conversation) }),
    async () => await enqueueSend(s, message.id),
    async () => await countMessage(s, conversation, message, false)
  ])
  return message
}

/**
 * Sends a failed reply again, as it was: checked once more (the window may have closed since),
 * back to `pending`, and queued. Only one of two concurrent retries goes through.
 */
export async function retryReply (s: HubServices, agent: Agent, conversationId: string, messageId: string): Promise<Message> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  const failed = await s.store.getMessage(messageId)
  if (failed === null || failed.conversationId !== conversationId) throw notFound('message', messageId)
  if (failed.direction !== 'outbound' || failed.status !== 'failed') {
    throw new HubError('not_failed', `This message is not a failed reply (${failed.direction}, ${failed.status}); only failed replies can be sent again.`, 409)
  }
  // It was written (and any attitude warning confirmed) before: only a block would stop it now.
  await refuseUnlessAllowed(s, await channelOf(s, conversation, failed.channelId), conversation, draftOf(failed), agent, true, failed.extras?.original?.text ?? failed.text)
  const message = await s.store.retryMessage(messageId, s.clock())
  if (message === null) throw new HubError('not_failed', 'This reply is already being sent again.', 409)
  s.logger.info({ conversationId, messageId, agentId: agent.id }, 'reply retried')
  await afterStored(s, { messageId }, [
    async () => await s.bus.publish({ type: 'message.updated', conversationId, message, audience: conversationAudience(conversation) }),
    async () => await enqueueSend(s, message.id)
  ])
  return message
}
