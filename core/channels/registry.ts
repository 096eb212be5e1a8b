import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { PluginSchemas } from '../config/index.js'
import type { ChannelPluginDefinition } from './contract.js'

/** plugins/ beside core/: the source tree under tests, dist/plugins once built. */
export const DEFAULT_PLUGINS_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url))

function entryOf (folder: string): string | undefined {
  return ['index.js', 'index.ts'].map(f => join(folder, f)).find(f => existsSync(f))
}

/**
 * Every folder of plugins/ with an index module is a channel plugin: adding a channel is
 * adding a folder, and the core never names one.
 */
export class PluginRegistry implements PluginSchemas {
  private constructor (private readonly definitions: Map<string, ChannelPluginDefinition>) {}

  static async load (dir = DEFAULT_PLUGINS_DIR): Promise<PluginRegistry> {
    const definitions = new Map<string, ChannelPluginDefinition>()
    const folders = readdirSync(dir, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name).sort()
    for (const folder of folders) {
      const entry = entryOf(join(dir, folder))
      if (entry === undefined) continue
      const module = await import(pathToFileURL(entry).href) as { default?: ChannelPluginDefinition }
      const definition = module.default
      if (definition === undefined || typeof definition.create !== 'function' || typeof definition.name !== 'string') {
        throw new Error(`plugins/${folder}: the index module must export default defineChannel({...})`)
      }
      definitions.set(definition.name, definition)
    }
    return new PluginRegistry(definitions)
  }

  static of (definitions: ChannelPluginDefinition[]): PluginRegistry {
    return new PluginRegistry(new Map(definitions.map(d => [d.name, d])))
  }

  get (name: string): ChannelPluginDefinition | undefined {
    return this.definitions.get(name)
  }

  names (): string[] {
    return [...this.definitions.keys()]
  }
}
