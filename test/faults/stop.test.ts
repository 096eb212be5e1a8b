import { spawn } from 'node:child_process'
import t, { type Test } from 'tap'
import { sign } from '../../core/channels/signature.js'
import { API_SECRET } from '../helpers/hub.js'
import { BIN, writeConfig } from '../helpers/process.js'

/** A hub whose standard output is a pipe the test stops reading (a stalled log collector), or closes. */
async function hubWithStuckOutput (t: Test, how: 'stalled' | 'closed'): Promise<{ exited: Promise<number | null>, kill: (signal: NodeJS.Signals) => void, url: string }> {
  const { file } = writeConfig({ log: { level: 'debug' }, channels: [{ id: 'api', plugin: 'api', secret: API_SECRET }] })
  const child = spawn(process.execPath, [BIN, 'start', '--config', file], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'ignore'] })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const exited = new Promise<number | null>(resolve => child.once('exit', resolve))
  const url = await new Promise<string>((resolve, reject) => {
    let seen = ''
    const onData = (d: Buffer): void => {
      seen += String(d)
      const m = /listening on (http:\/\/\S+)/.exec(seen)
      if (m !== null) { child.stdout.off('data', onData); resolve(m[1]!) }
    }
    child.stdout.on('data', onData)
    setTimeout(() => reject(new Error(`no start: ${seen}`)), 20_000)
  })
  if (how === 'stalled') child.stdout.pause()
  else child.stdout.destroy()
  // Well past a pipe's 64 KiB: every request writes a debug line.
  for (let i = 0; i < 1500; i++) {
    const raw = JSON.stringify({ messageId: `m${i}`, from: { id: `c${i % 20}` }, text: 'hi' })
    await fetch(`${url}/channels/api/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, raw) }, body: raw })
  }
  return { exited, kill: signal => child.kill(signal), url }
}

const within = async <T>(promise: Promise<T>, ms: number): Promise<T | 'still running'> =>
  await Promise.race([promise, new Promise<'still running'>(resolve => setTimeout(() => resolve('still running'), ms))])

for (const how of ['stalled', 'closed'] as const) {
  t.test(`SIGTERM stops a hub whose standard output is ${how}`, async t => {
    const hub = await hubWithStuckOutput(t, how)
    const health = await within(fetch(`${hub.url}/healthz`).then(r => r.status), 5000)
    t.equal(health, 200, 'it still serves while its log reader is stuck')
    hub.kill('SIGTERM')
    const code = await within(hub.exited, 15_000)
    t.not(code, 'still running', `it exited (code ${String(code)}) instead of waiting on its output`)
  })
}
