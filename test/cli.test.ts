import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { migrations } from '../core/store/sqlite/migrations.js'
import { createSqliteStore } from '../core/store/sqlite/store.js'
import { sign } from '../core/channels/signature.js'
import { API_SECRET } from './helpers/hub.js'
import { cli, freePort, launch, stop, writeConfig } from './helpers/process.js'

t.test('config check: exit 0 and a summary for a good file', async t => {
  const r = await cli(['config', 'check', '--config', 'config/hub.yaml'])
  t.equal(r.code, 0)
  t.match(r.stdout, /config\/hub.yaml is valid: store sqlite, queue inline, channels webchat \(webchat\), api \(api\)/)
})

t.test('config check: exit 1 listing every problem with its path, no stack trace', async t => {
  const { file } = writeConfig({ queue: { driver: 'bullmq' }, channels: [{ id: 'api', plugin: 'api' }, { id: 'wx', plugin: 'wechat', appSecret: '${WX_APP_SECRET}' }] })
  const r = await cli(['config', 'check', '--config', file])
  t.equal(r.code, 1)
  t.match(r.stderr, /error \[config_invalid\]: .*hub\.yaml has 4 problem\(s\)/)
  for (const line of ['queue.redis: required', 'channels[0].secret: required', 'channels[1].appSecret: environment variable WX_APP_SECRET is not set', 'channels[1].plugin: unknown plugin "wechat"']) {
    t.ok(r.stderr.includes(line), line)
  }
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
})

t.test('OMNIHUB_CONFIG names the default file', async t => {
  const { file } = writeConfig({ channels: [] })
  const r = await cli(['config', 'check'], { OMNIHUB_CONFIG: file })
  t.equal(r.code, 0)
  t.match(r.stdout, file)
})

t.test('start refuses a bad config with exit 1', async t => {
  const r = await cli(['start', '--config', '/nonexistent/hub.yaml'])
  t.equal(r.code, 1)
  t.match(r.stderr, /file not found/)
  const shipped = await cli(['config', 'check', '--config', 'config/hub.yaml'], { PORT: 'eighty' })
  t.equal(shipped.code, 1)
  t.match(shipped.stderr, /http\.port: must be integer/, 'hub.yaml reads ${PORT} itself')
  const { file } = writeConfig({ channels: [] })
  const override = await cli(['config', 'check', '--config', file], { PORT: 'eighty' })
  t.equal(override.code, 1)
  t.match(override.stderr, /PORT: must be a port number/, 'any other file: PORT overrides http.port')
})

t.test('worker refuses the inline queue', async t => {
  const { file } = writeConfig({ channels: [] })
  const r = await cli(['worker', '--config', file])
  t.equal(r.code, 1)
  t.match(r.stderr, /worker_needs_bullmq/)
})

t.test('agent add: validates, prints a token once, and the token works', async t => {
  const { file } = writeConfig({ channels: [{ id: 'api', plugin: 'api', secret: API_SECRET }] })
  const bad = await cli(['agent', 'add', '--config', file, '--name', 'Wu', '--email', 'not-an-email', '--role', 'boss'])
  t.equal(bad.code, 1)
  t.match(bad.stderr, /--email: required, an email address/)
  t.match(bad.stderr, /--role: must be one of admin, supervisor, agent/)

  const r = await cli(['agent', 'add', '--config', file, '--name', 'Wu Fang', '--email', 'wu@example.com', '--role', 'supervisor'])
  t.equal(r.code, 0)
  const token = /^(oh_\S+)$/m.exec(r.stdout)?.[1]
  t.ok(token, 'a token is printed')
  const again = await cli(['agent', 'add', '--config', file, '--name', 'Wu', '--email', 'WU@example.com'])
  t.equal(again.code, 1)
  t.match(again.stderr, /agent_exists/)

  const hub = await launch(t, 'start', file)
  const ok = await fetch(`${hub.url}/api/v1/conversations`, { headers: { authorization: `Bearer ${token}` } })
  t.equal(ok.status, 200)
  await stop(hub)
})

t.test('start prints where to chat as a customer when a channel has a demo page', async t => {
  const { file } = writeConfig({ channels: [{ id: 'webchat', plugin: 'webchat' }] })
  const hub = await launch(t, 'start', file)
  await new Promise(resolve => setTimeout(resolve, 200))
  t.ok(hub.output().includes(`Chat as a customer: ${hub.url}/demo`), hub.output())
  const page = await fetch(`${hub.url}/demo`)
  t.match(await page.text(), /channels\/webchat\/widget\.js/)
  await stop(hub)
})

