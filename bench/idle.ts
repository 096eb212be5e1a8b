/**
 * An idle hub: no traffic, 100 agents online with their WebSockets open, as at a quiet hour.
 * Its CPU over a minute, from /proc (user + system ticks), as a share of one core: what the
 * hub's timers (presence, recovery, auto-close and response-time sweeps, stream heartbeats)
 * cost when nothing happens. Median of 3 runs per driver.
 *
 *   npm run bench:idle          # writes the table into bench/README.md
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import { addAgents, median, root, startHubProcess } from './hub-process.js'

const AGENTS = 100
const WARM_MS = 10_000
const MEASURE_MS = 60_000
const RUNS = 3
const TOKEN = 'idle-bench-admin-token-0123456789'
const TICKS_PER_S = 100 // USER_HZ on Linux

/** utime + stime of a process, in clock ticks. */
const cpuTicks = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  return Number(fields[11]) + Number(fields[12])
}

async function once (queue: Record<string, unknown>): Promise<number> {
  const hub = await startHubProcess({ queue, channels: [{ id: 'api', plugin: 'api', secret: 'idle-bench-secret-0123', callbackUrl: '' }] }, { adminToken: TOKEN })
  const sockets: WebSocket[] = []
  try {
    for (const token of await addAgents(hub.url, TOKEN, AGENTS, { domain: 'idle.example', online: true })) {
      const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` } })
      await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject) })
      sockets.push(socket)
    }
    await new Promise(resolve => setTimeout(resolve, WARM_MS))
    const before = cpuTicks(hub.pid)
    await new Promise(resolve => setTimeout(resolve, MEASURE_MS))
    return (cpuTicks(hub.pid) - before) / TICKS_PER_S / (MEASURE_MS / 1000) * 100
  } finally {
    for (const socket of sockets) socket.close()
    await hub.stop()
  }
}

const rows: string[] = []
for (const [label, queue] of [['sqlite + inline', { driver: 'inline' }], ['sqlite + bullmq', { driver: 'bullmq', redis: 'redis://127.0.0.1:6379', prefix: `idle-${process.pid}` }]] as const) {
  const runs: number[] = []
  for (let i = 0; i < RUNS; i++) runs.push(await once(queue))
  rows.push(`| ${label} | ${median(runs).toFixed(2)} % | ${runs.map(r => r.toFixed(2)).join(', ')} |`)
  console.log(rows.at(-1))
}
const table = [
  `Median of ${RUNS} runs, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}: ${AGENTS} agents online with their WebSockets open, no traffic, CPU of the hub process over ${MEASURE_MS / 1000} s after ${WARM_MS / 1000} s of quiet.`,
  '',
  '| store + queue | CPU (share of one core) | runs |',
  '|---|---:|---|',
  ...rows
].join('\n')
const readme = join(root, 'bench/README.md')
const text = readFileSync(readme, 'utf8')
writeFileSync(readme, text.includes('<!-- idle:start -->')
  ? text.replace(/<!-- idle:start -->[\s\S]*<!-- idle:end -->/, `<!-- idle:start -->\n${table}\n<!-- idle:end -->`)
  : `${text.trimEnd()}\n\n## Idle: a quiet hour\n\n<!-- idle:start -->\n${table}\n<!-- idle:end -->\n`)
