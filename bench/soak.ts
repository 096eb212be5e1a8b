/**
 * Faults soak: a steady stream of customer messages and agent replies through a hub and two
 * workers on a Redis of its own, while the workers are killed with -9 in turn and Redis is
 * killed (its jobs lost: no persistence) for 10 s. Then it counts what went in and out:
 * every accepted message on the agent's socket once, every accepted reply at the customer's
 * system (by idempotency key) and marked sent, nothing from a refused reply anywhere.
 *
 *   npm run soak                          # 60 s at 100 messages/s
 *   SOAK_SECONDS=600 SOAK_RATE=200 npm run soak
 *
 * Too slow for `npm test`; the README's Reliability section quotes its figures.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { stringify } from 'yaml'
import { sign } from '../core/channels/signature.js'
import { freePort, launchOmnihub } from './hub-process.js'

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60)
const RATE = Number(process.env.SOAK_RATE ?? 100)
/** One customer message in this many gets an agent's reply. */
const REPLY_EVERY = 4
/** One message in this many is delivered twice, as channels redeliver. */
const REDELIVER_EVERY = 10
const KILL_WORKER_EVERY_MS = 8000
const REDIS_OUTAGE_MS = 10_000
const SECRET = 'soak-secret-0123456789'
const TOKEN = 'soak-admin-token-0123456789'
const launch = (command: 'start' | 'worker', file: string): ReturnType<typeof launchOmnihub> => launchOmnihub(command, file, { OMNIHUB_ADMIN_TOKEN: TOKEN })
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/** redis-server without persistence: killing it loses every queued job, the worst case. */
class KillableRedis {
  private child: ChildProcess | undefined
  constructor (readonly port: number) {}
  up (): void { this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }) }
  down (): void { this.child?.kill('SIGKILL') }
}

/** The customer's system behind the api channel: tries per reply, by idempotency key. */
function callbackServer (): { server: Server, tries: Map<string, number>, texts: Set<string> } {
  const tries = new Map<string, number>()
  const texts = new Set<string>()
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', c => chunks.push(c as Buffer))
    request.on('end', () => {
      const key = String(request.headers['idempotency-key'])
      tries.set(key, (tries.get(key) ?? 0) + 1)
      texts.add(String((JSON.parse(Buffer.concat(chunks).toString()) as { text: string }).text))
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ id: `cb-${key}` }))
    })
  })
  return { server, tries, texts }
}

/** The agent's socket: each customer message it is shown, and how often; reconnects with lastEventId. */
function agentSocket (url: string): { shown: Map<string, number>, close: () => void } {
  const shown = new Map<string, number>()
  let lastEventId: string | undefined
  let closed = false
  const open = (): void => {
    const query = lastEventId !== undefined ? `?lastEventId=${lastEventId}` : ''
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/stream${query}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ws.on('message', data => {
      const event = JSON.parse(String(data)) as { id?: string, type: string, message?: { externalId: string | null, direction: string } }
      if (event.id !== undefined) lastEventId = event.id
      if (event.type === 'message.created' && event.message?.direction === 'inbound') shown.set(event.message.externalId!, (shown.get(event.message.externalId!) ?? 0) + 1)
    })
    ws.on('close', () => { if (!closed) setTimeout(open, 500) })
    ws.on('error', () => {})
  }
  open()
  return { shown, close: () => { closed = true } }
}

