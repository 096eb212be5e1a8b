/**
 * FAQ robot benchmark.
 * - Ranking, in process: a knowledge base of BENCH_FAQ_ENTRIES entries (Chinese and English,
 *   each with two other phrasings), then BENCH_QUESTIONS customer questions ranked (top 3),
 *   each timed; plus the time to build the index and the heap it takes.
 * - The robot end to end, hub in its own process (SQLite + inline queue, api channel with the
 *   robot answering by itself): the same knowledge base imported as CSV (timed), then BENCH_ASKED
 *   customers ask at once, 16 at a time (throughput), then as many at BENCH_PACED_RATE a second
 *   (latency when it keeps up); each timed from its POST to the robot's answer at the callback.
 * Medians of the runs.
 *
 *   npm run bench:faq                           # 10,000 entries, 3 runs
 *   BENCH_FAQ_ENTRIES=50000 npm run bench:faq
 *   BENCH_HUB_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:faq   # profile the hub
 */
import { createServer, Agent, request } from 'node:http'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { sign } from '../core/channels/signature.js'
import { FaqRanking } from '../core/faq/index.js'
import type { FaqEntry } from '../core/model/index.js'
import { peakRssMb, percentile, root, startHubProcess } from './hub-process.js'

const ENTRIES = Number(process.env.BENCH_FAQ_ENTRIES ?? 10_000)
const QUESTIONS = Number(process.env.BENCH_QUESTIONS ?? 20_000)
const ASKED = Number(process.env.BENCH_ASKED ?? 2000)
/** Questions a second offered in the paced phase: a busy shop, below what the robot can take. */
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 100)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const CONCURRENCY = 16
const API_SECRET = 'bench-secret-0123456789'

// A shop's knowledge base: products × what customers ask about them, in Chinese and English.
const PRODUCTS_ZH = ['连衣裙', '运动鞋', '手机壳', '羽绒服', '牛仔裤', '保温杯', '蓝牙耳机', '双肩包', '电饭煲', '台灯', '毛衣', '衬衫', '帽子', '围巾', '手表', '口红', '面霜', '洗发水', '拖鞋', '睡衣']
const PRODUCTS_EN = ['dress', 'sneakers', 'phone case', 'down jacket', 'jeans', 'thermos', 'earbuds', 'backpack', 'rice cooker', 'desk lamp', 'sweater', 'shirt', 'hat', 'scarf', 'watch', 'lipstick', 'face cream', 'shampoo', 'slippers', 'pajamas']
const INTENTS: Array<[zh: string[], en: string[]]> = [
  [['{p}怎么退货', '{p}可以退吗', '{p}退货流程'], ['How do I return the {p}?', 'Can I send the {p} back?', '{p} return policy']],
  [['{p}什么时候发货', '{p}多久发货', '{p}几天能发'], ['When will the {p} ship?', 'How soon do you ship the {p}?', '{p} shipping time']],
  [['{p}能开发票吗', '{p}发票怎么开', '{p}开票'], ['Can I get an invoice for the {p}?', 'Invoice for my {p}', '{p} receipt']],
  [['{p}尺码怎么选', '{p}选多大的', '{p}尺码表'], ['Which size of {p} should I buy?', '{p} size chart', 'Does the {p} run small?']],
  [['{p}有优惠券吗', '{p}能便宜点吗', '{p}打折吗'], ['Is there a coupon for the {p}?', 'Any discount on the {p}?', '{p} on sale?']],
  [['{p}怎么保养', '{p}能机洗吗', '{p}清洗方法'], ['How do I care for the {p}?', 'Can the {p} be machine washed?', 'Cleaning the {p}']],
  [['{p}有几种颜色', '{p}还有别的颜色吗', '{p}颜色'], ['What colors does the {p} come in?', 'Other colors of the {p}?', '{p} colours']],
  [['{p}是正品吗', '{p}保真吗', '{p}有质检报告吗'], ['Is the {p} genuine?', 'Is the {p} authentic?', '{p} quality certificate']],
  [['{p}坏了怎么办', '{p}质量问题', '{p}保修多久'], ['My {p} is broken, what now?', '{p} defect', 'How long is the {p} warranty?']],
  [['{p}怎么修改地址', '{p}地址填错了', '{p}改收货地址'], ['How do I change the address for my {p} order?', 'Wrong address on my {p} order', 'Update shipping address for {p}']],
  [['{p}包邮吗', '{p}运费多少', '{p}邮费'], ['Is shipping free for the {p}?', 'Shipping cost of the {p}?', '{p} delivery fee']],
  [['{p}什么材质', '{p}是纯棉的吗', '{p}面料'], ['What is the {p} made of?', 'Is the {p} cotton?', '{p} material']],
  [['{p}能货到付款吗', '{p}怎么付款', '{p}支持花呗吗'], ['Can I pay the {p} on delivery?', 'How do I pay for the {p}?', '{p} payment options']]
]

