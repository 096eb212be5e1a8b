import { readFile } from 'node:fs/promises'
import { parse, YAMLParseError } from 'yaml'
import type { TSchema } from 'typebox'
import { HubError } from '../errors.js'
import { interpolate } from './interpolate.js'
import { check, formatPath } from './problems.js'
import {
  BullmqSettings, ChannelBase, HubSettings, InlineQueueSettings, MongoSettings, SqliteSettings,
  type ChannelSettings, type HubConfig, type QueueSettings, type StoreSettings
} from './schema.js'

/** Every problem of a config file, each `path: sentence`. */
export class ConfigError extends HubError {
  readonly problems: string[]
  constructor (file: string, problems: string[]) {
    super('config_invalid', `${file} has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`, 500, { problems })
    this.problems = problems
  }
}

/** The part of a plugin definition config validation needs. */
export interface PluginSchemas {
  get (name: string): { configSchema: TSchema, validate?: (settings: any) => string[] } | undefined
  names (): string[]
}

const STORE_DRIVERS: Record<string, TSchema> = { sqlite: SqliteSettings, mongodb: MongoSettings }
const QUEUE_DRIVERS: Record<string, TSchema> = { inline: InlineQueueSettings, bullmq: BullmqSettings }

/** Validates an already-parsed config object; throws ConfigError listing every problem. */
export function validateConfig (raw: unknown, plugins: PluginSchemas, env: NodeJS.ProcessEnv = process.env, file = 'config'): HubConfig {
  const problems: string[] = []
  const unset: string[] = []
  const interpolated = interpolate(raw ?? {}, env, unset)
  const hub = check<HubConfig & { store: { driver: string }, queue: { driver: string }, channels: Array<Record<string, unknown>> }>(HubSettings, interpolated, [])
  problems.push(...hub.problems)

  const storeSchema = STORE_DRIVERS[hub.value.store?.driver]
  const store = storeSchema !== undefined ? check<StoreSettings>(storeSchema, hub.value.store, ['store']) : undefined
  const queueSchema = QUEUE_DRIVERS[hub.value.queue?.driver]
  const queue = queueSchema !== undefined ? check<QueueSettings>(queueSchema, hub.value.queue, ['queue']) : undefined
  problems.push(...(store?.problems ?? []), ...(queue?.problems ?? []))

  const channels: ChannelSettings[] = []
  const seen = new Map<string, number>()
  const off: string[] = []
  const list = Array.isArray(hub.value.channels) ? hub.value.channels : []
  list.forEach((block, i) => {
    const { id, plugin, enabled, team, ...settings } = block
    const present = Object.fromEntries(Object.entries({ id, plugin, enabled, team }).filter(([, v]) => v !== undefined))
    const base = check<{ id: string, plugin: string, enabled: boolean, team?: string }>(ChannelBase, present, ['channels', i])
    problems.push(...base.problems)
    if (typeof id === 'string') {
      const first = seen.get(id)
      if (first !== undefined) problems.push(`${formatPath(['channels', i, 'id'])}: duplicate channel id "${id}" (also channels[${first}])`)
      else seen.set(id, i)
    }
    if (typeof plugin !== 'string') return
    const definition = plugins.get(plugin)
    if (definition === undefined) {
      problems.push(`${formatPath(['channels', i, 'plugin'])}: unknown plugin "${plugin}" (available: ${plugins.names().join(', ')})`)
      return
    }
    // A disabled channel may be half-filled (its secrets not yet issued): check it only when on.
    if (base.value.enabled === false) {
      off.push(`channels[${i}]`)
      channels.push({ ...base.value, settings })
      return
    }
    const own = check<Record<string, unknown>>(definition.configSchema, settings, ['channels', i])
    problems.push(...own.problems)
    // Rules a schema cannot state (one of two fields required, say), once the shape is right.
    if (own.problems.length === 0) problems.push(...(definition.validate?.(own.value) ?? []).map(p => `${formatPath(['channels', i])}.${p}`))
    channels.push({ ...base.value, settings: own.value })
  })

  // Unset variables count everywhere except inside a disabled channel's block.
  const within = (problem: string, prefix: string): boolean => problem.startsWith(prefix + '.') || problem.startsWith(prefix + ':')
  const missing = unset.filter(p => !off.some(prefix => within(p, prefix)))
  // A value that came out empty because its variable is unset is reported once, as unset.
  const emptied = missing.map(p => p.slice(0, p.indexOf(': ')))
  const all = [...missing, ...problems.filter(p => !emptied.some(path => within(p, path)))]
  if (all.length > 0) throw new ConfigError(file, all)
  return { ...hub.value, store: store!.value, queue: queue!.value, channels }
}

/** Reads, interpolates and validates a YAML config file. */
export async function loadConfig (file: string, plugins: PluginSchemas, env: NodeJS.ProcessEnv = process.env): Promise<HubConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message
    throw new ConfigError(file, [`${file}: ${reason}`])
  }
  let raw: unknown
  try {
    raw = parse(text)
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const where = err.linePos?.[0]
      throw new ConfigError(file, [`${file}${where !== undefined ? `:${where.line}:${where.col}` : ''}: invalid YAML (${err.code})`])
    }
    throw err
  }
  return validateConfig(raw, plugins, env, file)
}
