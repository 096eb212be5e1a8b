import { parseArgs } from 'node:util'
import { findAgentByEmail } from './agents/by-email.js'
import { createSignInCode, ensureFirstAdmin, signInUrl } from './agents/sign-in.js'
import { hashToken, newAgentToken } from './agents/tokens.js'
import { PluginRegistry } from './channels/index.js'
import { ConfigError, loadConfig, type HubConfig } from './config/index.js'
import { HubError } from './errors.js'
import { userError } from './pipeline/store-errors.js'
import { createLogger, flushWithin, standardOutput } from './log.js'
import { createHub } from './hub.js'
import { demoPath } from './http/app.js'
import { publicBaseUrl } from './config/public-url.js'
import type { AgentRole } from './model/index.js'
import { compareWithMessages, rebuildFromMessages } from './reports/rebuild.js'
import { createStore } from './store/index.js'

const USAGE = `Usage:
  omnihub start [--config FILE]          run the hub (HTTP, channels and, by default, queue workers)
  omnihub worker [--config FILE]         run queue workers only (queue.driver: bullmq)
  omnihub config check [--config FILE]   validate a config file; exit 1 listing every problem
  omnihub agent add --name N --email E --role admin|supervisor|agent [--team T ...] [--config FILE]
  omnihub agent link --email E [--config FILE]   a one-time inbox sign-in link (24 h) for an agent
  omnihub store prepare [--config FILE]  bring the store's schema and indexes up to date, then exit (before a deploy)
  omnihub reports rebuild [--check] [--config FILE]   recount the reports' message figures from the messages
                                         (--check: only compare, exit 1 on a difference)

The config file defaults to $OMNIHUB_CONFIG, then config/hub.yaml. HOST and PORT override http.host/http.port.`

const ROLES: AgentRole[] = ['admin', 'supervisor', 'agent']
/** How long a graceful stop may take before the process exits regardless. */
const STOP_TIMEOUT_MS = 10_000
/** An admin token is a password that never expires: long enough that guessing it is hopeless. */
const MIN_ADMIN_TOKEN = 24

async function readConfig (file: string): Promise<HubConfig> {
  const config = await loadConfig(file, await PluginRegistry.load())
  const port = process.env.PORT
  if (process.env.HOST !== undefined && process.env.HOST !== '') config.http.host = process.env.HOST
  if (port !== undefined && port !== '') {
    if (!/^\d+$/.test(port) || Number(port) > 65535) throw new ConfigError('PORT', [`PORT: must be a port number, got "${port}"`])
    config.http.port = Number(port)
  }
  return config
}

