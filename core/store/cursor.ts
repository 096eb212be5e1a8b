import { storeConflict } from './errors.js'

export interface Page<T> {
  items: T[]
  /** Pass back to get the next page; null when there is none. */
  nextCursor: string | null
}

/** Opaque page cursors: base64url of the sort key parts. */
export function encodeCursor (parts: Array<string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url')
}

export function decodeCursor (cursor: string, arity: number): Array<string | number> {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(parts) && parts.length === arity && parts.every(p => typeof p === 'string' || typeof p === 'number')) return parts
  } catch {}
  throw storeConflict('invalid_cursor', 'cursor')
}

/** A page keyed by id from `limit + 1` rows read in order: the extra one says whether there is a next page. */
export function pageById<R, T extends { id: string }> (rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit).map(map)
  return { items, nextCursor: rows.length > limit ? encodeCursor([items.at(-1)!.id]) : null }
}
