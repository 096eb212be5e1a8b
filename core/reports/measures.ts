/**
 * What the reports count. Each measure is a counter (how many) with a sum (of milliseconds, or
 * of scores for ratings); the README defines each figure built from them in one sentence.
 */

/** Counted from the messages themselves: `omnihub reports rebuild` recomputes these. */
export const MESSAGE_MEASURES = [
  'opened', 'inbound', 'replies', 'first_response', 'response', 'answered', 'answered_in_target', 'robot_answered'
] as const

/** First response times are also counted in these buckets (upper bounds in seconds; the last is open). */
export const FIRST_RESPONSE_BUCKETS = [60, 180, 300, 900, 3600, 4 * 3600, 24 * 3600] as const
export const bucketMeasure = (i: number): BucketMeasure => `first_response_bucket:${i}`
type BucketMeasure = `first_response_bucket:${number}`
export const BUCKET_MEASURES = Array.from({ length: FIRST_RESPONSE_BUCKETS.length + 1 }, (_, i) => bucketMeasure(i))

/** Counted as they happen, and only then: no message records them, so a rebuild keeps them. */
export const LIFECYCLE_MEASURES = [
  'closed', 'resolution', 'reopened', 'queue_wait', 'robot_taken', 'robot_handoff', 'rated', 'rated_satisfied', 'sla_breach'
] as const

export const REBUILT_MEASURES: readonly string[] = [...MESSAGE_MEASURES, ...BUCKET_MEASURES]

/** Every measure a fact may have: a typo in a count is a compile error, not a figure that stays at zero. */
export type Measure = typeof MESSAGE_MEASURES[number] | typeof LIFECYCLE_MEASURES[number] | BucketMeasure

/** One thing that happened, as the reports count it; channel, team and tags come with it. */
export interface Fact {
  measure: Measure
  at: Date
  channelId: string
  agentId: string | null
  /** Added to the counter's sum: milliseconds, or a score. */
  value: number
  /** 1, or -1 to take a fact back (a rating replaced). */
  count?: number
}