t.test('start: HOST/PORT, OMNIHUB_ADMIN_TOKEN, graceful stop; secrets and customer text stay out of the log', async t => {
  const { file } = writeConfig({ log: { level: 'debug' }, channels: [{ id: 'api', plugin: 'api', secret: API_SECRET }] })
  const hub = await launch(t, 'start', file, { HOST: '127.0.0.1', OMNIHUB_ADMIN_TOKEN: 'admin-token-from-env-0123456789' })
  t.match(hub.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const auth = { authorization: 'Bearer admin-token-from-env-0123456789' }
  t.equal((await fetch(`${hub.url}/api/v1/conversations`, { headers: auth })).status, 200)
  const raw = JSON.stringify({ messageId: 'log-1', from: { id: 'private-buyer', name: 'Zhang Wei' }, text: 'my card number is 4111 1111' })
  const stored = await fetch(`${hub.url}/channels/api/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, raw) }, body: raw })
  const { conversationId } = await stored.json() as { conversationId: string }
  await fetch(`${hub.url}/api/v1/conversations?access_token=admin-token-from-env-0123456789`)
  await fetch(`${hub.url}/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'agent reply text' }) })
  await stop(hub)
  t.equal(hub.child.exitCode, 0)
  const log = hub.output()
  t.match(log, /"msg":"inbound stored"/, 'the log does record the event, by id')
  t.match(log, new RegExp(conversationId))
  for (const secret of ['admin-token-from-env-0123456789', API_SECRET, '4111 1111', 'Zhang Wei', 'agent reply text']) {
    t.notOk(log.includes(secret), `the log never contains "${secret}"`)
  }
})

t.test('start refuses an admin token shorter than 24 characters', async t => {
  const { file } = writeConfig({ channels: [] })
  const r = await cli(['start', '--config', file], { OMNIHUB_ADMIN_TOKEN: 'hunter2', PORT: '0' })
  t.equal(r.code, 1)
  t.match(r.stderr, /error \[admin_token_too_short\]: OMNIHUB_ADMIN_TOKEN has 7 characters; it must have at least 24/)
  t.notMatch(r.stderr, /hunter2/, 'the token itself is not printed')
})

t.test('a second start on the same SQLite file with the in-process queue is refused; after a kill -9 the file can be used again', async t => {
  const { file } = writeConfig({ channels: [] })
  const first = await launch(t, 'start', file)
  const second = await cli(['start', '--config', file], { PORT: '0' })
  t.equal(second.code, 1)
  t.match(second.stderr, /error \[store_in_use\]: Another Omnihub \(process \d+\) runs on .*hub\.db with the in-process queue; stop it, or use queue\.driver: bullmq/)
  await stop(first, 'SIGKILL')
  const again = await launch(t, 'start', file)
  t.match(again.url, /^http:/, 'the lock of a dead process is taken over')
  await stop(again)
  const third = await launch(t, 'start', file)
  t.match(third.url, /^http:/, 'a stopped hub left the file free')
  await stop(third)
})

t.test('start with Redis not answering: a line per attempt, then exit 1 with redis_unavailable, naming only the host', async t => {
  const port = await freePort()
  const { file } = writeConfig({ channels: [], queue: { driver: 'bullmq', redis: `redis://:s3cret-pass@127.0.0.1:${port}`, startupWaitMs: 2500 } })
  const r = await cli(['start', '--config', file], { PORT: '0' })
  t.equal(r.code, 1)
  t.match(r.stderr, new RegExp(`error \\[redis_unavailable\\]: Redis at 127\\.0\\.0\\.1:${port} did not answer within 3 s \\(ECONNREFUSED\\); start it, or check queue\\.redis`))
  const waiting = r.stdout.split('\n').filter(line => line.includes('waiting for Redis'))
  t.ok(waiting.length >= 2, `one line per attempt (${waiting.length})`)
  t.notMatch(r.stdout + r.stderr, /s3cret-pass/, 'the password stays out of the output')
})

t.test('start on a port in use: exit 1 with port_in_use', async t => {
  const { file } = writeConfig({ channels: [] })
  const first = await launch(t, 'start', file)
  const other = writeConfig({ channels: [] })
  const r = await cli(['start', '--config', other.file], { PORT: new URL(first.url).port })
  t.equal(r.code, 1)
  t.match(r.stderr, /error \[port_in_use\]: 127\.0\.0\.1:\d+ is already in use; stop the other process or set PORT/)
  await stop(first)
})

