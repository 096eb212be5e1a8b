import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * `sha256=<hex HMAC-SHA256(secret, body)>`: how the api channel and Meta's webhooks
 * (X-Hub-Signature-256) sign a body.
 */
export function sign (secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** Timing-safe check of a signature header against the raw body. */
export function verify (secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined) return false
  const expected = Buffer.from(sign(secret, body))
  const given = Buffer.from(header.trim())
  return given.length === expected.length && timingSafeEqual(given, expected)
}