/** Entry i: a product and an intent, in one language; variants beyond the grid get a model number. */
function knowledgeBase (count: number): FaqEntry[] {
  const now = new Date()
  return Array.from({ length: count }, (_, i) => {
    const zh = i % 2 === 0
    const intent = INTENTS[Math.floor(i / 2) % INTENTS.length]![zh ? 0 : 1]
    const cell = Math.floor(i / (2 * INTENTS.length))
    const product = `${(zh ? PRODUCTS_ZH : PRODUCTS_EN)[cell % PRODUCTS_ZH.length]!}${cell >= PRODUCTS_ZH.length ? ` ${zh ? '型号' : 'model '}${Math.floor(cell / PRODUCTS_ZH.length)}` : ''}`
    const [question, ...alternatives] = intent.map(q => q.replace('{p}', product))
    return { id: `e${i}`, teamId: null, question: question!, alternatives, answer: `Answer ${i}: about ${product}.`, related: [], createdBy: null, suggested: false, createdAt: now, updatedAt: now }
  })
}

/** How customers ask: greetings, other words, a typo's worth of noise. */
function question (entries: FaqEntry[], k: number): string {
  const entry = entries[(k * 7919) % entries.length]!
  const phrasing = [entry.question, ...entry.alternatives][k % 3]!
  return /[\u4e00-\u9fff]/.test(phrasing) ? `亲，在吗？请问${phrasing}呀` : `Hi there, ${phrasing.toLowerCase()} Thanks!`
}

function rankingRun (): { buildMs: number, heapMb: number, p50: number, p95: number, p99: number, max: number, perSecond: number } {
  const entries = knowledgeBase(ENTRIES)
  global.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const built = performance.now()
  const ranking = new FaqRanking(entries)
  const buildMs = performance.now() - built
  global.gc?.()
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576
  const asked = Array.from({ length: QUESTIONS }, (_, k) => question(entries, k))
  for (let k = 0; k < 500; k++) ranking.rank(asked[k]!, 3)
  const times: number[] = []
  const started = performance.now()
  for (const q of asked) {
    const t0 = performance.now()
    ranking.rank(q, 3)
    times.push(performance.now() - t0)
  }
  const perSecond = QUESTIONS / ((performance.now() - started) / 1000)
  times.sort((a, b) => a - b)
  return { buildMs, heapMb, p50: percentile(times, 0.5), p95: percentile(times, 0.95), p99: percentile(times, 0.99), max: times.at(-1)!, perSecond }
}

// The system behind the api channel: notes when each robot answer arrives.
const answeredAt = new Map<string, number>()
const callback = createServer((req, response) => {
  const chunks: Buffer[] = []
  req.on('data', c => chunks.push(c as Buffer))
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { to: { id: string }, author: { type: string } }
    if (body.author.type === 'bot') answeredAt.set(body.to.id, performance.now())
    response.end(JSON.stringify({ id: `cb-${performance.now()}` }))
  })
})
await new Promise<void>(resolve => callback.listen(0, '127.0.0.1', resolve))
const callbackUrl = `http://127.0.0.1:${(callback.address() as { port: number }).port}/`
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })

function post (url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const req = request(url, { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body), ...headers } }, response => {
      response.resume()
      response.on('end', () => response.statusCode! < 300 ? resolve(started) : reject(new Error(`${url} answered ${response.statusCode}`)))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const csvCell = (text: string): string => `"${text.replaceAll('"', '""')}"`

const ask = async (hubUrl: string, entries: FaqEntry[], who: string, k: number): Promise<number> => {
  const body = JSON.stringify({ messageId: `q-${who}`, from: { id: who }, text: question(entries, k) })
  return await post(`${hubUrl}/channels/api/inbound`, body, { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, body) })
}