t.test('first start without agents: an admin and a one-time inbox link; agent link makes more', async t => {
  const { file } = writeConfig({ channels: [] })
  const hub = await launch(t, 'start', file)
  const link = await eventuallyMatch(hub.output, /Sign in once with this link \(valid 24 hours\):\n\s+(\S+)/)
  t.match(hub.output(), `Agents' inbox: ${hub.url}/inbox/`)
  t.match(link, new RegExp(`^${hub.url}/inbox/#code=[\\w-]+$`))
  const code = new URL(link).hash.slice('#code='.length)
  const signIn = async (c: string) => await fetch(`${hub.url}/api/v1/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: c }) })
  const first = await signIn(code)
  t.equal(first.status, 200)
  const { agent, token } = await first.json() as { agent: { role: string, email: string }, token: string }
  t.match(agent, { role: 'admin', email: 'admin@omnihub.local' })
  t.equal((await fetch(`${hub.url}/api/v1/agents/me`, { headers: { authorization: `Bearer ${token}` } })).status, 200, 'the link gave a working token')
  t.equal((await signIn(code)).status, 401, 'once only')
  await stop(hub)

  const again = await launch(t, 'start', file)
  await new Promise(resolve => setTimeout(resolve, 300))
  t.notMatch(again.output(), /Sign in once/, 'not on later starts')
  await stop(again)

  const unknown = await cli(['agent', 'link', '--config', file, '--email', 'nobody@example.com'])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /error \[unknown_agent\]: No agent has the email nobody@example.com/)
  const made = await cli(['agent', 'link', '--config', file, '--email', 'ADMIN@omnihub.local'])
  t.equal(made.code, 0)
  t.match(made.stdout, /Sign-in link for Admin <admin@omnihub.local>, valid once within 24 hours/)
  t.match(made.stdout, /http:\/\/127\.0\.0\.1:\d+\/inbox\/#code=[\w-]+/)
})

async function eventuallyMatch (output: () => string, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const match = pattern.exec(output())
    if (match !== null) return match[1]!
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`no match for ${pattern} in:\n${output()}`)
}

t.test('store prepare: creates the schema before any hub starts; a newer database is refused with its code', async t => {
  const { dir, file } = writeConfig({ channels: [] })
  const r = await cli(['store', 'prepare', '--config', file])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, 'The sqlite store is ready')
  const db = new Database(join(dir, 'hub.db'))
  t.equal(db.pragma('user_version', { simple: true }), migrations.length, 'every migration ran')
  db.pragma(`user_version = ${migrations.length + 1}`)
  db.close()
  const newer = await cli(['store', 'prepare', '--config', file])
  t.equal(newer.code, 1)
  t.match(newer.stderr, /error \[store_too_new\]: The database at .*hub\.db was written by a newer Omnihub; upgrade Omnihub\./)
})

t.test('reports rebuild: --check lists the counters the messages disagree with and exits 1; a rebuild sets them right', async t => {
  const { dir, file } = writeConfig({ channels: [{ id: 'api', plugin: 'api', secret: API_SECRET }] })
  // Messages written straight to the store, as before an upgrade: nothing counted them.
  const store = createSqliteStore(join(dir, 'hub.db'))
  await store.open()
  const { conversation } = await store.recordInbound({ channelId: 'api', teamId: null, externalId: 'm1', contact: { externalId: 'c1' }, text: 'hi', attachments: [], cards: [], sentAt: new Date() }, new Date())
  await store.recordOutbound({ conversationId: conversation.id, direction: 'outbound', author: { type: 'agent', id: 'a1' }, text: 'hello', attachments: [], cards: [], tag: null }, new Date())
  await store.close()
  const check = await cli(['reports', 'rebuild', '--check', '--config', file])
  t.equal(check.code, 1, check.stderr)
  t.match(check.stdout, /inbound channel=api team=- agent=- tag=-: kept 0, messages say 1/)
  t.match(check.stdout, /counters differ from the messages of 1 conversations; omnihub reports rebuild sets them right/)
  const rebuilt = await cli(['reports', 'rebuild', '--config', file])
  t.equal(rebuilt.code, 0, rebuilt.stderr)
  t.match(rebuilt.stdout, /Recounted 1 conversations: \d+ counters of the message figures replaced/)
  const again = await cli(['reports', 'rebuild', '--check', '--config', file])
  t.equal(again.code, 0)
  t.match(again.stdout, 'The kept counters agree with the messages of 1 conversations.')
})

t.test('unknown command: usage, exit 2', async t => {
  const r = await cli(['frobnicate'])
  t.equal(r.code, 2)
  t.match(r.stdout, /Usage:/)
})
