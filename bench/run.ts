/**
 * Inbound benchmark: N signed messages through the `api` channel, each timed from the start
 * of its POST until it is on a connected agent's WebSocket. The hub runs in its own process
 * (one core); this process sends and listens (the other core).
 *
 *   npm run bench                   # defaults below; writes the table into bench/README.md
 *   BENCH_MESSAGES=20000 BENCH_CONCURRENCY=32 BENCH_RUNS=5 npm run bench
 *   BENCH_HUB_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench   # profile the hub
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import { addAgents, clearRedisPrefix, launchNode, median, peakRssMb, percentile, root, startHubProcess, type HubProcess } from './hub-process.js'
import { cannon, paced, saturate, signedPoster } from './load.js'

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
/** Agents online, each with room for everything: routing is measured, not waiting. */
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100)
/** Offered load of the paced phase, messages/s, and how long it lasts. */
const RATE = Number(process.env.BENCH_RATE ?? 2000)
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 5)
const WARMUP = 500
const CANNON_SECONDS = Number(process.env.BENCH_CANNON_SECONDS ?? 10)
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const SECRET = 'bench-secret-0123456789'
const TOKEN = 'bench-admin-token-0123456789'

interface Result { mode: string, answered: number, rate: number, pacedRate: number, p50: number, p99: number, max: number, assignP50: number, assignP99: number, assignMax: number, rssMb: number }


async function startHub (mode: 'inline' | 'bullmq', prefix: string): Promise<HubProcess> {
  return await startHubProcess({
    queue: mode === 'inline' ? { driver: 'inline' } : { driver: 'bullmq', redis: REDIS_URL, prefix },
    routing: { defaultCapacity: 10_000 },
    presence: { graceMs: 3_600_000 },
    channels: [{ id: 'api', plugin: 'api', secret: SECRET }]
  }, { adminToken: TOKEN, nodeFlags: (process.env.BENCH_HUB_NODE_FLAGS ?? '').split(' ').filter(Boolean) })
}

async function run (mode: 'inline' | 'bullmq'): Promise<Result> {
  const prefix = `omnihub-bench-${process.pid}-${Date.now()}`
  const hub = await startHub(mode, prefix)
  const started = new Map<string, number>()
  const latencies: number[] = []
  let received = 0
  let onAll: () => void = () => {}

  await addAgents(hub.url, TOKEN, AGENTS, { domain: 'bench.example', online: true })
  /** Routing: when each conversation was assigned, and when its first message was posted. */
  const assignedAt = new Map<string, number>()
  const openedAt = new Map<string, number>()

  const socket = new WebSocket(`${hub.url.replace('http', 'ws')}/api/v1/stream?access_token=${TOKEN}`)
  await new Promise(resolve => socket.once('open', resolve))
  socket.on('message', data => {
    const text = data.toString()
    if (text.includes('"type":"conversation.assigned"')) {
      assignedAt.set((JSON.parse(text) as { conversationId: string }).conversationId, performance.now())
      return
    }
    if (!text.includes('"type":"message.created"')) return
    const externalId = (JSON.parse(text) as { message: { externalId: string } }).message.externalId
    const t0 = started.get(externalId)
    if (t0 === undefined) return
    started.delete(externalId)
    latencies.push(performance.now() - t0)
    if (++received === target) onAll()
  })

  const poster = signedPoster(hub.url, SECRET, CONCURRENCY)
  /** Saturation reuses 500 customers (busy conversations); paced ones are each a new customer (a new conversation to route). */
  const post = async (id: string): Promise<void> => {
    const t0 = performance.now()
    started.set(id, t0)
    const conversationId = await poster.post(id, id.startsWith('p-') ? id : `customer-${id.slice(-3)}`)
    if (!openedAt.has(conversationId)) openedAt.set(conversationId, t0)
  }
  const blast = async (ids: string[]): Promise<void> => await saturate(ids, CONCURRENCY, post)

  /** Sends `ids` and resolves when every one is on the agent's socket. */
  const measure = async (ids: string[], send: (ids: string[]) => Promise<void>): Promise<number> => {
    latencies.length = 0
    received = 0
    target = ids.length
    const all = new Promise<void>(resolve => { onAll = resolve })
    const t0 = performance.now()
    await send(ids)
    await all
    return ids.length / ((performance.now() - t0) / 1000)
  }
  let target = WARMUP
  await measure(Array.from({ length: WARMUP }, (_, i) => `warm-${i}`), blast)
  const rate = await measure(Array.from({ length: MESSAGES }, (_, i) => `m-${mode}-${i}`), blast)
  assignedAt.clear()
  openedAt.clear()
  const pacedRate = await measure(Array.from({ length: RATE * PACED_SECONDS }, (_, i) => `p-${mode}-${i}`), async ids => await paced(ids, RATE, post))
  await new Promise(resolve => setTimeout(resolve, 500))
  const assignLatencies = [...openedAt].flatMap(([id, t0]) => assignedAt.has(id) ? [assignedAt.get(id)! - t0] : []).sort((a, b) => a - b)
  if (assignLatencies.length < openedAt.size) throw new Error(`${openedAt.size - assignLatencies.length} conversations were never assigned`)
  // Last, as it leaves a backlog behind: how fast the hub answers webhooks under autocannon, as the bare server is measured.
  const answered = await cannon(hub.url, SECRET, CONCURRENCY, CANNON_SECONDS, 500)
  const rssMb = peakRssMb(hub.pid)
  socket.close()
  poster.close()
  await hub.stop()
  if (mode === 'bullmq') await clearRedisPrefix(REDIS_URL, prefix)
  latencies.sort((a, b) => a - b)
  return {
    mode: `sqlite + ${mode}`, answered, rate, pacedRate, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies[latencies.length - 1]!,
    assignP50: percentile(assignLatencies, 0.5), assignP99: percentile(assignLatencies, 0.99), assignMax: assignLatencies[assignLatencies.length - 1]!, rssMb
  }
}

