/**
 * Reports at size, and what keeping their counters costs the inbound path.
 *
 * 1. Report latency: a year of synthetic traffic (1 M and 10 M messages: 5 channels, 4 teams,
 *    40 agents, a quarter of the conversations tagged) folded by the hub's own counting code into
 *    the SQLite store's counters, then each report table timed over the year.
 * 2. Inbound saturation (POST to 200, 500 returning customers, 32 senders) of a bare Fastify
 *    server, the hub keeping counters and the hub with `reports.keepCounters: false`, in one run,
 *    so each hub figure is also a share of the bare server's.
 *
 *   npm run bench:reports                         # writes the tables into bench/README.md
 *   BENCH_REPORT_SIZES=1000000 BENCH_RUNS=5 npm run bench:reports
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { sign } from '../core/channels/signature.js'
import type { Message } from '../core/model/index.js'
import { calendarFor } from '../core/reports/calendar.js'
import { countsOf } from '../core/reports/counting.js'
import { conversationFacts } from '../core/reports/fold.js'
import { report, type ReportQuery, type ReportTable } from '../core/reports/report.js'
import { createSqliteStore } from '../core/store/sqlite/store.js'
import { hourOf, type ReportCount, type Store } from '../core/store/index.js'
import { percentile, root, startHubProcess } from './hub-process.js'

const SIZES = (process.env.BENCH_REPORT_SIZES ?? '1000000,10000000').split(',').map(Number)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000)
const CONCURRENCY = 32
const SECRET = 'bench-secret-0123456789'
const YEAR_START = Date.parse('2025-12-01T00:00:00Z')
const YEAR_MS = 365 * 86_400_000
const CHANNELS = ['webchat', 'messenger', 'whatsapp', 'email', 'tiktok']
const TEAMS = ['sales', 'care', 'vip', null]
const TAGS = ['refund', 'shipping', 'vip', 'complaint', 'wholesale']
const AGENTS_PER_TEAM = 10

/** A small deterministic generator, so every run folds the same year. */
let seed = 42
const random = (): number => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31 }
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!

/** One conversation's messages: customers' questions, agents' answers after a while, now and then the robot's. */
function conversation (start: number, team: string | null, channelId: string): Message[] {
  const agent = `agent-${team ?? 'any'}-${Math.floor(random() * AGENTS_PER_TEAM)}`
  const messages: Message[] = []
  let at = start
  const push = (direction: Message['direction'], author: Message['author'], extras: Message['extras'] = null): void => {
    messages.push({ id: String(messages.length).padStart(4, '0'), conversationId: '', channelId, direction, author, text: '', attachments: [], cards: [], extras, externalId: null, status: 'sent', errorCode: null, errorMessage: null, tag: null, routed: true, createdAt: new Date(at), sentAt: null, deliveredAt: null, readAt: null, updatedAt: new Date(at) })
  }
  for (let turn = 0, turns = 1 + Math.floor(random() * 3); turn < turns; turn++) {
    push('inbound', { type: 'contact', id: 'c' })
    if (random() < 0.3) { at += 20_000; push('inbound', { type: 'contact', id: 'c' }) }
    at += 5_000 + random() * 600_000
    if (random() < 0.1) push('outbound', { type: 'bot', id: null }, { automated: 'faq' })
    else if (random() < 0.95) push('outbound', { type: 'agent', id: agent })
    at += random() * 900_000
  }
  return messages
}