/** Waits for every answer (or 30 s); milliseconds from each question to its answer, ascending. */
async function answered (sentAt: Map<string, number>): Promise<number[]> {
  const deadline = performance.now() + 30_000
  while ([...sentAt.keys()].some(who => !answeredAt.has(who)) && performance.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
  return [...sentAt].filter(([who]) => answeredAt.has(who)).map(([who, at]) => answeredAt.get(who)! - at).sort((a, b) => a - b)
}

async function robotRun (run: number): Promise<{ importMs: number, perSecond: number, p50: number, p99: number, rssMb: number, answered: number }> {
  answeredAt.clear()
  const entries = knowledgeBase(ENTRIES)
  const hub = await startHubProcess({
    queue: { driver: 'inline' },
    channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl, robot: { mode: 'auto', threshold: 0.6, handoff: '' } }]
  }, { adminToken: 'bench-admin-token-0123456789', nodeFlags: (process.env.BENCH_HUB_NODE_FLAGS ?? '').split(' ').filter(Boolean) })
  try {
    const csv = ['question,answer,alternatives', ...entries.map(e => [e.question, e.answer, e.alternatives.join('|')].map(csvCell).join(','))].join('\n')
    const importStarted = performance.now()
    await post(`${hub.url}/api/v1/faq/import`, csv, { 'content-type': 'text/csv', authorization: 'Bearer bench-admin-token-0123456789' })
    const importMs = performance.now() - importStarted
    // Burst: as fast as the hub takes the webhooks; every question here has a sure answer.
    const burst = new Map<string, number>()
    let next = 0
    const started = performance.now()
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < ASKED) {
        const k = next++
        burst.set(`b-${run}-${k}`, await ask(hub.url, entries, `b-${run}-${k}`, k))
      }
    }))
    const burstDone = (await answered(burst)).length
    const seconds = (Math.max(...[...burst.keys()].map(who => answeredAt.get(who) ?? 0)) - started) / 1000
    // Paced: other customers, PACED_RATE a second.
    const paced = new Map<string, number>()
    const pacedStart = performance.now()
    await Promise.all(Array.from({ length: ASKED }, async (_, k) => {
      await new Promise(resolve => setTimeout(resolve, pacedStart + k * 1000 / PACED_RATE - performance.now()))
      paced.set(`p-${run}-${k}`, await ask(hub.url, entries, `p-${run}-${k}`, k + ASKED))
    }))
    const latencies = await answered(paced)
    return { importMs, perSecond: burstDone / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), rssMb: peakRssMb(hub.pid), answered: burstDone + latencies.length }
  } finally {
    await hub.stop()
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const ranked = Array.from({ length: RUNS }, rankingRun)
const robot: Array<Awaited<ReturnType<typeof robotRun>>> = []
for (let run = 0; run < RUNS; run++) robot.push(await robotRun(run))
callback.close()
agent.destroy()

const m = <T>(list: T[], key: keyof T): number => median(list.map(r => r[key] as number))
const f = (n: number, digits = 1): string => n.toFixed(digits)
const table = `<!-- faq:start -->
${ENTRIES.toLocaleString('en')} entries (half Chinese, half English, 3 phrasings each); median of ${RUNS} runs, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

Ranking one customer question (top 3), in process, ${QUESTIONS.toLocaleString('en')} questions:

| questions/s | p50 ms | p95 ms | p99 ms | max ms | index build ms | index heap MiB |
|---:|---:|---:|---:|---:|---:|---:|
| ${f(m(ranked, 'perSecond'), 0)} | ${f(m(ranked, 'p50'), 3)} | ${f(m(ranked, 'p95'), 3)} | ${f(m(ranked, 'p99'), 3)} | ${f(m(ranked, 'max'), 2)} | ${f(m(ranked, 'buildMs'), 0)} | ${f(m(ranked, 'heapMb'))} |

The robot end to end (hub in its own process, SQLite + inline queue, every customer new): CSV import of the whole knowledge base; ${ASKED} customers asking at once, 16 at a time (answers/s); ${ASKED} more at ${PACED_RATE} a second, each timed from its webhook to the robot's answer at the channel (p50, p99):

| CSV import ms | burst answers/s | paced p50 ms | paced p99 ms | answered | hub peak RSS MiB |
|---:|---:|---:|---:|---:|---:|
| ${f(m(robot, 'importMs'), 0)} | ${f(m(robot, 'perSecond'), 0)} | ${f(m(robot, 'p50'))} | ${f(m(robot, 'p99'))} | ${m(robot, 'answered')}/${2 * ASKED} | ${f(m(robot, 'rssMb'), 0)} |
<!-- faq:end -->`
console.log(table)
const readme = join(root, 'bench/README.md')
const text = readFileSync(readme, 'utf8')
if (text.includes('<!-- faq:start -->')) writeFileSync(readme, text.replace(/<!-- faq:start -->[\s\S]*<!-- faq:end -->/, table))
