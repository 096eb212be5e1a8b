import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { MarketplaceProfile } from './profile.js'

const HERE = fileURLToPath(new URL('./profiles/', import.meta.url))

/**
 * Where a profile lives: a name is a file in this plugin's profiles/ folder (compiled .js, or .ts
 * when running from source); a path (./…, /…) is any module of the same shape, e.g. one a team
 * keeps outside the hub's tree.
 */
export function profileFile (profile: string): string | null {
  if (profile.startsWith('.') || isAbsolute(profile)) {
    const path = resolve(profile)
    return existsSync(path) ? path : null
  }
  if (!/^[a-z0-9-]+$/.test(profile)) return null
  return ['.js', '.ts'].map(ext => `${HERE}${profile}${ext}`).find(existsSync) ?? null
}

export async function loadProfile (profile: string): Promise<MarketplaceProfile> {
  const file = profileFile(profile)
  if (file === null) throw new Error(`unknown marketplace profile "${profile}"`)
  const loaded = (await import(pathToFileURL(file).href) as { default?: MarketplaceProfile }).default
  for (const key of ['name', 'verifyPush', 'parsePush', 'send', 'catchUp'] as const) {
    if (loaded?.[key] === undefined) throw new Error(`${file} does not export a marketplace profile (missing ${key}); see plugins/marketplace/README.md`)
  }
  return loaded!
}
