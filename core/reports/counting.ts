import type { Logger } from 'pino'
import type { BusinessHours } from '../hours.js'
import type { HubConfig } from '../config/index.js'
import type { Conversation, Message } from '../model/index.js'
import { hourOf, type ReportCount, type Store } from '../store/index.js'
import { conversationFacts, type FoldRules } from './fold.js'
import { calendarFor, type Calendar } from './calendar.js'
import type { Fact, Measure } from './measures.js'
import { targetsFor } from './targets.js'

/** What counting needs of the hub (HubServices has it all). */
export interface Counting {
  store: Pick<Store, 'addReportCounts' | 'listMessages'>
  config: Pick<HubConfig, 'reports'>
  channels: Map<string, { autoReplies: { businessHours?: BusinessHours } }>
  logger: Logger
}

type Counted = Pick<Conversation, 'id' | 'channelId' | 'teamId' | 'tags'>

/**
 * Counter rows for facts of a conversation served by this team and carrying these tags: in its
 * hour and in its local day, the total and once per tag.
 */
export function countsOf (facts: Fact[], conversation: Pick<Conversation, 'teamId' | 'tags'>, calendar: Calendar, sign = 1): ReportCount[] {
  const rows: ReportCount[] = []
  for (const f of facts) {
    const count = (f.count ?? 1) * sign
    const hour = hourOf(f.at)
    for (const [span, at] of [[1, hour], [24, calendar.dayOf(hour)]] as const) {
      for (const tag of ['', ...conversation.tags]) {
        rows.push({ span, hour: at, channelId: f.channelId, teamId: conversation.teamId, agentId: f.agentId, tag, measure: f.measure, count, sum: f.value * sign })
      }
    }
  }
  return rows
}

export function rulesFor (k: Pick<Counting, 'config' | 'channels'>, conversation: Pick<Conversation, 'channelId' | 'teamId'>): FoldRules {
  const hours = k.channels.get(conversation.channelId)?.autoReplies.businessHours
  return {
    channelId: conversation.channelId,
    responseTargetMs: targetsFor(k.config.reports, conversation.channelId, conversation.teamId).responseTargetMs,
    ...(hours !== undefined ? { hours } : {})
  }
}

/** Every message of a conversation, oldest first. */
export async function allMessages (store: Pick<Store, 'listMessages'>, conversationId: string): Promise<Message[]> {
  const messages: Message[] = []
  let cursor: string | undefined
  do {
    const page = await store.listMessages(conversationId, { limit: 500, ...(cursor !== undefined ? { cursor } : {}) })
    messages.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return messages
}

/**
 * Counting never fails what it counts: a lost count is logged, and `omnihub reports rebuild`
 * restores the message measures.
 */
async function safely (k: Counting, conversationId: string, what: string, work: () => Promise<void>): Promise<void> {
  if (!k.config.reports.keepCounters) return
  try {
    await work()
  } catch (err) {
    k.logger.warn({ conversationId, measure: what, err: { message: (err as Error).message } }, 'report counters not updated')
  }
}

/**
 * A message was stored (once: not a redelivery). A customer's message counts without a read;
 * a reply (or the robot's answer) reads its conversation once, for what it answered.
 */
export async function countMessage (k: Counting, conversation: Counted, message: Message, opened: boolean): Promise<void> {
  await safely(k, conversation.id, 'message', async () => {
    const customer = message.direction === 'inbound'
    // The fold's first two rules, without reading the conversation: what a customer's message (or a note) counts.
    const at = (measure: Measure, channelId: string): Fact => ({ measure, at: message.createdAt, channelId, agentId: null, value: 0 })
    const facts: Fact[] = customer || message.direction === 'note'
      ? [...(opened ? [at('opened', conversation.channelId)] : []), ...(customer ? [at('inbound', message.channelId)] : [])]
      : conversationFacts(await allMessages(k.store, conversation.id), rulesFor(k, conversation)).filter(f => f.messageId === message.id)
    await k.store.addReportCounts(countsOf(facts, conversation, calendarFor(k.config.reports.timeZone)))
  })
}

/** Something that happened to the conversation itself (closed, rated, a breach): counted with its team and tags of now. */
export async function countEvent (k: Counting, conversation: Counted, fact: Omit<Fact, 'channelId'>): Promise<void> {
  await safely(k, conversation.id, fact.measure, async () => {
    await k.store.addReportCounts(countsOf([{ ...fact, channelId: conversation.channelId }], conversation, calendarFor(k.config.reports.timeZone)))
  })
}

/**
 * A conversation's team or tags changed: its message measures move with it, so a team's and a
 * tag's figures are those of the conversations they have now, as a rebuild counts them.
 */
export async function recountConversation (k: Counting, before: Counted, after: Counted): Promise<void> {
  const teamChanged = before.teamId !== after.teamId
  const removed = teamChanged ? before.tags : before.tags.filter(t => !after.tags.includes(t))
  const added = teamChanged ? after.tags : after.tags.filter(t => !before.tags.includes(t))
  if (!teamChanged && removed.length === 0 && added.length === 0) return
  await safely(k, after.id, 'recount', async () => {
    const messages = await allMessages(k.store, after.id)
    const was = conversationFacts(messages, rulesFor(k, before))
    const is = teamChanged ? conversationFacts(messages, rulesFor(k, after)) : was
    const calendar = calendarFor(k.config.reports.timeZone)
    const rows = countsOf(was, { teamId: before.teamId, tags: removed }, calendar, -1).filter(r => teamChanged || r.tag !== '')
    rows.push(...countsOf(is, { teamId: after.teamId, tags: added }, calendar).filter(r => teamChanged || r.tag !== ''))
    await k.store.addReportCounts(rows)
  })
}
