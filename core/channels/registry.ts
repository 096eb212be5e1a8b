import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { PluginSchemas } from '../config/index.js'
import type { DeskPluginDefinition } from '../desks/contract.js'
import type { ChannelPluginDefinition } from './contract.js'

type AnyPlugin = ChannelPluginDefinition | DeskPluginDefinition

/** plugins/ beside core/: the source tree under tests, dist/plugins once built. */
export const DEFAULT_PLUGINS_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url))

function entryOf (folder: string): string | undefined {
  return ['index.js', 'index.ts'].map(f => join(folder, f)).find(f => existsSync(f))
}

/**
 * Every folder of plugins/ with an index module is a plugin: a channel (defineChannel) or an
 * agents' desk (defineDesk). Adding one is adding a folder, and the core never names one.
 */
export class PluginRegistry implements PluginSchemas {
  private readonly definitions = new Map<string, ChannelPluginDefinition>()
  private readonly desks = new Map<string, DeskPluginDefinition>()

  private constructor (plugins: AnyPlugin[]) {
    for (const plugin of plugins) {
      if ('kind' in plugin && plugin.kind === 'desk') this.desks.set(plugin.name, plugin)
      else this.definitions.set(plugin.name, plugin as ChannelPluginDefinition)
    }
  }

  static async load (dir = DEFAULT_PLUGINS_DIR): Promise<PluginRegistry> {
    const plugins: AnyPlugin[] = []
    const folders = readdirSync(dir, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name).sort()
    for (const folder of folders) {
      const entry = entryOf(join(dir, folder))
      if (entry === undefined) continue
      const module = await import(pathToFileURL(entry).href) as { default?: AnyPlugin }
      const definition = module.default
      if (definition === undefined || typeof definition.create !== 'function' || typeof definition.name !== 'string') {
        throw new Error(`plugins/${folder}: the index module must export default defineChannel({...}) or defineDesk({...})`)
      }
      plugins.push(definition)
    }
    return new PluginRegistry(plugins)
  }

  static of (plugins: AnyPlugin[]): PluginRegistry {
    return new PluginRegistry(plugins)
  }

  get (name: string): ChannelPluginDefinition | undefined {
    return this.definitions.get(name)
  }

  names (): string[] {
    return [...this.definitions.keys()]
  }

  /** Every plugin, channels and desks. */
  all (): AnyPlugin[] {
    return [...this.definitions.values(), ...this.desks.values()]
  }

  desk (name: string): DeskPluginDefinition | undefined {
    return this.desks.get(name)
  }

  deskNames (): string[] {
    return [...this.desks.keys()]
  }
}
