/**
 * Marketplace push benchmark: signed Lazada-shaped pushes (the strictest deadline, 500 ms) from
 * distinct buyers, posted with a fixed concurrency to a hub in its own process (SQLite + the
 * inline queue). Each push is timed from the start of its POST to the 200: what the
 * marketplace sees as the ack time. Medians of the runs.
 *
 *   npm run bench:marketplace                 # 5,000 pushes, concurrency 32, 3 runs
 *   BENCH_PUSHES=20000 BENCH_CONCURRENCY=64 npm run bench:marketplace
 */
import { createHmac } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { Agent, createServer, request } from 'node:http'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { peakRssMb, percentile, root, startHubProcess, type HubProcess } from './hub-process.js'

const PUSHES = Number(process.env.BENCH_PUSHES ?? 5000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const C = { appKey: 'bench-key', appSecret: 'bench-secret-0123456789', accessToken: 'bench-token', shopId: '7001' }

// The marketplace's API, for the catch-up at start: nothing missed.
const api = createServer((_request, response) => { response.end(JSON.stringify({ code: '0', data: { session_list: [], has_more: false } })) })
await new Promise<void>(resolve => api.listen(0, '127.0.0.1', resolve))
const apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`

async function startHub (): Promise<HubProcess> {
  return await startHubProcess({
    queue: { driver: 'inline' },
    channels: [{ id: 'lazada', plugin: 'marketplace', profile: 'lazada', ...C, apiBaseUrl: apiUrl, catchUp: { intervalMs: 0 } }]
  }, { adminToken: 'bench-admin-token-0123456789' })
}

function pushBody (i: number): string {
  const content = JSON.stringify({ txt: `Is item ${i} in stock?` })
  return JSON.stringify({ seller_id: C.shopId, message_type: 2, timestamp: Date.now(), site: 'lazada_sg', data: { session_id: `s-${i}`, message_id: `bench-${i}`, from_account_id: `buyer-${i}`, from_account_type: 1, to_account_id: C.shopId, template_id: 1, content, send_time: Date.now() } })
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
function post (url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: createHmac('sha256', C.appSecret).update(C.appKey + body).digest('hex') } }, response => {
      response.resume()
      response.on('end', () => response.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`push answered ${response.statusCode}`)))
    })
    req.on('error', reject)
    req.end(body)
  })
}

interface Result { rate: number, p50: number, p99: number, max: number, over: number, rssMb: number }
const results: Result[] = []
for (let run = 0; run < RUNS; run++) {
  const hub = await startHub()
  const url = new URL(`${hub.url}/channels/lazada/push`)
  for (let i = 0; i < 200; i++) await post(url, pushBody(1_000_000 + run * 1000 + i)) // warm-up
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < PUSHES) {
      const i = next++
      latencies.push(await post(url, pushBody(run * PUSHES + i)))
    }
  }))
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  results.push({ rate: PUSHES / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1)!, over: latencies.filter(l => l > 500).length, rssMb: peakRssMb(hub.pid) })
  console.log(JSON.stringify(results.at(-1)))
  await hub.stop()
}
agent.destroy()
api.close()

const median = (k: keyof Result): number => results.map(r => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)]!
const table = [
  `${PUSHES.toLocaleString('en')} pushes from distinct buyers, concurrency ${CONCURRENCY}, median of ${RUNS} runs (SQLite + inline queue, hub in its own process):`,
  '',
  '| pushes/s | ack p50 | ack p99 | ack max | acks over 500 ms | hub peak RSS |',
  '|---:|---:|---:|---:|---:|---:|',
  `| ${median('rate').toFixed(0)} | ${median('p50').toFixed(1)} ms | ${median('p99').toFixed(1)} ms | ${median('max').toFixed(1)} ms | ${median('over')} | ${median('rssMb').toFixed(0)} MB |`
].join('\n')
console.log(table)
const readme = join(root, 'bench/README.md')
writeFileSync(readme, readFileSync(readme, 'utf8').replace(/<!-- marketplace:start -->[\s\S]*<!-- marketplace:end -->/, `<!-- marketplace:start -->\n${table}\n<!-- marketplace:end -->`))
