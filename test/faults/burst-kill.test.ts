import t from 'tap'
import { API_SECRET } from '../helpers/hub.js'
import { sign } from '../../core/channels/signature.js'
import { createSqliteStore } from '../../core/store/sqlite/store.js'
import { launch, stop, writeConfig, type Running } from '../helpers/process.js'
import { until } from '../queue.contract.js'

const MESSAGES = 600
const ids = Array.from({ length: MESSAGES }, (_, i) => `burst-${i}`)
/** New customers and returning ones (every fifth writes again), as a burst at a sale's start. */
const customerOf = (i: number): string => i % 5 === 4 ? `returning-${i % 20}` : `new-${i}`

/** One delivery as a channel makes it: true only for a 200 (anything else, or no answer, is delivered again). */
async function deliver (hub: Running, i: number): Promise<boolean> {
  const raw = JSON.stringify({ messageId: ids[i], from: { id: customerOf(i) }, text: `order question ${i}` })
  try {
    const response = await fetch(`${hub.url}/channels/api/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, raw) }, body: raw })
    await response.arrayBuffer()
    return response.status === 200
  } catch {
    return false
  }
}

t.test('the hub killed in the middle of a burst: every accepted message is stored once and routed after restart', async t => {
  const { dir, file } = writeConfig({ channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: '' }] })
  const first = await launch(t, 'start', file)
  const accepted = new Set<number>()
  let next = 0
  let killed: Promise<void> | undefined
  // 16 senders; the hub is killed once a third of the burst has been accepted, with requests in flight.
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < MESSAGES && killed === undefined) {
      const i = next++
      if (await deliver(first, i)) accepted.add(i)
      if (accepted.size >= MESSAGES / 3) killed ??= stop(first, 'SIGKILL')
    }
  }))
  await killed
  t.ok(accepted.size >= MESSAGES / 3 && accepted.size < MESSAGES, `${accepted.size} of ${MESSAGES} accepted before the kill`)

  // The channel redelivers what was not acknowledged and the rest of the burst; some acknowledged ones again, as channels do.
  const second = await launch(t, 'start', file)
  const again = [...ids.keys()].filter(i => !accepted.has(i) || i % 7 === 0)
  const refused: number[] = []
  for (let start = 0; start < again.length; start += 16) {
    await Promise.all(again.slice(start, start + 16).map(async i => { if (!await deliver(second, i)) refused.push(i) }))
  }
  t.same(refused, [], 'the restarted hub accepts every redelivery')
  // Recovery routes whatever the kill left unrouted.
  const store = createSqliteStore(`${dir}/hub.db`)
  await store.open()
  t.teardown(async () => { await store.close() })
  await until(async () => (await store.listUnfinished(new Date(Date.now() + 60_000), 10)).unrouted.length === 0, 30_000, 'every stored message routed')
  await stop(second)

  const stored = await store.findMessagesByExternalId('api', ids)
  t.equal(stored.length, MESSAGES, 'each of the burst\'s messages is stored')
  t.equal(new Set(stored.map(m => m.externalId)).size, MESSAGES, 'none twice')
  t.ok(stored.every(m => m.routed), 'every one routed')
  const conversations = new Set(stored.map(m => m.conversationId))
  t.equal(conversations.size, new Set(ids.map((_, i) => customerOf(i))).size, 'one conversation per customer, returning ones continued')
})