/** Delivers like a channel: until the hub answers 200 (503s and dropped connections are retried). */
async function deliver (hub: string, messageId: string, customer: number): Promise<{ conversationId: string, tries: number }> {
  const raw = JSON.stringify({ messageId, from: { id: `soak-customer-${customer}` }, text: `question ${messageId}` })
  for (let tries = 1; ; tries++) {
    const response = await fetch(`${hub}/channels/api/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(SECRET, raw) }, body: raw }).catch(() => null)
    if (response?.status === 200) return { conversationId: ((await response.json()) as { conversationId: string }).conversationId, tries }
    await response?.body?.cancel()
    await sleep(500)
  }
}

async function main (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-soak-'))
  const redis = new KillableRedis(await freePort())
  redis.up()
  await sleep(300)
  const callback = callbackServer()
  await new Promise<void>(resolve => callback.server.listen(0, '127.0.0.1', resolve))
  const file = join(dir, 'hub.yaml')
  writeFileSync(file, stringify({
    http: { port: 0 },
    log: { level: 'error' },
    store: { driver: 'sqlite', path: join(dir, 'hub.db') },
    queue: { driver: 'bullmq', redis: `redis://127.0.0.1:${redis.port}`, prefix: 'soak' },
    workers: { inHub: false },
    // Quicker than production's 60 s / 30 s, so what Redis lost is found again within the run.
    recovery: { intervalMs: 2000, minAgeMs: 5000 },
    presence: { graceMs: 3_600_000 },
    channels: [{ id: 'api', plugin: 'api', secret: SECRET, callbackUrl: `http://127.0.0.1:${(callback.server.address() as AddressInfo).port}/cb` }]
  }))
  const hub = launch('start', file)
  const url = await hub.ready
  const workers = [launch('worker', file), launch('worker', file)]
  await Promise.all(workers.map(async w => await w.ready))
  const agent = agentSocket(url)
  await sleep(500)

  const accepted = new Set<string>()
  let redelivered = 0
  const replies = { accepted: new Map<string, string>(), refused: new Set<string>(), statuses: new Map<number, number>() }
  let kills = 0
  /** Messages whose first delivery got a 503 (Redis away) or no answer. */
  let refusedFirst = 0
  const started = Date.now()
  const until = started + SECONDS * 1000
  // Faults: a worker killed with -9 every few seconds (and a new one started), Redis killed for 10 s a third of the way in.
  const faults = (async () => {
    let next = 0
    while (Date.now() < until) {
      await sleep(KILL_WORKER_EVERY_MS)
      const victim = workers[next % 2]!
      victim.child.kill('SIGKILL')
      kills++
      workers[next++ % 2] = launch('worker', file)
    }
  })()
  const outage = (async () => {
    await sleep(SECONDS * 1000 / 3)
    redis.down()
    await sleep(REDIS_OUTAGE_MS)
    redis.up()
  })()

  const inFlight: Array<Promise<void>> = []
  for (let n = 0; Date.now() < until; n++) {
    const due = started + n * 1000 / RATE
    if (due > Date.now()) await sleep(due - Date.now())
    const messageId = `soak-${n}`
    inFlight.push((async () => {
      const { conversationId, tries } = await deliver(url, messageId, n % 500)
      accepted.add(messageId)
      if (tries > 1) refusedFirst++
      if (n % REDELIVER_EVERY === 0) {
        await deliver(url, messageId, n % 500)
        redelivered++
      }
      if (n % REPLY_EVERY !== 0) return
      const text = `answer ${messageId}`
      const response = await fetch(`${url}/api/v1/conversations/${conversationId}/messages`, {
        method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ text })
      }).catch(() => null)
      const status = response?.status ?? 0
      replies.statuses.set(status, (replies.statuses.get(status) ?? 0) + 1)
      if (status === 202) replies.accepted.set(((await response!.json()) as { id: string }).id, conversationId)
      else { replies.refused.add(text); await response?.body?.cancel() }
    })())
  }
  await Promise.all([faults, outage, ...inFlight])

  // Drain: what was accepted must come out, however long recovery takes.
  const loadEnded = Date.now()
  const drainUntil = loadEnded + 180_000
  const done = (): boolean => [...accepted].every(id => agent.shown.has(id)) && [...replies.accepted.keys()].every(id => callback.tries.has(id))
  while (!done() && Date.now() < drainUntil) await sleep(500)
  const drainedMs = Date.now() - loadEnded
  await sleep(2000)
  const statuses = new Map<string, number>()
  for (const conversationId of new Set(replies.accepted.values())) {
    let cursor: string | null = null
    do {
      const query: string = cursor !== null ? `&cursor=${cursor}` : ''
      const response = await fetch(`${url}/api/v1/conversations/${conversationId}/messages?limit=100${query}`, { headers: { authorization: `Bearer ${TOKEN}` } })
      const page = await response.json() as { items: Array<{ id: string, status: string }>, nextCursor: string | null }
      for (const m of page.items) if (replies.accepted.has(m.id)) statuses.set(m.status, (statuses.get(m.status) ?? 0) + 1)
      cursor = page.nextCursor
    } while (cursor !== null)
  }
  const shownTwice = [...agent.shown.values()].filter(n => n > 1).length
  const notShown = [...accepted].filter(id => !agent.shown.has(id)).length
  const notSent = [...replies.accepted.keys()].filter(id => !callback.tries.has(id)).length
  const triedAgain = [...callback.tries.values()].filter(n => n > 1).length
  const leaked = [...replies.refused].filter(text => callback.texts.has(text)).length
  const rows: Array<[string, string | number]> = [
    ['run', `${SECONDS} s at ${RATE} messages/s; ${kills} workers killed with -9; Redis killed for ${REDIS_OUTAGE_MS / 1000} s (no persistence)`],
    ['customer messages accepted (200)', accepted.size],
    ['first delivery refused (503 or no answer), accepted on a later one', refusedFirst],
    ['delivered again after their 200 (channels redeliver)', redelivered],
    ['shown to the agent', agent.shown.size],
    ['accepted, never shown', notShown],
    ['shown twice', shownTwice],
    ['replies answered', [...replies.statuses].map(([s, n]) => `${n} × ${s === 0 ? 'no answer' : s}`).join(', ')],
    ['accepted replies at the customer\'s system', replies.accepted.size - notSent],
    ['accepted, never sent', notSent],
    ['sent more than once (same idempotency key)', triedAgain],
    ['accepted replies by final status', [...statuses].map(([s, n]) => `${n} ${s}`).join(', ')],
    ['refused replies that reached the customer', leaked],
    ['all out, after the load ended', `${(drainedMs / 1000).toFixed(1)} s`]
  ]
  console.log('| measure | value |\n|---|---|')
  for (const [name, value] of rows) console.log(`| ${name} | ${value} |`)

  agent.close()
  for (const w of workers) w.child.kill('SIGTERM')
  hub.child.kill('SIGTERM')
  redis.down()
  callback.server.close()
  process.exitCode = notShown + shownTwice + notSent + leaked === 0 ? 0 : 1
  setTimeout(() => process.exit(), 3000).unref()
}

await main()
