/**
 * An error a user can meet: a stable `code` for programs, a sentence a person can act on,
 * and the HTTP status it maps to. Anything else that escapes is a bug and is logged, not shown.
 */
export class HubError extends Error {
  readonly code: string
  readonly status: number
  readonly details: Record<string, unknown>

  constructor (code: string, message: string, status = 400, details: Record<string, unknown> = {}) {
    super(message)
    this.name = 'HubError'
    this.code = code
    this.status = status
    this.details = details
  }

  toJSON (): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.details }
  }
}

export const notFound = (what: string, id: string): HubError =>
  new HubError('not_found', `No ${what} with id ${id}.`, 404)

/**
 * Thrown by `send`. `retryable` says whether trying again can help (a timeout, a 5xx,
 * a rate limit) or not (a 4xx, a closed window); `retryAfterMs` honours the remote's wish.
 */
export class ChannelSendError extends Error {
  readonly code: string
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined

  constructor (code: string, message: string, options: { retryable: boolean, retryAfterMs?: number, cause?: unknown }) {
    super(message, { cause: options.cause })
    this.name = 'ChannelSendError'
    this.code = code
    this.retryable = options.retryable
    this.retryAfterMs = options.retryAfterMs
  }
}
