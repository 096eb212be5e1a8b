import type { SuppressionReason } from '../model/index.js'
import type { Store } from '../store/index.js'
import type { ChannelPluginDefinition } from './contract.js'

export interface ChannelCounters {
  channelId: string
  plugin: string
  /** Each of the plugin's counters since the start of the period (0 when nothing happened). */
  counts: Record<string, number>
  /** Contacts this channel has suppressed, by reason, now. */
  suppressed: Record<SuppressionReason, number>
}

/** Per enabled channel that declares counters: what its plugin counted since `since`, and whom it suppressed. */
export async function channelCounters (store: Pick<Store, 'countChannelEvents' | 'countSuppressed'>, channels: Iterable<{ id: string, definition: ChannelPluginDefinition }>, since: Date): Promise<ChannelCounters[]> {
  const [events, suppressed] = await Promise.all([store.countChannelEvents(since), store.countSuppressed()])
  return [...channels].filter(c => (c.definition.counters ?? []).length > 0).map(c => ({
    channelId: c.id,
    plugin: c.definition.name,
    counts: Object.fromEntries(c.definition.counters!.map(counter => [counter, events.find(e => e.channelId === c.id && e.kind === `counter:${counter}`)?.count ?? 0])),
    suppressed: Object.fromEntries((['complained', 'undeliverable', 'machine'] as const).map(reason => [reason, suppressed.find(r => r.channelId === c.id && r.reason === reason)?.count ?? 0])) as Record<SuppressionReason, number>
  }))
}
