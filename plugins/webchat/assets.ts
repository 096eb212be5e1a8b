import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The widget bundle built by `npm run build` (scripts/build-web.mjs): beside this module once
 * compiled (dist/plugins/webchat), or in dist/ when running from source (tests).
 */
const CANDIDATES = ['./widget.js', '../../dist/plugins/webchat/widget.js'].map(p => fileURLToPath(new URL(p, import.meta.url)))

export interface Bundle { code: Buffer, etag: string }

let cached: Bundle | null | undefined

export function widgetBundle (): Bundle | null {
  if (cached !== undefined) return cached
  const path = CANDIDATES.find(p => existsSync(p))
  if (path === undefined) return (cached = null)
  const code = readFileSync(path)
  return (cached = { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 16)}"` })
}
