/**
 * New customers arriving in a burst: 1,000 a second for 10 s, each message timed from the start
 * of its POST until it is on a supervisor's WebSocket (`message.created`), with 0 or 100 agents
 * online and with the line empty or 50,000 conversations already waiting (seeded into the
 * store before the hub starts). The hub runs in its own process; this one sends and listens.
 *
 *   npm run bench:burst         # writes the table into bench/README.md
 *   BENCH_RUNS=1 BENCH_BURST_SECONDS=5 npm run bench:burst
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { createSqliteStore } from '../core/store/sqlite/store.js'
import { addAgents, clearRedisPrefix, median, percentile, root, startHubProcess } from './hub-process.js'
import { paced, signedPoster } from './load.js'

const RATE = Number(process.env.BENCH_BURST_RATE ?? 1000)
const SECONDS = Number(process.env.BENCH_BURST_SECONDS ?? 10)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const WAITING = Number(process.env.BENCH_WAITING ?? 50_000)
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const SECRET = 'burst-bench-secret-0123456789'
const TOKEN = 'burst-bench-admin-token-0123456789'

/** A store file with `count` conversations waiting in the every-agent line, made once and copied for each run. */
async function seededStore (count: number): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'omnihub-burst-seed-')), 'hub.db')
  const store = createSqliteStore(path)
  await store.open()
  const start = Date.now() - count * 1000
  for (let done = 0; done < count;) {
    const batch = Array.from({ length: Math.min(500, count - done) }, async (_, i) => {
      const at = new Date(start + (done + i) * 1000)
      const { conversation, message } = await store.recordInbound({ channelId: 'api', teamId: null, externalId: `seed-${done + i}`, contact: { externalId: `waiting-${done + i}` }, text: 'Hello?', attachments: [], cards: [], sentAt: at }, at)
      await store.markRouted(message.id)
      await store.queueConversation(conversation.id, 'no_agent_online', conversation.createdAt, at)
    })
    await Promise.all(batch)
    done += batch.length
  }
  await store.close()
  return path
}

interface Scenario { mode: 'inline' | 'bullmq', agents: number, waiting: number }
interface Outcome { p50: number, p99: number, max: number, delivered: number }

async function once ({ mode, agents, waiting }: Scenario, seeded: string | null): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-burst-'))
  const path = join(dir, 'hub.db')
  if (seeded !== null) copyFileSync(seeded, path)
  const prefix = `omnihub-burst-${process.pid}-${Date.now()}`
  const hub = await startHubProcess({
    store: { driver: 'sqlite', path },
    queue: mode === 'inline' ? { driver: 'inline' } : { driver: 'bullmq', redis: REDIS_URL, prefix },
    presence: { graceMs: 3_600_000 },
    channels: [{ id: 'api', plugin: 'api', secret: SECRET, callbackUrl: '' }]
  }, { adminToken: TOKEN, nodeFlags: (process.env.BENCH_HUB_NODE_FLAGS ?? '').split(' ').filter(Boolean) })
  try {
    await addAgents(hub.url, TOKEN, agents, { domain: 'burst.example', online: true })
    // Agents coming online take waiting conversations up to their capacity: let that settle first.
    await new Promise(resolve => setTimeout(resolve, agents > 0 && waiting > 0 ? 5000 : 500))
    const started = new Map<string, number>()
    const latencies: number[] = []
    const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/api/v1/stream`, { headers: { authorization: `Bearer ${TOKEN}` } })
    await new Promise(resolve => socket.once('open', resolve))
    const ids = Array.from({ length: RATE * SECONDS }, (_, i) => `b-${i}`)
    let onAll: () => void = () => {}
    const all = new Promise<void>(resolve => { onAll = resolve })
    socket.on('message', data => {
      const text = data.toString()
      if (!text.includes('"type":"message.created"')) return
      const externalId = (JSON.parse(text) as { message: { externalId: string | null } }).message.externalId ?? ''
      const t0 = started.get(externalId)
      if (t0 === undefined) return
      started.delete(externalId)
      latencies.push(performance.now() - t0)
      if (latencies.length === ids.length) onAll()
    })
    const poster = signedPoster(hub.url, SECRET, 64)
    // Warm the hub (JIT, SQLite's cache) on 2 s of returning customers, untimed.
    await paced(Array.from({ length: RATE * 2 }, (_, i) => `warm-${i}`), RATE, async id => await poster.post(id, `warm-${Number(id.slice(5)) % 200}`))
    await new Promise(resolve => setTimeout(resolve, 1000))
    await paced(ids, RATE, async id => { started.set(id, performance.now()); await poster.post(id, `new-${id}`) })
    await Promise.race([all, new Promise(resolve => setTimeout(resolve, 30_000))])
    poster.close()
    socket.close()
    latencies.sort((a, b) => a - b)
    return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? NaN, delivered: latencies.length }
  } finally {
    await hub.stop()
    if (mode === 'bullmq') await clearRedisPrefix(REDIS_URL, prefix)
  }
}

const seeded = WAITING > 0 ? await seededStore(WAITING) : null
const rows: string[] = []
const only = process.env.BENCH_ONLY // e.g. 'inline,0,0': one scenario, for profiling
for (const mode of ['inline', 'bullmq'] as const) {
  for (const waiting of [0, WAITING]) {
    for (const agents of [0, 100]) {
      if (only !== undefined && only !== `${mode},${agents},${waiting}`) continue
      const outcomes: Outcome[] = []
      for (let i = 0; i < RUNS; i++) {
        const o = await once({ mode, agents, waiting }, waiting > 0 ? seeded : null)
        outcomes.push(o)
        process.stdout.write(`sqlite + ${mode}, ${agents} agents, ${waiting} waiting, run ${i + 1}: p50 ${o.p50.toFixed(1)} ms, p99 ${o.p99.toFixed(1)} ms, max ${o.max.toFixed(1)} ms, ${o.delivered}/${RATE * SECONDS} delivered\n`)
      }
      const target = mode === 'inline' ? 30 : 60
      const p99 = median(outcomes.map(o => o.p99))
      rows.push(`| sqlite + ${mode} | ${agents} | ${waiting.toLocaleString('en')} | ${median(outcomes.map(o => o.p50)).toFixed(1)} | ${p99.toFixed(1)} | ${median(outcomes.map(o => o.max)).toFixed(1)} | ${target} | ${p99 <= target ? 'met' : 'not met'} | ${Math.min(...outcomes.map(o => o.delivered))}/${RATE * SECONDS} |`)
    }
  }
}
const table = [
  `Median of ${RUNS} runs, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}: ${RATE} new customers a second for ${SECONDS} s (open loop),`,
  'webhook POST to `message.created` on a supervisor\'s socket.',
  '',
  '| store + queue | agents online | already waiting | p50 ms | p99 ms | max ms | p99 target ms | target | delivered |',
  '|---|---:|---:|---:|---:|---:|---:|---|---:|',
  ...rows
].join('\n')
process.stdout.write(`\n${table}\n`)
const readme = join(root, 'bench/README.md')
writeFileSync(readme, readFileSync(readme, 'utf8').replace(/<!-- burst:start -->[\s\S]*<!-- burst:end -->/, `<!-- burst:start -->\n${table}\n<!-- burst:end -->`))
