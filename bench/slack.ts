/**
 * Slack desk benchmark, hub in its own process (SQLite + inline queue), against a local
 * stand-in for Slack's Web API that answers at once:
 * - relay out: customers write on the api channel (BENCH_CONVERSATIONS conversations, 4
 *   messages each), first all at once (16 at a time: the relay's throughput), then paced at
 *   BENCH_PACED_RATE messages a second (its latency when it keeps up); each message is timed
 *   from its POST to the moment Slack receives it (the parent for the first, a reply after);
 * - relay in: agents' signed thread replies (Events API) posted 16 at a time; each timed from
 *   its POST to the 200, which the hub sends once the reply is stored and queued.
 * Medians of the runs.
 *
 *   npm run bench:slack                      # 200 conversations, 3 runs
 *   BENCH_CONVERSATIONS=500 npm run bench:slack
 */
import { createHmac } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { Agent, createServer, request } from 'node:http'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { sign } from '../core/channels/signature.js'
import { peakRssMb, percentile, root, startHubProcess, type HubProcess } from './hub-process.js'

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 200)
const PER_CONVERSATION = 4
const CONCURRENCY = 16
/** Customer messages per second offered in the paced phase: a busy shop, below what the relay can take. */
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 50)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const API_SECRET = 'bench-secret-0123456789'
const SIGNING_SECRET = 'bench-signing-secret'

/** Slack's Web API, as far as the desk uses it; it notes when each customer message arrived. */
const arrived = new Map<string, number>()
const threads = new Map<string, string>()
let ts = 0
const slack = createServer((req, response) => {
  const chunks: Buffer[] = []
  req.on('data', c => chunks.push(c as Buffer))
  req.on('end', () => {
    const args = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()))
    const method = req.url!.replace(/^\/api\//, '')
    const answer = (body: object): void => { response.writeHead(200, { 'content-type': 'application/json' }); response.end(JSON.stringify({ ok: true, ...body })) }
    if (method === 'auth.test') return answer({ user_id: 'UBOT', bot_id: 'BBOT' })
    if (method === 'users.info') return answer({ user: { id: args.user, profile: { email: 'bench-agent@omnihub.local' } } })
    if (method === 'chat.postMessage') {
      const posted = `1700000000.${String(++ts).padStart(6, '0')}`
      const marker = /bench-\d+-\d+-\d+/.exec(`${args.text} ${args.blocks}`)?.[0]
      if (marker !== undefined) {
        arrived.set(marker, performance.now())
        if (args.thread_ts === undefined) threads.set(marker.replace(/-\d+$/, ''), posted)
      }
      return answer({ channel: args.channel, ts: posted })
    }
    answer({})
  })
})
await new Promise<void>(resolve => slack.listen(0, '127.0.0.1', resolve))
const slackUrl = `http://127.0.0.1:${(slack.address() as { port: number }).port}`

// The system behind the api channel: it takes every reply.
const callback = createServer((req, response) => { req.resume(); req.on('end', () => { response.end(JSON.stringify({ id: `cb-${performance.now()}` })) }) })
await new Promise<void>(resolve => callback.listen(0, '127.0.0.1', resolve))
const callbackUrl = `http://127.0.0.1:${(callback.address() as { port: number }).port}/`

async function startHub (): Promise<HubProcess> {
  return await startHubProcess({
    queue: { driver: 'inline' },
    channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl }],
    desks: [{ id: 'slack', plugin: 'slack', botToken: 'xoxb-bench', signingSecret: SIGNING_SECRET, slackChannel: 'C0BENCH', clientOptions: { slackApiUrl: `${slackUrl}/api/` } }]
  }, { adminToken: 'bench-admin-token-0123456789' })
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })

function post (url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, response => {
      response.resume()
      response.on('end', () => response.statusCode! < 300 ? resolve(started) : reject(new Error(`${url} answered ${response.statusCode}`)))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function inParallel (count: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < count) await task(next++) }))
  return (performance.now() - started) / 1000
}

async function until (predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise(resolve => setTimeout(resolve, 5))
}

interface Result { outRate: number, outP50: number, outP99: number, pacedP50: number, pacedP99: number, inRate: number, inP50: number, inP99: number, rssMb: number }

/** One customer message on the api channel; resolves with when its POST started. */
async function customerWrites (hubUrl: string, marker: string, conversation: string): Promise<number> {
  const body = JSON.stringify({ messageId: marker, from: { id: `buyer-${conversation}`, name: `Buyer ${conversation}` }, text: `Where is order ${marker}?` })
  return await post(`${hubUrl}/channels/api/inbound`, body, { 'x-omnihub-signature': sign(API_SECRET, body) })
}

