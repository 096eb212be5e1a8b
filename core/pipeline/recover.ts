import { enqueueRoute, enqueueSend } from '../queue/jobs.js'
import type { HubServices } from '../services.js'

const BATCH = 10_000

/**
 * Finishes what a crash left half-done in the store (its `repair`), then re-queues what the
 * store says is unfinished: outbound messages still `pending` and inbound ones never routed.
 * Job ids make this safe to run while the original jobs are alive.
 */
export async function recoverUnfinished (s: HubServices, olderThan: Date): Promise<{ sends: number, routes: number }> {
  const repaired = await s.store.repair(olderThan)
  if (repaired.counted + repaired.agents > 0) s.logger.warn(repaired, 'store repaired what a crash left half-done')
  const { pendingOutbound, unrouted } = await s.store.listUnfinished(olderThan, BATCH)
  for (const m of pendingOutbound) await enqueueSend(s, m.id)
  for (const m of unrouted) await enqueueRoute(s, m.id)
  if (pendingOutbound.length + unrouted.length > 0) {
    s.logger.info({ sends: pendingOutbound.length, routes: unrouted.length }, 'recovered unfinished messages')
  }
  return { sends: pendingOutbound.length, routes: unrouted.length }
}
