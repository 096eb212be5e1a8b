import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { stringify } from 'yaml'

export const BIN = new URL('../../bin/omnihub.js', import.meta.url).pathname

export interface CliResult { code: number | null, stdout: string, stderr: string }

/** Runs `omnihub ...args` to completion. */
export async function cli (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => { stdout += String(d) })
  child.stderr.on('data', d => { stderr += String(d) })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, stdout, stderr }
}

/** A config file in a fresh temp folder (its SQLite file beside it, unless the config says otherwise). */
export function writeConfig (config: Record<string, unknown>, dir = mkdtempSync(join(tmpdir(), 'omnihub-cli-'))): { dir: string, file: string } {
  const file = join(dir, 'hub.yaml')
  writeFileSync(file, stringify({ log: { level: 'warn' }, store: { driver: 'sqlite', path: join(dir, 'hub.db') }, ...config }))
  return { dir, file }
}

export interface Running { child: ChildProcess, url: string, output: () => string }

/** Starts `omnihub start|worker` and resolves once it says it is up. Killed at teardown. */
export async function launch (t: Test, command: 'start' | 'worker', file: string, env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const child = spawn(process.execPath, [BIN, command, '--config', file], { env: { ...process.env, PORT: '0', ...env } })
  let output = ''
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`omnihub ${command} did not start:\n${output}`)), 20_000)
    const onData = (d: Buffer): void => {
      output += String(d)
      const match = /listening on (\S+)|worker is running/.exec(output)
      if (match !== null) { clearTimeout(timer); resolve(match[1] ?? '') }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (d: Buffer) => { output += String(d) })
    child.on('exit', code => { clearTimeout(timer); reject(new Error(`omnihub ${command} exited ${code}:\n${output}`)) })
  })
  return { child, url, output: () => output }
}

/** Stops a process gracefully and waits for it. */
export async function stop (running: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (running.child.exitCode !== null) return
  const exited = new Promise(resolve => running.child.once('exit', resolve))
  running.child.kill(signal)
  await exited
}

/** A TCP port nothing listens on right now. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise(resolve => server.close(resolve))
  return port
}