/** Milliseconds from each message's POST to its arrival at Slack, ascending. */
async function relayLatencies (sentAt: Map<string, number>): Promise<number[]> {
  await until(() => [...sentAt.keys()].every(marker => arrived.has(marker)))
  return [...sentAt].map(([marker, at]) => arrived.get(marker)! - at).sort((a, b) => a - b)
}

const results: Result[] = []
for (let run = 0; run < RUNS; run++) {
  arrived.clear()
  threads.clear()
  const hub = await startHub()
  // Burst: customers write at once, each one message after another (as a person types).
  const sentAt = new Map<string, number>()
  const outSeconds = await inParallel(CONVERSATIONS, async c => {
    for (let m = 0; m < PER_CONVERSATION; m++) sentAt.set(`bench-${run}-${c}-${m}`, await customerWrites(hub.url, `bench-${run}-${c}-${m}`, `${run}-${c}`))
  })
  const relayed = await relayLatencies(sentAt)
  const relaySeconds = Math.max(outSeconds, (Math.max(...arrived.values()) - Math.min(...sentAt.values())) / 1000)

  // Paced: other customers, PACED_RATE messages a second in all.
  const paced = new Map<string, number>()
  const started = performance.now()
  await Promise.all(Array.from({ length: CONVERSATIONS * PER_CONVERSATION }, async (_, k) => {
    const [c, m] = [k % CONVERSATIONS, Math.floor(k / CONVERSATIONS)]
    await new Promise(resolve => setTimeout(resolve, started + k * 1000 / PACED_RATE - performance.now()))
    paced.set(`bench-${run}-${c + CONVERSATIONS}-${m}`, await customerWrites(hub.url, `bench-${run}-${c + CONVERSATIONS}-${m}`, `${run}-p${c}`))
  }))
  const pacedLatencies = await relayLatencies(paced)

  await post(`${hub.url}/api/v1/agents`, JSON.stringify({ name: 'Bench', email: 'bench-agent@omnihub.local', role: 'admin' }), { authorization: 'Bearer bench-admin-token-0123456789' })
  const answered: number[] = []
  const inSeconds = await inParallel(CONVERSATIONS, async c => {
    const body = JSON.stringify({
      type: 'event_callback', event_id: `Ev${run}x${c}`, team_id: 'T1', api_app_id: 'A1',
      event: { type: 'message', channel: 'C0BENCH', user: 'UAGENT', text: `On its way, ${c}`, ts: `1700000001.${c}`, thread_ts: threads.get(`bench-${run}-${c}`) }
    })
    const timestamp = String(Math.floor(Date.now() / 1000))
    const signature = 'v0=' + createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')
    const started = await post(`${hub.url}/slack/events`, body, { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp })
    answered.push(performance.now() - started)
  })
  answered.sort((a, b) => a - b)
  results.push({
    outRate: CONVERSATIONS * PER_CONVERSATION / relaySeconds, outP50: percentile(relayed, 0.5), outP99: percentile(relayed, 0.99),
    pacedP50: percentile(pacedLatencies, 0.5), pacedP99: percentile(pacedLatencies, 0.99),
    inRate: CONVERSATIONS / inSeconds, inP50: percentile(answered, 0.5), inP99: percentile(answered, 0.99), rssMb: peakRssMb(hub.pid)
  })
  console.log(JSON.stringify(results.at(-1)))
  await hub.stop()
}
agent.destroy()
slack.close()
callback.close()

const median = (k: keyof Result): number => results.map(r => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)]!
const table = [
  `${CONVERSATIONS} conversations × ${PER_CONVERSATION} customer messages, then one Slack thread reply each; ${CONCURRENCY} at a time; median of ${RUNS} runs (SQLite + inline queue, hub in its own process, Slack answering at once):`,
  '',
  '| | per second | p50 | p99 |',
  '|---|---:|---:|---:|',
  `| relay out, burst: customer message → in its Slack thread | ${median('outRate').toFixed(0)} | ${median('outP50').toFixed(1)} ms | ${median('outP99').toFixed(1)} ms |`,
  `| relay out, paced (${PACED_RATE} messages/s offered) | ${PACED_RATE} | ${median('pacedP50').toFixed(1)} ms | ${median('pacedP99').toFixed(1)} ms |`,
  `| relay in: thread reply → stored, Slack answered 200 | ${median('inRate').toFixed(0)} | ${median('inP50').toFixed(1)} ms | ${median('inP99').toFixed(1)} ms |`,
  '',
  `Hub peak RSS: ${median('rssMb').toFixed(0)} MB.`
].join('\n')
console.log(table)
const readme = join(root, 'bench/README.md')
writeFileSync(readme, readFileSync(readme, 'utf8').replace(/<!-- slack:start -->[\s\S]*<!-- slack:end -->/, `<!-- slack:start -->\n${table}\n<!-- slack:end -->`))
