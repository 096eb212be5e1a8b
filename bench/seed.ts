import type { Store } from '../core/store/index.js'

/** Fills a store with `count` conversations of `messages` inbound messages each, from distinct customers on the api channel. */
export async function seedConversations (store: Store, count: number, messages: number): Promise<void> {
  const start = Date.now() - count * messages * 1000
  const writes: Array<Promise<unknown>> = []
  for (let c = 0; c < count; c++) {
    for (let m = 0; m < messages; m++) {
      const at = new Date(start + (c * messages + m) * 1000)
      writes.push(store.recordInbound({
        channelId: 'api', teamId: null, externalId: `seed-${c}-${m}`, contact: { externalId: `customer-${c}`, name: `Customer ${c}`, email: `customer${c}@example.com` },
        text: `Question ${m + 1} about order ${10_000 + c}`, attachments: [], cards: [], sentAt: at
      }, at))
    }
    // The SQLite driver batches concurrent writes into one transaction.
    if (writes.length >= 500) await Promise.all(writes.splice(0))
  }
  await Promise.all(writes)
}
