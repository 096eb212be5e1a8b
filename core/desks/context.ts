import { changeStatus } from '../agents/presence.js'
import type { ChannelHealth } from '../channels/index.js'
import type { Agent } from '../model/index.js'
import { visibleConversation } from '../agents/permissions.js'
import { expandPhrase, visiblePhrases } from '../phrases/index.js'
import { conversationActions, reply, type HubServices } from '../pipeline/index.js'
import type { DeskContext } from './contract.js'

/** Where people reach the hub: the configured public URL, else the address it listens on. */
export function hubBaseUrl (s: HubServices): string {
  const { publicUrl, host, port } = s.config.http
  return (publicUrl ?? s.listenUrl ?? `http://${host}:${port}`).replace(/\/$/, '')
}

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
    findAgentByEmail: async email => (await store.listAgents()).find(a => a.email === email.trim().toLowerCase()) ?? null,
    messagesSince: async (conversationId, since, limit) => (await store.listMessages(conversationId, { since, limit })).items,
    channel (id) {
      const channel = s.channels.get(id)
      return channel === undefined ? null : { id, plugin: channel.definition.name, team: channel.team }
    },
    inboxUrl: conversationId => `${hubBaseUrl(s)}/inbox/#/c/${conversationId}`,
    fileLink: url => {
      const signed = s.links.sign(url, clock())
      return signed.startsWith('/') ? hubBaseUrl(s) + signed : signed
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
