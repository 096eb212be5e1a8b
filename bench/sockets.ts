/**
 * Many connections at once: agent sockets (the inbox's event stream) and website visitors (the
 * widget's WebSocket), all open, then 20 new customer messages on an every-agent channel, each
 * fanned out to every agent socket. Hub RSS with everything connected, and per message the time
 * from its POST until the last agent socket has it. Each kind of client runs in its own process.
 *
 *   npm run bench:sockets       # writes the table into bench/README.md
 *   BENCH_SOCKETS=2000 npm run bench:sockets
 *
 * 9,000 of each by default: a process here may hold 20,000 files (`ulimit -Hn`), and the hub holds
 * both kinds, so 10,000 + 10,000 cannot be opened on these machines.
 */
import { fork } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import { addAgents, percentile, root, startHubProcess } from './hub-process.js'
import { signedPoster } from './load.js'

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 9000)
const PER_AGENT = 9
const MESSAGES = 20
const SECRET = 'sockets-bench-secret-0123456789'
const TOKEN = 'sockets-bench-admin-token-0123456789'
const now = (): number => performance.timeOrigin + performance.now()

/** A client process: opens `count` sockets to `url` (with the headers in turn), reports when open, then when each socket saw each message. */
async function client (): Promise<void> {
  const { url, count, headers } = await new Promise<{ url: string, count: number, headers: Array<Record<string, string>> }>(resolve => process.once('message', m => resolve(m as never)))
  const urls = Array.from({ length: count }, () => url)
  const seen = new Map<string, number[]>()
  const sockets: WebSocket[] = []
  for (let i = 0; i < urls.length; i += 200) {
    await Promise.all(urls.slice(i, i + 200).map(async (url, j) => {
      const socket = new WebSocket(url, { headers: headers[(i + j) % headers.length] ?? {} })
      socket.on('message', data => {
        const text = data.toString()
        const m = /"externalId":"(fan-\d+)"/.exec(text)
        if (m === null || !text.includes('"type":"message.created"')) return
        seen.set(m[1]!, [...seen.get(m[1]!) ?? [], now()])
      })
      await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
      sockets.push(socket)
    }))
  }
  process.send!({ open: sockets.length })
  process.on('message', (m: { report?: boolean }) => {
    if (m.report === true) process.send!({ seen: Object.fromEntries(seen) }, () => process.exit(0))
  })
}

async function main (): Promise<void> {
  const hub = await startHubProcess({
    presence: { graceMs: 3_600_000 },
    channels: [
      { id: 'api', plugin: 'api', secret: SECRET, callbackUrl: '' },
      { id: 'webchat', plugin: 'webchat', limits: { connectionsPerIp: SOCKETS + 100, connectsPerIpPerMinute: SOCKETS * 2 } }
    ]
  }, { adminToken: TOKEN, nodeFlags: (process.env.BENCH_HUB_NODE_FLAGS ?? '').split(' ').filter(Boolean) })
  const vmRss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${hub.pid}/status`, 'utf8'))![1]) / 1024
  try {
    const idleRss = vmRss()
    const tokens = await addAgents(hub.url, TOKEN, Math.ceil(SOCKETS / PER_AGENT), { domain: 'sockets.example', online: false })
    const ws = hub.url.replace(/^http/, 'ws')
    const start = (url: string, headers: Array<Record<string, string>>) => {
      const child = fork(new URL(import.meta.url).pathname, ['client'])
      child.send({ url, count: SOCKETS, headers })
      const opened = new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve())
        child.once('exit', code => reject(new Error(`client exited ${code}`)))
      })
      return { child, opened }
    }
    const agents = start(`${ws}/api/v1/stream`, tokens.map(token => ({ authorization: `Bearer ${token}` })))
    await agents.opened
    const visitors = start(`${ws}/channels/webchat/ws`, [{}])
    await visitors.opened
    await new Promise(resolve => setTimeout(resolve, 3000))
    const connectedRss = vmRss()
    const poster = signedPoster(hub.url, SECRET, 4)
    const sentAt = new Map<string, number>()
    for (let i = 0; i < MESSAGES; i++) {
      sentAt.set(`fan-${i}`, now())
      await poster.post(`fan-${i}`, `fan-customer-${i}`)
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    await new Promise(resolve => setTimeout(resolve, 3000))
    poster.close()
    const report = await new Promise<Record<string, number[]>>(resolve => {
      agents.child.once('message', m => resolve((m as { seen: Record<string, number[]> }).seen))
      agents.child.send({ report: true })
    })
    visitors.child.kill()
    const lasts = [...sentAt].map(([id, t0]) => Math.max(...(report[id] ?? [Infinity])) - t0).sort((a, b) => a - b)
    const arrivals = [...sentAt].flatMap(([id, t0]) => (report[id] ?? []).map(t => t - t0)).sort((a, b) => a - b)
    const complete = [...sentAt.keys()].filter(id => report[id]?.length === SOCKETS).length
    const row = `| ${SOCKETS.toLocaleString('en')} (${Math.ceil(SOCKETS / PER_AGENT).toLocaleString('en')} agents) | ${SOCKETS.toLocaleString('en')} | ${idleRss.toFixed(0)} | ${connectedRss.toFixed(0)} | ${percentile(arrivals, 0.5).toFixed(0)} | ${percentile(arrivals, 0.99).toFixed(0)} | ${percentile(lasts, 0.5).toFixed(0)} | ${lasts.at(-1)!.toFixed(0)} | ${complete}/${MESSAGES} |`
    const table = [
      `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, sqlite + inline, one run. ${MESSAGES} new customers' messages, 250 ms apart, each to every agent socket.`,
      '',
      '| agent sockets | widget visitors | hub RSS before, MiB | with all connected, MiB | socket p50 ms | socket p99 ms | last socket p50 ms | last socket max ms | messages on every socket |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      row
    ].join('\n')
    process.stdout.write(`${table}\n`)
    const readme = join(root, 'bench/README.md')
    writeFileSync(readme, readFileSync(readme, 'utf8').replace(/<!-- sockets:start -->[\s\S]*<!-- sockets:end -->/, `<!-- sockets:start -->\n${table}\n<!-- sockets:end -->`))
  } finally {
    await hub.stop()
  }
}

if (process.argv[2] === 'client') await client()
else await main()
