import { agentsOnline, amendMessage, applyReceipt, customerTyping, failOutbound, ingest, reportHealth, setConversationState, suppressContact } from '../pipeline/index.js'
import type { HubServices } from '../services.js'
import { storeEntryWelcome } from '../settings/welcome.js'
import { validLocale } from '../text/index.js'
import type { ChannelContext, ChannelPluginDefinition } from './contract.js'
import { channelFiles } from './files.js'

/** The slice of the core a channel gets, as the desk context is a desk's: its own messages, contacts, keys and signals. */
export function channelContext (s: HubServices, channelId: string, definition: ChannelPluginDefinition): ChannelContext {
  const { store, bus, clock } = s
  const topic = `channel:${channelId}`
  return {
    channelId,
    ingest: async message => await ingest(s, channelId, message),
    receipt: async receipt => await applyReceipt(s, channelId, receipt),
    // A language, zone or country that is not well-formed is the channel's noise: it is left out, the rest filled.
    updateProfile: async (externalId, { name, avatarUrl, ...locale }) => await store.fillProfile(channelId, externalId, { ...(name !== undefined ? { name } : {}), ...(avatarUrl !== undefined ? { avatarUrl } : {}), ...validLocale(locale) }, clock()),
    outboundFailed: async (externalId, failure) => await failOutbound(s, channelId, externalId, failure),
    setConversationState: async (conversationId, patch) => await setConversationState(s, channelId, conversationId, patch),
    amendMessage: async (externalId, amendment) => await amendMessage(s, channelId, externalId, amendment),
    suppressContact: async (conversationId, suppression) => await suppressContact(s, channelId, conversationId, suppression),
    count: async counter => {
      if (definition.counters?.includes(counter) !== true) throw new Error(`${definition.name} counts "${counter}", which its counters do not declare`)
      await store.recordChannelEvent(channelId, `counter:${counter}`, clock())
    },
    findMessages: async externalIds => await store.findMessagesByExternalId(channelId, externalIds),
    getConversation: async id => await store.getConversation(id),
    listMessages: async (conversationId, paging) => await store.listMessages(conversationId, paging),
    updateContact: async (externalId, details) => await store.updateContact(channelId, externalId, details, clock()),
    recordPageView: async (externalId, view) => await store.recordPageView(channelId, externalId, view),
    welcome: async to => await storeEntryWelcome(s, channelId, to),
    presence: async (externalId, report) => await s.presence.report(channelId, externalId, report),
    customerTyping: async (conversationId, on) => await customerTyping(s, channelId, conversationId, on),
    agentsOnline: async () => await agentsOnline(s, channelId),
    broadcast: async payload => await bus.signal(topic, payload),
    onBroadcast: listener => bus.onSignal(topic, listener),
    files: channelFiles(s.files, s.links, clock),
    reportHealth: health => reportHealth(s, channelId, health),
    logger: s.logger.child({ channelId }),
    clock,
    kv: {
      get: async key => await store.kvGet(channelId, key),
      set: async (key, value) => await store.kvSet(channelId, key, value),
      delete: async key => await store.kvDelete(channelId, key),
      setIfAbsent: async (key, value) => await store.kvSetIfAbsent(channelId, key, value)
    }
  }
}
