import { findAgentByEmail } from '../agents/by-email.js'
import { changeStatus } from '../agents/presence.js'
import type { ChannelHealth } from '../channels/index.js'
import { publicBaseUrl } from '../config/public-url.js'
import type { Agent } from '../model/index.js'
import { visibleConversation } from '../agents/permissions.js'
import { expandPhrase, visiblePhrases } from '../phrases/index.js'
import { sendFaqAnswer, suggestionsForConversation } from '../faq/index.js'
import { requestRating } from '../ratings/index.js'
import { conversationActions, reply } from '../pipeline/index.js'
import type { HubServices } from '../services.js'
import type { DeskContext } from './contract.js'

/** A desk's health, as /readyz shows it; logged when it changes. */
function reportDeskHealth (s: HubServices, deskId: string, health: ChannelHealth): void {
  const known = s.deskHealth.get(deskId)
  if (health.ok ? known === undefined : known?.code === health.code) return
  if (health.ok) {
    s.deskHealth.delete(deskId)
    s.logger.info({ deskId }, 'desk healthy again')
  } else {
    s.deskHealth.set(deskId, { code: health.code, message: health.message, since: s.clock() })
    s.logger.error({ deskId, code: health.code }, 'desk unhealthy')
  }
}

/** The slice of the core a desk gets: reads, and the same actions an agent has in the inbox. */
export function deskContext (s: HubServices, deskId: string): DeskContext {
  const { store, clock } = s
  /** Acting from a desk is a sign of life, as a heartbeat from the inbox is. */
  const seen = async (agent: Agent): Promise<void> => { await store.touchAgents([agent.id], clock()) }
  return {
    deskId,
    getConversation: async id => await store.getConversation(id),
    getContact: async id => await store.getContact(id),
    getMessage: async id => await store.getMessage(id),
    getAgent: async id => await store.getAgent(id),
    findAgentByEmail: async email => await findAgentByEmail(store, email),
    messagesSince: async (conversationId, since, paging) => await store.listMessages(conversationId, { since, ...paging }),
    channel (id) {
      const channel = s.channels.get(id)
      return channel === undefined ? null : { id, plugin: channel.definition.name }
    },
    inboxUrl: conversationId => `${publicBaseUrl(s.config.http, s.listenUrl)}/inbox/#/c/${conversationId}`,
    fileLink: url => {
      const signed = s.links.sign(url, clock())
      return signed.startsWith('/') ? publicBaseUrl(s.config.http, s.listenUrl) + signed : signed
    },
    async reply (agent, conversationId, input) {
      await seen(agent)
      return await reply(s, conversationId, agent, { ...input, via: deskId })
    },
    async phrase (agent, conversationId, code) {
      const conversation = await visibleConversation(store, agent, conversationId)
      const phrase = (await visiblePhrases(s, agent)).find(p => p.code.toLowerCase() === code.toLowerCase())
      return phrase === undefined ? null : expandPhrase(phrase, { contact: await store.getContact(conversation.contactId), agent })
    },
    async note (agent, conversationId, text) {
      await seen(agent)
      return await conversationActions.note(s, agent, conversationId, text, deskId)
    },
    async assignToSelf (agent, conversationId) {
      await seen(agent)
      // Taking a conversation is working: an offline agent comes online, as when signing in to the inbox.
      const actor = agent.status === 'offline' ? await changeStatus(s, agent.id, { status: 'online', source: 'api', from: ['offline'] }) ?? agent : agent
      return await conversationActions.assign(s, actor, conversationId, {})
    },
    async close (agent, conversationId) {
      await seen(agent)
      return await conversationActions.close(s, agent, conversationId)
    },
    async reopen (agent, conversationId) {
      await seen(agent)
      return await conversationActions.reopen(s, agent, conversationId)
    },
    async requestRating (agent, conversationId) {
      await seen(agent)
      return await requestRating(s, agent, conversationId)
    },
    async suggestions (conversationId) {
      const conversation = await store.getConversation(conversationId)
      const found = conversation === null ? [] : (await suggestionsForConversation(s, conversation)).items
      return found.map(({ entry }) => ({ id: entry.id, question: entry.question, answer: entry.answer }))
    },
    async sendFaqAnswer (agent, conversationId, entryId) {
      await seen(agent)
      return await sendFaqAnswer(s, agent, conversationId, entryId)
    },
    reportHealth: health => { reportDeskHealth(s, deskId, health) },
    kv: {
      get: async key => await store.kvGet(`desk:${deskId}`, key),
      set: async (key, value) => await store.kvSet(`desk:${deskId}`, key, value),
      delete: async key => await store.kvDelete(`desk:${deskId}`, key),
      setIfAbsent: async (key, value) => await store.kvSetIfAbsent(`desk:${deskId}`, key, value)
    },
    logger: s.logger.child({ deskId }),
    clock
  }
}
