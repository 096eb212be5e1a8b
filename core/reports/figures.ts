import { BUCKET_MEASURES, FIRST_RESPONSE_BUCKETS } from './measures.js'

/** Counters summed over some cut: measure → how many, and the sum of their values. */
export type Tally = Map<string, { count: number, sum: number }>

export function add (tally: Tally, measure: string, count: number, sum: number): void {
  const t = tally.get(measure)
  if (t === undefined) tally.set(measure, { count, sum })
  else { t.count += count; t.sum += sum }
}

/** One row of a report: the README's *Reports* defines each figure. Times in milliseconds; null: nothing to measure. */
export interface Figures {
  opened: number
  closed: number
  reopened: number
  customerMessages: number
  replies: number
  firstResponses: number
  firstResponseAvgMs: number | null
  responseAvgMs: number | null
  answered: number
  answeredInTarget: number
  /** Of the customer messages that waited for a person; per agent, of those the agent answered. */
  responseRate: number | null
  resolutionAvgMs: number | null
  robotHandled: number
  queueWaitAvgMs: number | null
  ratings: number
  ratingAvg: number | null
  satisfiedRate: number | null
  slaBreaches: number
}

export const FIGURE_COLUMNS: Array<keyof Figures> = [
  'opened', 'closed', 'reopened', 'customerMessages', 'replies', 'firstResponses', 'firstResponseAvgMs', 'responseAvgMs', 'answered', 'answeredInTarget',
  'responseRate', 'resolutionAvgMs', 'robotHandled', 'queueWaitAvgMs', 'ratings', 'ratingAvg', 'satisfiedRate', 'slaBreaches'
]

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits
const ratio = (part: number, whole: number): number | null => whole > 0 ? round(part / whole, 4) : null
const average = (t: { count: number, sum: number } | undefined, digits = 0): number | null => t === undefined || t.count <= 0 ? null : round(t.sum / t.count, digits)

/** The figures of a tally; `perAgent`: the response rate is over the messages the agent answered. */
export function figuresOf (tally: Tally, perAgent = false): Figures {
  const n = (measure: string): number => tally.get(measure)?.count ?? 0
  const awaited = n('inbound') - n('robot_answered')
  return {
    opened: n('opened'),
    closed: n('closed'),
    reopened: n('reopened'),
    customerMessages: n('inbound'),
    replies: n('replies'),
    firstResponses: n('first_response'),
    firstResponseAvgMs: average(tally.get('first_response')),
    responseAvgMs: average(tally.get('response')),
    answered: n('answered'),
    answeredInTarget: n('answered_in_target'),
    responseRate: ratio(n('answered_in_target'), perAgent ? n('answered') : awaited),
    resolutionAvgMs: average(tally.get('resolution')),
    robotHandled: Math.max(0, n('robot_taken') - n('robot_handoff')),
    queueWaitAvgMs: average(tally.get('queue_wait')),
    ratings: n('rated'),
    ratingAvg: average(tally.get('rated'), 2),
    satisfiedRate: ratio(n('rated_satisfied'), n('rated')),
    slaBreaches: n('sla_breach')
  }
}

export interface FirstResponseBucket {
  /** The bucket's upper bound in seconds; null: above the last. */
  upToSeconds: number | null
  count: number
  share: number | null
}

export function firstResponseDistribution (tally: Tally): FirstResponseBucket[] {
  const counts = BUCKET_MEASURES.map(m => tally.get(m)?.count ?? 0)
  const total = counts.reduce((a, b) => a + b, 0)
  return counts.map((count, i) => ({ upToSeconds: FIRST_RESPONSE_BUCKETS[i] ?? null, count, share: ratio(count, total) }))
}
