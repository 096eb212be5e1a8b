import { HubError } from '../errors.js'

/** The earliest time a channel may say a message was written; anything before is a unit mistake or garbage. */
const EARLIEST = Date.UTC(2000, 0, 1)
/** Clocks drift; a message "from tomorrow" is not one. */
const LATEST_AHEAD_MS = 24 * 3600_000

/** Why a channel's time for a message cannot be right, naming the field; null when it can. */
export function sentAtProblem (sentAt: Date, now: Date, field: string): string | null {
  const ms = sentAt.getTime()
  if (Number.isNaN(ms) || ms < EARLIEST || ms > now.getTime() + LATEST_AHEAD_MS) return `${field}: must be a time between 2000-01-01 and a day from now (milliseconds since 1970, or ISO 8601)`
  return null
}

/** The backstop in ingest for every channel: a time out of range is refused, never stored as null. */
export function checkSentAt (sentAt: Date, now: Date): void {
  const problem = sentAtProblem(sentAt, now, 'sentAt')
  if (problem !== null) throw new HubError('invalid_timestamp', `The channel gave this message an impossible time (${problem}).`, 400, { field: 'sentAt' })
}
