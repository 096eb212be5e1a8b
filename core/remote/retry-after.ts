/** The longest wait a remote's Retry-After may ask for; anything longer is capped to it. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000

/**
 * Retry-After in either of its forms (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Undefined when absent, unreadable or already past; never above MAX_RETRY_AFTER_MS (a huge
 * value would otherwise overflow the timer and fire at once).
 */
export function retryAfterMs (header: string | null, now: Date): number | undefined {
  if (header === null) return undefined
  const value = header.trim()
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now.getTime()
  if (!Number.isFinite(ms) || ms <= 0) return undefined
  return Math.min(ms, MAX_RETRY_AFTER_MS)
}

/** Statuses after which the same request may succeed later: timeout, too early, rate limited, the server's fault. */
export const retryableStatus = (status: number): boolean => status === 408 || status === 425 || status === 429 || status >= 500