async function run (file: string, mode: 'start' | 'worker'): Promise<void> {
  const config = await readConfig(file)
  if (mode === 'worker' && config.queue.driver !== 'bullmq') {
    throw new HubError('worker_needs_bullmq', 'omnihub worker needs queue.driver: bullmq; with the inline queue, omnihub start runs the workers itself.')
  }
  const adminToken = process.env.OMNIHUB_ADMIN_TOKEN ?? ''
  if (adminToken !== '' && adminToken.length < MIN_ADMIN_TOKEN) {
    throw new HubError('admin_token_too_short', `OMNIHUB_ADMIN_TOKEN has ${adminToken.length} characters; it must have at least ${MIN_ADMIN_TOKEN} (make one with: openssl rand -base64 32).`)
  }
  // A reader of standard output that went away (EPIPE) must not take the hub down with it.
  process.stdout.on('error', () => {})
  const output = standardOutput()
  const logger = createLogger(config.log.level, output)
  const hub = await createHub(config, { logger, http: mode === 'start', ...(mode === 'worker' ? { workers: true } : {}), ...(adminToken !== '' ? { adminToken } : {}) })
  let stopping = false
  const exit = (code: number): void => { void flushWithin(output, 1000).then(() => process.exit(code)) }
  // The first signal stops gracefully (requests and jobs under way finish or go back to the queue) within
  // STOP_TIMEOUT_MS; a second one, or the time limit, exits at once.
  const stop = (signal: string): void => {
    if (stopping) process.exit(1)
    stopping = true
    logger.info({ signal }, 'stopping')
    setTimeout(() => { logger.warn({ timeoutMs: STOP_TIMEOUT_MS }, 'stop timed out'); exit(1) }, STOP_TIMEOUT_MS).unref()
    hub.stop().then(() => exit(0), () => exit(1))
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  const url = await hub.start().catch(async (err: NodeJS.ErrnoException) => {
    await hub.stop().catch(() => {})
    if (err.code === 'EADDRINUSE') {
      throw new HubError('port_in_use', `${config.http.host}:${config.http.port} is already in use; stop the other process or set PORT to a free port.`)
    }
    throw err
  })
  if (url !== undefined) {
    const base = publicBaseUrl(config.http, url)
    process.stdout.write(`Omnihub is listening on ${url}\n  Agents' inbox: ${base}/inbox/\n  API and its docs: ${base}/docs\n`)
    if (demoPath(hub.services) !== null) process.stdout.write(`  Chat as a customer: ${base}/demo\n`)
    const first = await ensureFirstAdmin(hub.services.store, new Date())
    if (first !== null) {
      process.stdout.write(`\nNo agents yet: created the admin ${first.agent.email}. Sign in once with this link (valid 24 hours):\n  ${signInUrl(base, first.code)}\n`)
    }
  }
  else process.stdout.write(`Omnihub worker is running (queue: ${config.queue.driver})\n`)
}

async function agentAdd (file: string, values: Record<string, unknown>): Promise<void> {
  const name = values.name as string | undefined
  const email = values.email as string | undefined
  const role = (values.role as string | undefined) ?? 'agent'
  const problems = [
    ...(name === undefined || name.trim() === '' ? ['--name: required'] : []),
    ...(email === undefined || !/^[^@\s]+@[^@\s]+$/.test(email) ? ['--email: required, an email address'] : []),
    ...(!ROLES.includes(role as AgentRole) ? [`--role: must be one of ${ROLES.join(', ')}`] : [])
  ]
  if (problems.length > 0) throw new HubError('invalid_arguments', problems.join('\n'))
  const config = await readConfig(file)
  const store = await createStore(config.store)
  await store.open()
  try {
    const token = newAgentToken()
    const agent = await store.createAgent({ name: name!, email: email!, role: role as AgentRole, teams: (values.team as string[] | undefined) ?? [], tokenHash: hashToken(token) }, new Date())
    process.stdout.write(`Created ${agent.role} ${agent.name} <${agent.email}> (id ${agent.id}).\nAPI token (shown once, store it now):\n${token}\n`)
  } finally {
    await store.close()
  }
}

async function agentLink (file: string, values: Record<string, unknown>): Promise<void> {
  const email = (values.email as string | undefined)?.toLowerCase()
  if (email === undefined) throw new HubError('invalid_arguments', '--email: required, the agent\'s email address')
  const config = await readConfig(file)
  const store = await createStore(config.store)
  await store.open()
  try {
    const agent = await findAgentByEmail(store, email)
    if (agent === null) throw new HubError('unknown_agent', `No agent has the email ${email}; create one with omnihub agent add.`)
    const code = await createSignInCode(store, agent.id, new Date())
    process.stdout.write(`Sign-in link for ${agent.name} <${agent.email}>, valid once within 24 hours (signing in replaces their API token):\n${signInUrl(publicBaseUrl(config.http), code)}\n`)
  } finally {
    await store.close()
  }
}

/** What every hub does as it starts, on its own: an admin runs it before a deploy so no hub builds an index under load. */
async function storePrepare (file: string): Promise<void> {
  const config = await readConfig(file)
  const store = await createStore(config.store)
  await store.open()
  await store.close()
  process.stdout.write(`The ${config.store.driver} store is ready: schema and indexes are up to date.\n`)
}

/**
 * After an upgrade, or to check them: the message measures recounted from the messages (run it
 * while the hub is quiet; what arrives meanwhile may be counted twice or not at all).
 */
async function reportsRebuild (file: string, check: boolean): Promise<number> {
  const config = await readConfig(file)
  const store = await createStore(config.store)
  await store.open()
  try {
    if (!check) {
      const { conversations, counters } = await rebuildFromMessages(store, config)
      process.stdout.write(`Recounted ${conversations} conversations: ${counters} counters of the message figures replaced; closes, ratings and breaches kept as counted.\n`)
      return 0
    }
    const { conversations, differences } = await compareWithMessages(store, config)
    if (differences.length === 0) {
      process.stdout.write(`The kept counters agree with the messages of ${conversations} conversations.\n`)
      return 0
    }
    for (const d of differences.slice(0, 20)) {
      process.stdout.write(`${new Date(d.key.hour * 3_600_000).toISOString()} ${d.key.measure} channel=${d.key.channelId} team=${d.key.teamId ?? '-'} agent=${d.key.agentId ?? '-'} tag=${d.key.tag || '-'}: kept ${d.kept.count}, messages say ${d.rebuilt.count}\n`)
    }
    process.stdout.write(`${differences.length} counters differ from the messages of ${conversations} conversations; omnihub reports rebuild sets them right.\n`)
    return 1
  } finally {
    await store.close()
  }
}

/** `site (webchat), mail (email, disabled)`. */
const listed = (blocks: Array<{ id: string, plugin: string, enabled: boolean }>): string =>
  blocks.map(b => `${b.id} (${b.plugin}${b.enabled ? '' : ', disabled'})`).join(', ')

export async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        name: { type: 'string' },
        email: { type: 'string' },
        role: { type: 'string' },
        team: { type: 'string', multiple: true },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`)
    return 2
  }
  const { values, positionals } = parsed
  const file = values.config ?? process.env.OMNIHUB_CONFIG ?? 'config/hub.yaml'
  const command = positionals.join(' ')
  try {
    switch (command) {
      case 'start': await run(file, 'start'); return -1
      case 'worker': await run(file, 'worker'); return -1
      case 'config check': {
        const config = await readConfig(file)
        process.stdout.write(`${file} is valid: store ${config.store.driver}, queue ${config.queue.driver}, channels ${listed(config.channels) || 'none'}${config.desks.length > 0 ? `, desks ${listed(config.desks)}` : ''}\n`)
        return 0
      }
      case 'agent add': await agentAdd(file, values); return 0
      case 'agent link': await agentLink(file, values); return 0
      case 'store prepare': await storePrepare(file); return 0
      case 'reports rebuild': return await reportsRebuild(file, values.check === true)
      default:
        process.stdout.write(`${USAGE}\n`)
        return values.help === true && command === '' ? 0 : 2
    }
  } catch (err) {
    const known = userError(err)
    if (known !== null) {
      process.stderr.write(`error [${known.code}]: ${known.message}\n`)
      return 1
    }
    process.stderr.write(`error [internal_error]: ${(err as Error).message}\n`)
    return 1
  }
}
