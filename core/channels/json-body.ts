import { isUtf8 } from 'node:buffer'
import { HubError } from '../errors.js'

export const invalidEncoding = (): HubError =>
  new HubError('invalid_encoding', 'The body is not valid UTF-8; send JSON encoded as UTF-8.', 400)

/**
 * A request body as JSON. Invalid UTF-8 is refused, not decoded with replacement characters:
 * two ids that differ in one invalid byte would otherwise become one, and a message be lost
 * as a "duplicate".
 */
export function parseJsonBody (raw: Buffer): { ok: true, value: unknown } | { ok: false, error: HubError } {
  if (!isUtf8(raw)) return { ok: false, error: invalidEncoding() }
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown }
  } catch {
    return { ok: false, error: new HubError('invalid_json', 'The body is not valid JSON.', 400) }
  }
}
