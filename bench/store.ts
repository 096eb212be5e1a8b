/**
 * The SQLite store's write path on its own: inbound messages through `recordInbound` (a new
 * contact, identity and conversation for one in ten, the rest continue one), then the route
 * job's `markRouted`, CONCURRENCY at a time so group commit works as it does under webhooks.
 * It measures the SQLite binding and the driver's SQL, not HTTP: compare runtimes with it.
 *
 *   npm run bench:store                   # BENCH_MESSAGES=20000 BENCH_RUNS=5
 *   OMNIHUB_NODE=22 npm run bench:store   # the same on another Node line
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createStore } from '../core/store/index.js'

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)

async function once (): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-bench-store-'))
  const store = await createStore({ driver: 'sqlite', path: join(dir, 'bench.db') })
  await store.open()
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < MESSAGES) {
      const n = next++
      const { message } = await store.recordInbound({
        channelId: 'api', teamId: null, externalId: `m${n}`, contact: { externalId: `c${n % (MESSAGES / 10)}`, name: 'Customer' },
        text: 'Where is my order?', attachments: [], cards: [], sentAt: new Date()
      }, new Date())
      await store.markRouted(message.id)
    }
  }))
  const seconds = (performance.now() - started) / 1000
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  return MESSAGES / seconds
}

const rates: number[] = []
for (let i = 0; i < RUNS; i++) rates.push(await once())
rates.sort((a, b) => a - b)
console.log(JSON.stringify({ node: process.version, messages: MESSAGES, concurrency: CONCURRENCY, runs: RUNS, medianMsgPerSec: Math.round(rates[Math.floor(RUNS / 2)]!), all: rates.map(Math.round) }))