/** Folds `total` messages of a year into the store's counters, hour by hour. */
async function seedYear (store: Store, total: number): Promise<number> {
  const calendar = calendarFor('Asia/Shanghai')
  const rules = new Map(CHANNELS.map(id => [id, { channelId: id, responseTargetMs: 180_000 }]))
  const pending = new Map<string, ReportCount>()
  let written = 0
  const flush = async (beforeHour: number): Promise<void> => {
    const rows = [...pending.entries()].filter(([, r]) => r.hour < beforeHour)
    for (let i = 0; i < rows.length; i += 5000) await store.addReportCounts(rows.slice(i, i + 5000).map(([, r]) => r))
    for (const [key] of rows) pending.delete(key)
    written += rows.length
  }
  const step = YEAR_MS / (total / 4.4)
  let messages = 0
  for (let start = YEAR_START; messages < total; start += step * (0.5 + random())) {
    const channelId = pick(CHANNELS)
    const teamId = pick(TEAMS)
    const tags = random() < 0.25 ? [pick(TAGS), ...(random() < 0.3 ? [pick(TAGS)] : [])].filter((t, i, all) => all.indexOf(t) === i) : []
    const list = conversation(start, teamId, channelId)
    messages += list.length
    for (const row of countsOf(conversationFacts(list, rules.get(channelId)!), { teamId, tags }, calendar)) {
      const key = `${row.span}|${row.tag}|${row.hour}|${row.channelId}|${row.teamId}|${row.agentId}|${row.measure}`
      const seen = pending.get(key)
      if (seen === undefined) pending.set(key, row)
      else { seen.count += row.count; seen.sum += row.sum }
    }
    if (pending.size > 200_000) await flush(hourOf(new Date(start)) - 2)
  }
  await flush(Number.MAX_SAFE_INTEGER)
  return written
}

const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 0.5)

interface LatencyRow { messages: number, counters: number, seedSeconds: number, dbMib: number, ms: Record<string, number> }

const CASES: Array<{ name: string, table: ReportTable, query: Partial<ReportQuery> }> = [
  { name: 'summary', table: 'summary', query: {} },
  { name: 'by week', table: 'timeseries', query: { groupBy: 'week' } },
  { name: 'by day', table: 'timeseries', query: { groupBy: 'day' } },
  { name: 'per agent', table: 'agents', query: {} },
  { name: 'one tag', table: 'summary', query: { tag: 'refund' } },
  { name: 'one team by day', table: 'timeseries', query: { groupBy: 'day', teamId: 'care' } }
]

async function latency (messages: number): Promise<LatencyRow> {
  const path = join(mkdtempSync(join(tmpdir(), 'omnihub-bench-reports-')), 'hub.db')
  const store = createSqliteStore(path)
  await store.open()
  const t0 = performance.now()
  const counters = await seedYear(store, messages)
  const seedSeconds = (performance.now() - t0) / 1000
  const ms: Record<string, number> = {}
  for (const c of CASES) {
    const times: number[] = []
    for (let i = 0; i < Math.max(RUNS, 5); i++) {
      const start = performance.now()
      await report(store, 'Asia/Shanghai', c.table, { from: '2025-12-01', to: '2026-11-30', groupBy: 'day', ...c.query }, new Map())
      times.push(performance.now() - start)
    }
    ms[c.name] = median(times)
  }
  await store.close()
  return { messages, counters, seedSeconds, dbMib: statSync(path).size / 2 ** 20, ms }
}

/** POSTs MESSAGES signed messages from 500 returning customers, 32 at a time; msg/s until the last 200. */
async function saturate (url: string): Promise<number> {
  const { hostname, port } = new URL(url)
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const run = `${process.pid}-${Date.now()}`
  let next = 0
  const post = async (i: number): Promise<void> => {
    const body = JSON.stringify({ messageId: `${run}-${i}`, from: { id: `customer-${i % 500}` }, text: `Where is my order ${i}?` })
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: hostname, port, path: '/channels/api/inbound', method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(SECRET, body), 'content-length': Buffer.byteLength(body) } }, res => {
        res.resume()
        res.on('end', () => { res.statusCode === 200 ? resolve() : reject(new Error(`inbound answered ${res.statusCode}`)) })
      })
      req.on('error', reject)
      req.end(body)
    })
  }
  const blast = async (count: number): Promise<void> => {
    const end = next + count
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < end) await post(next++) }))
  }
  await blast(500)
  const t0 = performance.now()
  await blast(MESSAGES)
  const rate = MESSAGES / ((performance.now() - t0) / 1000)
  agent.destroy()
  return rate
}

