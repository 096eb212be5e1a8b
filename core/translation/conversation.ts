import { visibleConversation } from '../agents/permissions.js'
import { HubError, notFound } from '../errors.js'
import { conversationAudience } from '../events/index.js'
import type { Agent, Message, MessageExtras } from '../model/index.js'
import type { HubServices } from '../services.js'
import type { RouteStep } from '../pipeline/turn.js'

/** A conversation's translation: customers' messages shown in `agentLanguage`, replies sent in `customerLanguage`. */
export interface TranslationState {
  agentLanguage: string
  /** Set by the agent, or detected from the customer's messages; null until known. */
  customerLanguage: string | null
}

const KV = 'translation'

export async function translationOf (s: HubServices, conversationId: string): Promise<TranslationState | null> {
  const raw = await s.store.kvGet(KV, conversationId)
  return raw === null ? null : JSON.parse(raw) as TranslationState
}

function provider (s: HubServices): NonNullable<HubServices['translator']> {
  if (s.translator === undefined) {
    throw new HubError('translation_not_configured', 'Translation needs a LibreTranslate-compatible server: an admin sets translation.url in the hub config.', 409)
  }
  return s.translator
}

/** Turns translation on (or changes its languages) for a conversation, or off with null. */
export async function setTranslation (s: HubServices, agent: Agent, conversationId: string, wanted: { agentLanguage: string, customerLanguage?: string } | null): Promise<TranslationState | null> {
  await visibleConversation(s.store, agent, conversationId)
  if (wanted === null) {
    await s.store.kvDelete(KV, conversationId)
    return null
  }
  provider(s)
  const known = await translationOf(s, conversationId)
  const customerLanguage = wanted.customerLanguage ?? known?.customerLanguage ?? await customerLanguageOf(s, conversationId, wanted.agentLanguage)
  const state: TranslationState = { agentLanguage: wanted.agentLanguage, customerLanguage }
  await s.store.kvSet(KV, conversationId, JSON.stringify(state))
  return state
}

/**
 * The customer's language when translation is turned on (again): from their newest message
 * already translated, else the contact's (their browser's, a channel's or an agent's), else
 * detected from their newest message. Null when nothing tells.
 */
async function customerLanguageOf (s: HubServices, conversationId: string, agentLanguage: string): Promise<string | null> {
  const since = new Date(s.clock().getTime() - 30 * 86_400_000)
  const { items } = await s.store.listMessages(conversationId, { since, limit: 200 })
  const last = items.filter(m => m.direction === 'inbound' && m.text.trim() !== '').at(-1)
  if (last?.extras?.translation !== undefined) return last.extras.translation.from
  const conversation = await s.store.getConversation(conversationId)
  const known = conversation === null ? null : (await s.store.getContact(conversation.contactId))?.language ?? null
  if (known !== null || last === undefined) return known
  const detected = await provider(s).translate(last.text, { source: 'auto', target: agentLanguage }).catch(() => null)
  return detected === null || detected.source === 'auto' ? null : detected.source
}

/**
 * A customer's message in the agents' language, kept beside the original; the customer's language
 * is learnt from it. Best effort: without a translation the message is still delivered.
 */
export async function translateInbound (s: HubServices, message: Message): Promise<Message> {
  if (message.direction !== 'inbound' || message.text.trim() === '' || s.translator === undefined) return message
  const state = await translationOf(s, message.conversationId)
  if (state === null) return message
  const result = await s.translator.translate(message.text, { source: 'auto', target: state.agentLanguage })
  if (result.source !== state.customerLanguage && result.source !== 'auto') await s.store.kvSet(KV, message.conversationId, JSON.stringify({ ...state, customerLanguage: result.source }))
  if (result.source === state.agentLanguage) return message
  return await s.store.setMessageExtras(message.id, { ...message.extras, translation: { text: result.text, from: result.source, to: state.agentLanguage } })
}

/** First of the route steps: agents see the message in their language where the conversation has translation on; without it if that fails. */
export const translationStep: RouteStep = {
  name: 'translate',
  bestEffort: true,
  run: async (s, { message }) => ({ message: await translateInbound(s, message) })
}

/** The agent's reply in the customer's language, with what they wrote kept; unchanged when translation is off. */
export async function translateReply (s: HubServices, conversationId: string, text: string): Promise<{ text: string, extras: MessageExtras }> {
  const state = await translationOf(s, conversationId)
  if (state === null || text.trim() === '') return { text, extras: {} }
  if (state.customerLanguage === null) {
    throw new HubError('customer_language_unknown', 'The customer\'s language is not known yet (no message to detect it from); set customerLanguage when turning translation on.', 409)
  }
  if (state.customerLanguage === state.agentLanguage) return { text, extras: {} }
  const result = await provider(s).translate(text, { source: state.agentLanguage, target: state.customerLanguage })
  return { text: result.text, extras: { original: { text, language: state.agentLanguage } } }
}

/**
 * One message in the agent's language, on demand (the button beside each message), with
 * translation on or off for the conversation: kept as its translation, as automatic translation
 * keeps it, and shown to every agent of the conversation.
 */
export async function translateMessage (s: HubServices, agent: Agent, messageId: string, to: string): Promise<Message> {
  const message = await s.store.getMessage(messageId)
  if (message === null) throw notFound('message', messageId)
  const conversation = await visibleConversation(s.store, agent, message.conversationId)
  if (message.text.trim() === '') throw new HubError('nothing_to_translate', 'This message has no text to translate.', 409)
  if (message.extras?.translation?.to === to) return message
  const result = await provider(s).translate(message.text, { source: 'auto', target: to })
  const translated = await s.store.setMessageExtras(message.id, { ...message.extras, translation: { text: result.text, from: result.source, to } })
  await s.bus.publish({ type: 'message.updated', conversationId: conversation.id, message: translated, audience: conversationAudience(conversation) })
    .catch(err => s.logger.warn({ messageId, err: { message: (err as Error).message } }, 'translation not published'))
  return translated
}
