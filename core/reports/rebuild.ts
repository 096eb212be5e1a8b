import type { ChannelSettings, HubConfig } from '../config/index.js'
import type { ReportCount, Store } from '../store/index.js'
import { calendarFor } from './calendar.js'
import { allMessages, countsOf, rulesFor } from './counting.js'
import { conversationFacts } from './fold.js'
import { REBUILT_MEASURES } from './measures.js'

/** What a rebuild reads of the config: the targets and time zone, and the channels' business hours. */
type RebuildConfig = Pick<HubConfig, 'reports'> & { channels: ChannelSettings[] }

const keyOf = (c: ReportCount): string => JSON.stringify([c.span, c.tag, c.hour, c.channelId, c.teamId, c.agentId, c.measure])

/** Counter rows added up by key; rows that sum to nothing are left out. */
function merged (rows: ReportCount[]): Map<string, ReportCount> {
  const out = new Map<string, ReportCount>()
  for (const r of rows) {
    const key = keyOf(r)
    const seen = out.get(key)
    if (seen === undefined) out.set(key, { ...r })
    else { seen.count += r.count; seen.sum += r.sum }
  }
  for (const [key, r] of out) if (r.count === 0 && r.sum === 0) out.delete(key)
  return out
}

/** The message measures as the messages say they are: every conversation folded once. */
export async function countFromMessages (store: Pick<Store, 'listConversations' | 'listMessages'>, config: RebuildConfig): Promise<{ conversations: number, counts: ReportCount[] }> {
  const channels = new Map(config.channels.map(c => [c.id, c]))
  const calendar = calendarFor(config.reports.timeZone)
  const rows: ReportCount[] = []
  let conversations = 0
  let cursor: string | undefined
  do {
    const page = await store.listConversations({}, { limit: 200, ...(cursor !== undefined ? { cursor } : {}) })
    for (const conversation of page.items) {
      conversations++
      const facts = conversationFacts(await allMessages(store, conversation.id), rulesFor({ config, channels }, conversation))
      rows.push(...countsOf(facts, conversation, calendar))
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return { conversations, counts: [...merged(rows).values()] }
}

export interface CounterDifference {
  key: Pick<ReportCount, 'span' | 'tag' | 'hour' | 'channelId' | 'teamId' | 'agentId' | 'measure'>
  kept: { count: number, sum: number }
  rebuilt: { count: number, sum: number }
}

/** Where the kept counters and the messages disagree (empty: they agree). */
export async function compareWithMessages (store: Store, config: RebuildConfig): Promise<{ conversations: number, differences: CounterDifference[] }> {
  const rebuilt = await countFromMessages(store, config)
  const kept = merged(await store.listReportCounts(REBUILT_MEASURES))
  const fresh = merged(rebuilt.counts)
  const differences: CounterDifference[] = []
  for (const key of new Set([...kept.keys(), ...fresh.keys()])) {
    const a = kept.get(key)
    const b = fresh.get(key)
    if (a?.count === b?.count && a?.sum === b?.sum) continue
    const { span, tag, hour, channelId, teamId, agentId, measure } = (a ?? b)!
    differences.push({ key: { span, tag, hour, channelId, teamId, agentId, measure }, kept: { count: a?.count ?? 0, sum: a?.sum ?? 0 }, rebuilt: { count: b?.count ?? 0, sum: b?.sum ?? 0 } })
  }
  return { conversations: rebuilt.conversations, differences }
}

/** Replaces the message measures by what the messages say; the lifecycle measures (closes, ratings, breaches) stay as counted. */
export async function rebuildFromMessages (store: Store, config: RebuildConfig): Promise<{ conversations: number, counters: number }> {
  const rebuilt = await countFromMessages(store, config)
  await store.replaceReportCounts(REBUILT_MEASURES, rebuilt.counts)
  return { conversations: rebuilt.conversations, counters: rebuilt.counts.length }
}