async function bareFastify (): Promise<{ url: string, stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(root, 'dist/bench/bare-fastify.js')], { env: { ...process.env, BENCH_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', d => { out += String(d); const m = /listening on (\S+)/.exec(out); if (m !== null) resolve(m[1]!) })
    child.once('exit', code => reject(new Error(`bare server exited ${code}`)))
  })
  return { url, stop: async () => { const exited = new Promise(resolve => child.once('exit', resolve)); child.kill('SIGTERM'); await exited } }
}

async function throughput (): Promise<Record<string, number>> {
  const targets: Record<string, () => Promise<{ url: string, stop: () => Promise<void> }>> = {
    'bare Fastify (verify, parse, 200)': bareFastify,
    'hub, sqlite + inline, counters kept': async () => await startHubProcess({ channels: [{ id: 'api', plugin: 'api', secret: SECRET }] }, { adminToken: 'bench-admin-token-0123456789' }),
    'hub, sqlite + inline, reports.keepCounters: false': async () => await startHubProcess({ reports: { keepCounters: false }, channels: [{ id: 'api', plugin: 'api', secret: SECRET }] }, { adminToken: 'bench-admin-token-0123456789' })
  }
  const rates: Record<string, number[]> = {}
  // Interleaved runs: the machine's load drifts alike for every target.
  for (let run = 0; run < RUNS; run++) {
    for (const [name, start] of Object.entries(targets)) {
      const target = await start()
      try {
        (rates[name] ??= []).push(await saturate(target.url))
      } finally {
        await target.stop()
      }
    }
  }
  return Object.fromEntries(Object.entries(rates).map(([name, xs]) => [name, median(xs)]))
}

function write (latencies: LatencyRow[], rates: Record<string, number>): string {
  const day = new Date().toISOString().slice(0, 10)
  const bare = Object.values(rates)[0]!
  const lines = [
    `Node ${process.version}, ${day}. Report latency: median of ${Math.max(RUNS, 5)} reads of each table over the whole year (Asia/Shanghai days).`,
    '',
    `| messages in the year | counters | store MiB | ${CASES.map(c => `${c.name} ms`).join(' | ')} |`,
    `|---:|---:|---:|${CASES.map(() => '---:').join('|')}|`,
    ...latencies.map(r => `| ${r.messages.toLocaleString('en')} | ${r.counters.toLocaleString('en')} | ${Math.round(r.dbMib)} | ${CASES.map(c => r.ms[c.name]!.toFixed(0)).join(' | ')} |`),
    '',
    `Inbound saturation, median of ${RUNS} interleaved runs of ${MESSAGES} messages (500 returning customers, ${CONCURRENCY} senders, POST to 200):`,
    '',
    '| target | msg/s | share of the bare server |',
    '|---|---:|---:|',
    ...Object.entries(rates).map(([name, rate]) => `| ${name} | ${Math.round(rate)} | ${(rate / bare * 100).toFixed(1)} % |`)
  ]
  return lines.join('\n')
}

const latencies: LatencyRow[] = []
for (const size of SIZES) {
  const row = await latency(size)
  latencies.push(row)
  process.stdout.write(`${size} messages: ${row.counters} counters in ${row.seedSeconds.toFixed(0)} s; ${JSON.stringify(row.ms)}\n`)
}
const rates = await throughput()
process.stdout.write(`${JSON.stringify(rates)}\n`)
const table = write(latencies, rates)
process.stdout.write(`${table}\n`)
const readme = join(root, 'bench/README.md')
const text = readFileSync(readme, 'utf8')
writeFileSync(readme, text.replace(/<!-- reports:start -->[\s\S]*<!-- reports:end -->/, `<!-- reports:start -->\n${table}\n<!-- reports:end -->`))
