import { HubError } from '../errors.js'

/** Opaque page cursors: base64url of the sort key parts. */
export function encodeCursor (parts: Array<string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url')
}

export function decodeCursor (cursor: string, arity: number): Array<string | number> {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(parts) && parts.length === arity && parts.every(p => typeof p === 'string' || typeof p === 'number')) return parts
  } catch {}
  throw new HubError('invalid_cursor', 'The cursor is not one this API returned; start again without it.', 400)
}
