import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { stringify } from 'yaml'

/** The repository root, whether this runs from bench/ or dist/bench/. */
export const root = new URL('..', import.meta.url).pathname.replace(/dist\/$/, '')

export interface HubProcess { url: string, pid: number, dir: string, stop: () => Promise<void> }

/**
 * `omnihub start` in its own process, as deployed, with this config (on a fresh SQLite file in
 * `dir` unless the config names a store). Resolves once it listens.
 */
export async function startHubProcess (config: Record<string, unknown>, options: { adminToken: string, nodeFlags?: string[] }): Promise<HubProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-bench-'))
  const file = join(dir, 'hub.yaml')
  writeFileSync(file, stringify({ http: { port: 0 }, log: { level: 'warn' }, store: { driver: 'sqlite', path: join(dir, 'hub.db') }, ...config }))
  const { child, ready } = launchOmnihub('start', file, { OMNIHUB_ADMIN_TOKEN: options.adminToken }, { nodeFlags: options.nodeFlags ?? [], stderr: 'inherit' })
  const url = await ready
  return { url, pid: child.pid!, dir, stop: async () => { const exited = new Promise(resolve => child.once('exit', resolve)); child.kill('SIGTERM'); await exited } }
}

/** `omnihub start|worker` with a config file; `ready` resolves (with the hub's URL, '' for a worker) once it says it is up. */
export function launchOmnihub (command: 'start' | 'worker', file: string, env: NodeJS.ProcessEnv, options: { nodeFlags?: string[], stderr?: 'inherit' | 'ignore' } = {}): { child: ChildProcess, ready: Promise<string> } {
  return launchNode([...options.nodeFlags ?? [], join(root, 'bin/omnihub.js'), command, '--config', file], { PORT: '0', ...env }, options.stderr ?? 'ignore')
}

/** A Node process that says `listening on <url>` (or `worker is running`) once it is up; `ready` resolves with the URL. */
export function launchNode (args: string[], env: NodeJS.ProcessEnv, stderr: 'inherit' | 'ignore'): { child: ChildProcess, ready: Promise<string> } {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', stderr] })
  const ready = new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', d => { out += String(d); const m = /listening on (\S+)|worker is running/.exec(out); if (m !== null) resolve(m[1] ?? '') })
    child.once('exit', code => reject(new Error(`${args.find(a => a.endsWith('.js')) ?? 'node'} exited ${code}`)))
  })
  // A process killed on purpose later must not leave an unhandled rejection behind.
  ready.catch(() => {})
  return { child, ready }
}

/** A TCP port nothing listens on right now. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Peak resident memory of a process so far (VmHWM), in MiB. */
export function peakRssMb (pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024
}

/** The p-th fraction of ascending values (p99 → 0.99). */
export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

/** The middle of several runs' figures. */
export const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 0.5)

/** `count` agents made through the admin API (`agent<i>@<domain>`), online if asked; their API tokens. */
export async function addAgents (url: string, adminToken: string, count: number, options: { domain: string, online: boolean }): Promise<string[]> {
  const call = async (method: string, path: string, token: string, body: unknown): Promise<any> => {
    const response = await fetch(`${url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`)
    return await response.json()
  }
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const { token } = await call('POST', '/agents', adminToken, { name: `Agent ${i}`, email: `agent${i}@${options.domain}`, role: 'agent' }) as { token: string }
    if (options.online) await call('PUT', '/agents/me/status', token, { status: 'online' })
    tokens.push(token)
  }
  return tokens
}

/** Deletes a bench hub's BullMQ keys from Redis once it has stopped. */
export async function clearRedisPrefix (url: string, prefix: string): Promise<void> {
  const redis = new Redis(url)
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
}