/** The yardstick, in this same run: the bare Fastify server's rates on the same messages, answered 200 (our senders, then autocannon). */
async function bare (): Promise<{ rate: number, answered: number }> {
  const { child, ready } = launchNode([join(root, 'dist/bench/bare-fastify.js')], { BENCH_SECRET: SECRET }, 'inherit')
  const url = await ready
  const poster = signedPoster(url, SECRET, CONCURRENCY)
  const send = async (id: string): Promise<string> => await poster.post(id, `customer-${id.slice(-3)}`)
  await saturate(Array.from({ length: WARMUP }, (_, i) => `warm-${i}`), CONCURRENCY, send)
  const t0 = performance.now()
  await saturate(Array.from({ length: MESSAGES }, (_, i) => `m-bare-${i}`), CONCURRENCY, send)
  const rate = MESSAGES / ((performance.now() - t0) / 1000)
  poster.close()
  const answered = await cannon(url, SECRET, CONCURRENCY, CANNON_SECONDS, 500)
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  return { rate, answered }
}

const bares: Array<{ rate: number, answered: number }> = []
for (let i = 0; i < RUNS; i++) {
  bares.push(await bare())
  process.stdout.write(`bare fastify run ${i + 1}: autocannon ${bares.at(-1)!.answered.toFixed(0)} msg/s; our senders ${bares.at(-1)!.rate.toFixed(0)} msg/s\n`)
}
const bareAnswered = median(bares.map(b => b.answered))
const rows: string[] = [`| bare Fastify: verify, parse, 200 | ${bareAnswered.toFixed(0)} | 100 % | ${median(bares.map(b => b.rate)).toFixed(0)} | – | – | – | – | – |`]
const routingRows: string[] = []
for (const mode of ['inline', 'bullmq'] as const) {
  const results: Result[] = []
  for (let i = 0; i < RUNS; i++) {
    const r = await run(mode)
    results.push(r)
    process.stdout.write(`${r.mode} run ${i + 1}: autocannon ${r.answered.toFixed(0)} msg/s answered; delivered at most ${r.rate.toFixed(0)} msg/s; at ${RATE}/s offered: ${r.pacedRate.toFixed(0)} msg/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms; assigned p50 ${r.assignP50.toFixed(1)} ms, p99 ${r.assignP99.toFixed(1)} ms; peak RSS ${r.rssMb.toFixed(0)} MiB\n`)
  }
  routingRows.push(`| ${results[0]!.mode} | ${RATE} | ${AGENTS} | ${median(results.map(r => r.assignP50)).toFixed(1)} | ${median(results.map(r => r.assignP99)).toFixed(1)} | ${median(results.map(r => r.assignMax)).toFixed(1)} |`)
  const answered = median(results.map(r => r.answered))
  rows.push(`| ${results[0]!.mode} | ${answered.toFixed(0)} | ${(100 * answered / bareAnswered).toFixed(1)} % | ${median(results.map(r => r.rate)).toFixed(0)} | ${median(results.map(r => r.pacedRate)).toFixed(0)} | ${median(results.map(r => r.p50)).toFixed(1)} | ${median(results.map(r => r.p99)).toFixed(1)} | ${median(results.map(r => r.max)).toFixed(1)} | ${median(results.map(r => r.rssMb)).toFixed(0)} |`)
}

const table = [
  `Median of ${RUNS} runs, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Answered: autocannon, ${CONCURRENCY} connections for ${CANNON_SECONDS} s, unique signed`,
  `messages from 500 returning customers, each target in this same run; the share is of the bare server's rate. Delivered: ${MESSAGES}`,
  `messages from ${CONCURRENCY} of this process's senders, until each is on the agent's socket (the bare server: answered). Paced:`,
  `${RATE} messages/s offered for ${PACED_SECONDS} s (open loop); latencies are from this phase.`,
  '',
  `| target | answered msg/s | share of bare | delivered msg/s | paced msg/s | p50 ms | p99 ms | max ms | peak RSS MiB |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows
].join('\n')
const routingTable = [
  `Median of ${RUNS} runs, same runs as above: the paced phase's messages each come from a new customer, so each opens a`,
  `conversation that is routed (least-busy) among ${AGENTS} online agents. Time from the start of the webhook POST to the`,
  `agent socket's \`conversation.assigned\`.`,
  '',
  '| store + queue | arrivals/s | agents online | assign p50 ms | assign p99 ms | max ms |',
  '|---|---:|---:|---:|---:|---:|',
  ...routingRows
].join('\n')
process.stdout.write(`\n${table}\n\n${routingTable}\n`)
const readme = join(root, 'bench/README.md')
const text = readFileSync(readme, 'utf8')
writeFileSync(readme, text
  .replace(/<!-- inbound:start -->[\s\S]*<!-- inbound:end -->/, `<!-- inbound:start -->\n${table}\n<!-- inbound:end -->`)
  .replace(/<!-- routing:start -->[\s\S]*<!-- routing:end -->/, `<!-- routing:start -->\n${routingTable}\n<!-- routing:end -->`))
