/**
 * What the store refuses, in its own words: no HTTP statuses here. The pipeline's
 * `userError` (core/pipeline/store-errors.ts) turns each code into the error a user sees.
 */
export type StoreErrorCode =
  | 'not_found'
  | 'conversation_closed'
  | 'conversation_open_elsewhere'
  | 'phrase_code_taken'
  | 'agent_exists'
  | 'team_exists'
  | 'invalid_cursor'
  | 'store_too_new'

export class StoreError extends Error {
  readonly code: StoreErrorCode
  /** What the refusal is about: an entity kind for not_found, else the id, code, email or path in question. */
  readonly subject: string
  /** The id that was not found (not_found only). */
  readonly id: string | null

  constructor (code: StoreErrorCode, subject: string, id: string | null = null) {
    super(`${code}: ${subject}${id !== null ? ` ${id}` : ''}`)
    this.name = 'StoreError'
    this.code = code
    this.subject = subject
    this.id = id
  }
}

export const storeNotFound = (entity: string, id: string): StoreError => new StoreError('not_found', entity, id)
export const storeConflict = (code: Exclude<StoreErrorCode, 'not_found'>, subject: string): StoreError => new StoreError(code, subject)
