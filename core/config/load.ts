import { readFile } from 'node:fs/promises'
import { parse, YAMLParseError } from 'yaml'
import type { TSchema } from 'typebox'
import { HubError } from '../errors.js'
import { hoursProblems } from '../hours.js'
import { reportProblems } from '../reports/targets.js'
import { interpolate } from './interpolate.js'
import { check, formatPath } from './problems.js'
import {
  BullmqSettings, CHANNEL_BASE_KEYS, ChannelBase, DeskBase, HubSettings, InlineQueueSettings, MongoSettings, RESERVED_PREFIXES, SqliteSettings,
  type ChannelSettings, type DeskSettings, type HubConfig, type QueueSettings, type StoreSettings
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
interface PluginSchema { configSchema: TSchema, validate?: (settings: any) => string[] }

export interface PluginSchemas {
  get (name: string): PluginSchema | undefined
  names (): string[]
  desk (name: string): PluginSchema | undefined
  deskNames (): string[]
}

interface Block { id: string, plugin: string, enabled: boolean, settings: Record<string, unknown> }

/**
 * Checks a list of plugin blocks (channels or desks): the base fields, unique ids, a known
 * plugin, and the plugin's own settings. A disabled block may be half-filled (its secrets not
 * yet issued): its settings are checked only when it is on; its path goes to `off`.
 */
function checkBlocks<B extends Block> (list: Array<Record<string, unknown>>, options: {
  key: 'channels' | 'desks'
  base: TSchema
  baseKeys: string[]
  lookup: (plugin: string) => PluginSchema | undefined
  available: () => string[]
  problems: string[]
  off: string[]
}): B[] {
  const { key, problems } = options
  const blocks: B[] = []
  const seen = new Map<string, number>()
  list.forEach((block, i) => {
    const baseValues = Object.fromEntries(options.baseKeys.map(k => [k, block[k]]).filter(([, v]) => v !== undefined))
    const settings = Object.fromEntries(Object.entries(block).filter(([k]) => !options.baseKeys.includes(k)))
    const base = check<Omit<B, 'settings'>>(options.base, baseValues, [key, i])
    problems.push(...base.problems)
    const { id, plugin } = block
    if (typeof id === 'string') {
      const first = seen.get(id)
      if (first !== undefined) problems.push(`${formatPath([key, i, 'id'])}: duplicate ${key === 'channels' ? 'channel' : 'desk'} id "${id}" (also ${key}[${first}])`)
      else seen.set(id, i)
    }
    if (typeof plugin !== 'string') return
    const definition = options.lookup(plugin)
    if (definition === undefined) {
      problems.push(`${formatPath([key, i, 'plugin'])}: unknown plugin "${plugin}" (available: ${options.available().join(', ')})`)
      return
    }
    if (base.value.enabled === false) {
      options.off.push(`${key}[${i}]`)
      blocks.push({ ...base.value, settings } as B)
      return
    }
    const own = check<Record<string, unknown>>(definition.configSchema, settings, [key, i])
    problems.push(...own.problems)
    // Rules a schema cannot state (one of two fields required, say), once the shape is right.
    if (own.problems.length === 0) problems.push(...(definition.validate?.(own.value) ?? []).map(p => `${formatPath([key, i])}.${p}`))
    blocks.push({ ...base.value, settings: own.value } as B)
  })
  return blocks
}

const STORE_DRIVERS: Record<string, TSchema> = { sqlite: SqliteSettings, mongodb: MongoSettings }
const QUEUE_DRIVERS: Record<string, TSchema> = { inline: InlineQueueSettings, bullmq: BullmqSettings }

/** Validates an already-parsed config object; throws ConfigError listing every problem. */
export function validateConfig (raw: unknown, plugins: PluginSchemas, env: NodeJS.ProcessEnv = process.env, file = 'config'): HubConfig {
  const problems: string[] = []
  const unset: string[] = []
  const interpolated = interpolate(raw ?? {}, env, unset)
  const hub = check<HubConfig & { store: { driver: string }, queue: { driver: string }, channels: unknown, desks: unknown }>(HubSettings, interpolated, [])
  problems.push(...hub.problems)

  const storeSchema = STORE_DRIVERS[hub.value.store?.driver]
  const store = storeSchema !== undefined ? check<StoreSettings>(storeSchema, hub.value.store, ['store']) : undefined
  const queueSchema = QUEUE_DRIVERS[hub.value.queue?.driver]
  const queue = queueSchema !== undefined ? check<QueueSettings>(queueSchema, hub.value.queue, ['queue']) : undefined
  problems.push(...(store?.problems ?? []), ...(queue?.problems ?? []))

  const off: string[] = []
  const listOf = (value: unknown): Array<Record<string, unknown>> => Array.isArray(value) ? value : []
  const channels = checkBlocks<ChannelSettings & Block>(listOf(hub.value.channels), {
    key: 'channels', base: ChannelBase, baseKeys: CHANNEL_BASE_KEYS, lookup: p => plugins.get(p), available: () => plugins.names(), problems, off
  })
  const desks = checkBlocks<DeskSettings>(listOf(hub.value.desks), {
    key: 'desks', base: DeskBase, baseKeys: ['id', 'plugin', 'enabled'], lookup: p => plugins.desk(p), available: () => plugins.deskNames(), problems, off
  })
  channels.forEach((channel, i) => problems.push(...hoursProblems(channel.autoReplies?.businessHours, `channels[${i}].autoReplies.businessHours`)))
  problems.push(...reportProblems(hub.value.reports, channels.map(c => c.id)))
  desks.forEach((desk, i) => {
    if (RESERVED_PREFIXES.includes(desk.id)) problems.push(`desks[${i}].id: "${desk.id}" is a path the hub itself serves; choose another id (the desk's routes are mounted at /<id>/)`)
  })

  // Unset variables count everywhere except inside a disabled channel's or desk's block.
  const within = (problem: string, prefix: string): boolean => problem.startsWith(prefix + '.') || problem.startsWith(prefix + ':')
  const missing = unset.filter(p => !off.some(prefix => within(p, prefix)))
  // A value that came out empty because its variable is unset is reported once, as unset.
  const emptied = missing.map(p => p.slice(0, p.indexOf(': ')))
  const all = [...missing, ...problems.filter(p => !emptied.some(path => within(p, path)))]
  if (all.length > 0) throw new ConfigError(file, all)
  return { ...hub.value, store: store!.value, queue: queue!.value, channels, desks }
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
