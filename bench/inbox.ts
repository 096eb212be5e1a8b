/**
 * Inbox benchmark: the agents' page in Debian's Chromium against a hub holding N conversations
 * (3 messages each). Per run, a fresh browser context measures the time from navigation to the
 * first rows, to open a conversation (click to its history shown), and to page in the whole list
 * by scrolling; then the page's JS heap and DOM size. Medians and maxima over the runs. It also
 * times the API's search (a substring scan over contacts and messages) on the same data.
 *
 *   npm run bench:inbox                                    # 5,000 conversations, 5 runs
 *   BENCH_CONVERSATIONS=20000 BENCH_RUNS=3 npm run bench:inbox
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { chromium, type Page } from 'playwright-core'
import { pino } from 'pino'
import { hashToken, newAgentToken } from '../core/agents/tokens.js'
import { PluginRegistry } from '../core/channels/index.js'
import { validateConfig } from '../core/config/index.js'
import { createHub } from '../core/hub.js'
import { seedConversations } from './seed.js'

const N = Number(process.env.BENCH_CONVERSATIONS ?? 5000)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const root = new URL('..', import.meta.url).pathname.replace(/dist\/$/, '')

const dir = mkdtempSync(join(tmpdir(), 'omnihub-bench-inbox-'))
const registry = await PluginRegistry.load()
const config = validateConfig({
  http: { port: 0 }, log: { level: 'silent' }, store: { driver: 'sqlite', path: join(dir, 'hub.db') }, queue: { driver: 'inline' },
  files: { dir: join(dir, 'files') }, channels: [{ id: 'api', plugin: 'api', secret: 'bench-secret-0123456789' }]
}, registry, {})
const hub = await createHub(config, { logger: pino({ level: 'silent' }), registry })
const url = (await hub.start())!
const seeding = Date.now()
await seedConversations(hub.services.store, N, 3)
console.log(`seeded ${N} conversations in ${Date.now() - seeding} ms`)
const token = newAgentToken()
await hub.services.store.createAgent({ name: 'Bench Admin', email: 'bench@example.com', role: 'admin', teams: [], tokenHash: hashToken(token) }, new Date())

/** The API's search (contact names, emails and every message's text) over the seeded data, timed from here. */
async function timeSearch (q: string): Promise<number> {
  const started = performance.now()
  const response = await fetch(`${url}/api/v1/conversations?status=open&q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${token}` } })
  await response.json()
  return performance.now() - started
}
const searches: number[] = []
for (let i = 0; i < 20; i++) searches.push(await timeSearch(i % 2 === 0 ? `order ${10_000 + i * 37}` : 'no such words anywhere'))

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
const ROW_HEIGHT = 68

async function scrollAll (page: Page): Promise<void> {
  for (;;) {
    await page.locator('.scroller').evaluate(el => { el.scrollTop = el.scrollHeight })
    if (await page.locator('.conv-list').evaluate((el, h) => el.style.height === `${h}px`, N * ROW_HEIGHT)) return
    await page.waitForTimeout(20)
  }
}

interface Run { firstRows: number, open: number, scrollAll: number, heapMb: number, domNodes: number }
const runs: Run[] = []
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } })
  await context.addInitScript(t => sessionStorage.setItem('omnihub.inbox.token', t), token)
  const page = await context.newPage()
  const navigated = Date.now()
  await page.goto(`${url}/inbox/#/`)
  await page.locator('.view[data-view="all"]').click()
  await page.locator('.conv-row').first().waitFor()
  const firstRows = Date.now() - navigated
  const clicked = Date.now()
  await page.locator('.conv-row').nth(5).click()
  await page.locator('.conversation-pane .msg.inbound').nth(2).waitFor()
  const open = Date.now() - clicked
  const scrolling = Date.now()
  await scrollAll(page)
  const scrolled = Date.now() - scrolling
  const heapMb = await page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 1048576)
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length)
  runs.push({ firstRows, open, scrollAll: scrolled, heapMb, domNodes })
  console.log(JSON.stringify(runs.at(-1)))
  await context.close()
}
await browser.close()
await hub.stop()

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const max = (xs: number[]): number => Math.max(...xs)
const col = (k: keyof Run): number[] => runs.map(r => r[k])
const table = [
  `${N.toLocaleString('en')} conversations × 3 messages, ${RUNS} runs (median / max):`,
  '',
  `| navigation → first rows | open a conversation | scroll through all (${N / 100} pages) | JS heap after | DOM elements | API search (20 queries) |`,
  '|---|---|---|---|---|---|',
  `| ${median(col('firstRows'))} / ${max(col('firstRows'))} ms | ${median(col('open'))} / ${max(col('open'))} ms | ${median(col('scrollAll'))} / ${max(col('scrollAll'))} ms | ${median(col('heapMb')).toFixed(1)} / ${max(col('heapMb')).toFixed(1)} MB | ${median(col('domNodes'))} | ${median(searches).toFixed(0)} / ${max(searches).toFixed(0)} ms |`
].join('\n')
console.log(table)
const readme = join(root, 'bench/README.md')
writeFileSync(readme, readFileSync(readme, 'utf8').replace(/<!-- inbox:start -->[\s\S]*<!-- inbox:end -->/, `<!-- inbox:start -->\n${table}\n<!-- inbox:end -->`))
