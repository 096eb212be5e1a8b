import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig, validateConfig } from '../core/config/index.js'
import { PluginRegistry } from '../core/channels/index.js'

const registry = await PluginRegistry.load()
const api = (over: Record<string, unknown> = {}) => ({ id: 'api', plugin: 'api', secret: 'a-secret-of-16-chars', ...over })

const problemsOf = (raw: unknown, env: NodeJS.ProcessEnv = {}): string[] => {
  try {
    validateConfig(raw, registry, env)
    return []
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
}

t.test('an empty file is the embedded default', async t => {
  const config = validateConfig({}, registry, {})
  t.match(config, { http: { host: '127.0.0.1', port: 3000 }, store: { driver: 'sqlite', path: './data/omnihub.db' }, queue: { driver: 'inline' }, channels: [] })
  t.match(config.send, { attempts: 8, backoffMs: 2000 })
})

t.test('${ENV} and ${ENV:-default} are interpolated and typed', async t => {
  const config = validateConfig({
    http: { port: '${PORT}' },
    queue: { driver: 'bullmq', redis: '${REDIS_URL:-redis://127.0.0.1:6379}' },
    channels: [api({ secret: '${API_SECRET}', callbackUrl: 'https://${HOST_NAME}/cb' })]
  }, registry, { PORT: '4100', API_SECRET: 'from-the-environment', HOST_NAME: 'shop.example' })
  t.equal(config.http.port, 4100)
  t.match(config.queue, { driver: 'bullmq', redis: 'redis://127.0.0.1:6379', prefix: 'omnihub' })
  t.match(config.channels[0], { id: 'api', plugin: 'api', enabled: true, settings: { secret: 'from-the-environment', callbackUrl: 'https://shop.example/cb', timeoutMs: 10000 } })
})

t.test('bullmq: the lock and stall settings default to a takeover within seconds, and take no value BullMQ would misread', async t => {
  const config = validateConfig({ queue: { driver: 'bullmq', redis: 'redis://127.0.0.1:6379' } }, registry, {})
  t.match(config.queue, { lockMs: 4000, stallCheckMs: 1000, maxStalls: 5 })
  t.same(problemsOf({ queue: { driver: 'bullmq', redis: 'redis://127.0.0.1:6379', lockMs: 100, stallCheckMs: 0, maxStalls: -1 } }).sort(), [
    'queue.lockMs: must be at least 1000',
    'queue.maxStalls: must be at least 0',
    'queue.stallCheckMs: must be at least 250'
  ])
})

t.test('every problem is listed with its path', async t => {
  const problems = problemsOf({
    http: { port: 'eighty', colour: 'blue' },
    store: { driver: 'postgres' },
    queue: { driver: 'bullmq' },
    channels: [api({ secret: 'short' }), { id: 'api', plugin: 'api' }, { id: 'wx', plugin: 'wechat' }, { plugin: 'api', secret: 'a-secret-of-16-chars' }],
    extra: true
  })
  t.same(problems.sort(), [
    'extra: unknown setting',
    'http.colour: unknown setting',
    'http.port: must be integer',
    'store.driver: must be one of "sqlite", "mongodb"',
    'queue.redis: required',
    'channels[0].secret: must be at least 16 characters',
    'channels[1].id: duplicate channel id "api" (also channels[0])',
    'channels[1].secret: required',
    `channels[2].plugin: unknown plugin "wechat" (available: ${registry.names().join(', ')})`,
    'channels[3].id: required'
  ].sort())
})

t.test('an unset variable is one problem, named', async t => {
  t.same(problemsOf({ channels: [api({ secret: '${API_SECRET}' })] }), ['channels[0].secret: environment variable API_SECRET is not set'])
})

t.test('a disabled channel is not checked, so its missing secrets do not stop start-up', async t => {
  const config = validateConfig({ channels: [api({ enabled: false, secret: '${NOT_YET_ISSUED}' })] }, registry, {})
  t.equal(config.channels[0]?.enabled, false)
  t.same(problemsOf({ channels: [api({ enabled: false, plugin: 'nonesuch' })] }), [`channels[0].plugin: unknown plugin "nonesuch" (available: ${registry.names().join(', ')})`], 'but its plugin must exist')
})

t.test('channel ids are url-safe', async t => {
  t.match(problemsOf({ channels: [api({ id: 'My Shop!' })] }), [/^channels\[0\]\.id: has an invalid format/])
})

t.test('files: missing, bad YAML, and the shipped ones', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-config-'))
  await t.rejects(loadConfig(join(dir, 'nope.yaml'), registry), { code: 'config_invalid', problems: [/nope\.yaml: file not found/] })
  writeFileSync(join(dir, 'bad.yaml'), 'channels:\n  - id: api\n   plugin: api\n')
  await t.rejects(loadConfig(join(dir, 'bad.yaml'), registry), { code: 'config_invalid', problems: [/bad\.yaml:\d+:\d+: invalid YAML/] })
  const hub = await loadConfig('config/hub.yaml', registry, {})
  t.match(hub, { store: { driver: 'sqlite' }, queue: { driver: 'inline' }, channels: [{ id: 'webchat', plugin: 'webchat', enabled: true, settings: { demo: true } }, { id: 'api', plugin: 'api', enabled: true }] })
  const production = await loadConfig('config/production.example.yaml', registry, {
    MONGODB_URI: 'mongodb://db/omnihub', REDIS_URL: 'redis://redis:6379', OMNIHUB_API_SECRET: 'x'.repeat(32), OMNIHUB_API_CALLBACK_URL: 'https://shop.example/omnihub',
    OMNIHUB_WEBCHAT_IDENTITY_SECRET: 'y'.repeat(32), OMNIHUB_FILE_LINK_SECRET: 'z'.repeat(32)
  })
  t.match(production, { store: { driver: 'mongodb' }, queue: { driver: 'bullmq' } })
  t.match(production.channels.find(c => c.id === 'webchat'), { enabled: true, settings: { demo: false } }, 'no demo page in production')
  t.match(production.desks, [{ id: 'slack', plugin: 'slack', enabled: false }], 'the Slack desk waits, unchecked, for its app')
})
