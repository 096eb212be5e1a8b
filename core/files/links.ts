import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { fileKeyOf, plainUrl } from './files.js'

const FILE_URL = /(?<=^|["'(\s=])\/files\/[0-9a-f]{40}\/[^"'\s)?#<>]*(\?[^"'\s)#<>]*)?/g
const EXACT = /^\/files\/[0-9a-f]{40}\/[^"'\s)?#<>]*(\?[^"'\s)#<>]*)?$/
/** Keys whose string value is a URL: signed when it is the hub's. */
const URL_KEYS = new Set(['url', 'avatarUrl', 'imageUrl'])

export type LinkCheck = 'ok' | 'expired' | 'invalid'

/**
 * Signed, expiring file links. Messages keep the plain `/files/<key>/<name>`; whatever shows
 * them (the agents' API and stream, a visitor's socket) hands out `?exp=&sig=` links instead,
 * so a URL copied out of a page stops working after `ttlSeconds`. Expiries are rounded up to a
 * bucket: a file gets the same link for a while, which browsers can cache.
 */
export class FileLinks {
  private readonly bucketSeconds: number

  constructor (private readonly secret: Buffer, private readonly ttlSeconds: number) {
    this.bucketSeconds = Math.max(1, Math.min(3600, Math.floor(ttlSeconds / 4)))
  }

  /** The secret each hub process must share: from config, else made once and kept in the store. */
  static newSecret (): string {
    return randomBytes(32).toString('base64url')
  }

  private signature (key: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`${key}.${exp}`).digest('base64url')
  }

  /** A signed link for a hub file URL; any other URL is returned as it is. */
  sign (url: string, now: Date): string {
    const key = fileKeyOf(url)
    if (key === null) return url
    const exp = Math.ceil((now.getTime() / 1000 + this.ttlSeconds) / this.bucketSeconds) * this.bucketSeconds
    return `${plainUrl(url)}?exp=${exp}&sig=${this.signature(key, exp)}`
  }

  check (key: string, exp: string | undefined, sig: string | undefined, now: Date): LinkCheck {
    if (exp === undefined || sig === undefined || !/^\d{1,12}$/.test(exp)) return 'invalid'
    const expected = Buffer.from(this.signature(key, Number(exp)))
    const given = Buffer.from(sig)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid'
    return Number(exp) * 1000 < now.getTime() ? 'expired' : 'ok'
  }

  /** A copy of a response or event with every hub file URL in it signed (attachments, avatars, email HTML). */
  signDeep<T> (value: T, now: Date): T {
    const walk = (v: unknown, key: string | null): unknown => {
      if (typeof v === 'string') {
        if (key !== null && URL_KEYS.has(key) && EXACT.test(v)) return this.sign(v, now)
        return key === 'html' ? v.replace(FILE_URL, url => this.sign(url, now)) : v
      }
      if (Array.isArray(v)) return v.map(item => walk(item, null))
      if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
        return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, k)]))
      }
      return v
    }
    return walk(value, null) as T
  }
}
