import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import type { Test } from 'tap'
import { newAgentToken, hashToken } from '../../core/agents/tokens.js'
import { validateConfig } from '../../core/config/index.js'
import { PluginRegistry, type ChannelPluginDefinition } from '../../core/channels/index.js'
import { createHub, type Hub } from '../../core/hub.js'
import type { Agent } from '../../core/model/index.js'
import { sign } from '../../core/channels/signature.js'
import { REDIS_URL, uniquePrefix } from './redis.js'
import { AgentStream } from './stream.js'

export const API_SECRET = 'test-secret-0123456789'

export interface TestHub {
  hub: Hub
  url: string
  agent: Agent
  token: string
  /** POSTs a signed inbound message to an api channel. */
  inbound (body: unknown, options?: { channelId?: string, signature?: string | null }): Promise<Response>
  /** Calls the agents' API as the test agent. */
  api (method: string, path: string, body?: unknown, token?: string): Promise<{ status: number, body: any }>
  stream (): Promise<AgentStream>
  /** Creates another agent; `as` calls the API and opens streams with their token. */
  addAgent (options: { name?: string, email?: string, role?: 'admin' | 'supervisor' | 'agent', teams?: string[], capacity?: number | null, status?: 'online' | 'busy' }): Promise<TestAgent>
}

export interface TestAgent {
  agent: Agent
  token: string
  api (method: string, path: string, body?: unknown): Promise<{ status: number, body: any }>
  stream (lastEventId?: string): Promise<AgentStream>
}

export interface TestHubOptions {
  queue?: 'inline' | 'bullmq'
  callbackUrl?: string
  config?: Record<string, unknown>
  channels?: Array<Record<string, unknown>>
  plugins?: ChannelPluginDefinition[]
  clock?: () => Date
  agentTeams?: string[]
}

/** A hub on a fresh SQLite file and an ephemeral port, stopped when the test ends. */
export async function startTestHub (t: Test, options: TestHubOptions = {}): Promise<TestHub> {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-hub-'))
  const registry = options.plugins !== undefined
    ? PluginRegistry.of([...installed.all(), ...options.plugins])
    : installed
  const config = validateConfig({
    http: { port: 0 },
    log: { level: 'silent' },
    store: { driver: 'sqlite', path: join(dir, 'hub.db') },
    queue: options.queue === 'bullmq' ? { driver: 'bullmq', redis: REDIS_URL, prefix: uniquePrefix('hub') } : { driver: 'inline' },
    send: { attempts: 4, backoffMs: 50 },
    files: { dir: join(dir, 'files') },
    channels: options.channels ?? [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: options.callbackUrl ?? '' }],
    ...options.config
  }, registry, {})
  const hub = await createHub(config, { logger: pino({ level: process.env.DEBUG_HUB_LOG ?? 'silent' }), registry, ...(options.clock !== undefined ? { clock: options.clock } : {}) })
  const url = (await hub.start())!
  const streams: AgentStream[] = []
  t.teardown(async () => {
    for (const s of streams) s.close()
    await hub.stop()
  })
  const token = newAgentToken()
  const agent = await hub.services.store.createAgent({ name: 'Test Agent', email: `agent-${Math.random()}@example.com`, role: 'agent', teams: options.agentTeams ?? [], tokenHash: hashToken(token) }, new Date())

  return {
    hub, url, agent, token,
    async inbound (body, { channelId = 'api', signature } = {}) {
      const raw = JSON.stringify(body)
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (signature !== null) headers['x-omnihub-signature'] = signature ?? sign(API_SECRET, raw)
      return await fetch(`${url}/channels/${channelId}/inbound`, { method: 'POST', headers, body: raw })
    },
    api: async (method, path, body, as = token) => await call(url, method, path, body, as),
    async stream () {
      const s = await AgentStream.connect(url, token)
      streams.push(s)
      return s
    },
    async addAgent ({ name = `Agent ${++agents}`, email, role = 'agent', teams = [], capacity = null, status }) {
      const agentToken = newAgentToken()
      const created = await hub.services.store.createAgent({ name, email: email ?? `${name.replace(/\W/g, '')}-${Math.random()}@example.com`, role, teams, capacity, tokenHash: hashToken(agentToken) }, new Date())
      const added: TestAgent = {
        agent: created,
        token: agentToken,
        api: async (method, path, body) => await call(url, method, path, body, agentToken),
        async stream (lastEventId) {
          const s = await AgentStream.connect(url, agentToken, lastEventId)
          streams.push(s)
          return s
        }
      }
      if (status !== undefined) {
        const r = await added.api('PUT', '/agents/me/status', { status })
        if (r.status !== 200) throw new Error(`status change failed: ${JSON.stringify(r.body)}`)
        added.agent = r.body
      }
      return added
    }
  }
}

let agents = 0

async function call (url: string, method: string, path: string, body: unknown, token: string): Promise<{ status: number, body: any }> {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {})
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? null : JSON.parse(text) }
}

const installed = await PluginRegistry.load()

let counter = 0
/** A unique inbound body for the api channel. */
export function inboundBody (over: Record<string, unknown> = {}): Record<string, unknown> {
  counter++
  return { messageId: `msg-${process.pid}-${counter}`, from: { id: 'customer-1', name: 'Ann' }, text: `hello ${counter}`, ...over }
}
