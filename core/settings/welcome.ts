import { fillPlaceholders } from '../phrases/index.js'
import type { HubServices } from '../services.js'
import type { RuleBook } from './rules.js'

/** A team's (or the hub's) store-entry welcome for one occasion or product line. */
export interface WelcomeGroup {
  /** Named by the channel and by pages (`omnihubSettings.welcome`). */
  id: string
  name: string
  text: string
  /** Offered as buttons under the welcome; a tap sends the question as the customer's message. */
  questions: string[]
}

/** What a customer opening the chat is shown before they write. */
export interface StoreEntryWelcome {
  /** The group it came from; null: their agent's own welcome (the group's questions still offered). */
  group: string | null
  text: string
  questions: string[]
  /** The agent whose own welcome it is, shown with their name. */
  agent: { name: string } | null
}

/** The welcome groups a channel of this team may show: the team's, then the hub's. */
export const welcomeGroupsFor = (rules: RuleBook, teamId: string | null): WelcomeGroup[] =>
  [...(teamId === null ? [] : rules.get(`team:${teamId}`).welcomes), ...rules.get('hub').welcomes]

/**
 * The store-entry welcome (进店欢迎语) for a customer opening a channel's chat: none while they
 * have an open conversation (they are talking already). Returning customers whose last agent
 * has their own welcome get it with that agent's name; everyone else the group the page asks
 * for, else the channel's, else the team's first, else the hub's first. Groups are the channel
 * team's, then the hub's.
 */
export async function storeEntryWelcome (s: HubServices, channelId: string, to: { conversationId: string | null, group?: string }): Promise<StoreEntryWelcome | null> {
  const channel = s.channels.get(channelId)
  if (channel === undefined) return null
  const conversation = to.conversationId === null ? null : await s.store.getConversation(to.conversationId)
  if (conversation !== null && conversation.status !== 'closed') return null
  const groups = welcomeGroupsFor(s.rules, channel.team)
  const chosen = [to.group, s.rules.get(`channel:${channelId}`).welcomeGroup].flatMap(id => groups.filter(g => g.id === id))[0] ?? groups[0]
  const contact = conversation === null ? null : await s.store.getContact(conversation.contactId)
  const last = contact?.lastAgentId == null ? null : await s.store.getAgent(contact.lastAgentId)
  const own = last !== null && last.welcome !== null && last.deactivatedAt === null && (channel.team === null || last.teams.includes(channel.team)) ? last : null
  if (own !== null) return { group: null, text: fillPlaceholders(own.welcome!, { contact, agent: own }), questions: chosen?.questions ?? [], agent: { name: own.name } }
  if (chosen === undefined) return null
  return { group: chosen.id, text: fillPlaceholders(chosen.text, { contact, agent: null }), questions: chosen.questions, agent: null }
}
