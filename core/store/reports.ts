/**
 * The reports' counters: per hour (and again per day in the hub's time zone) × channel × team
 * × agent × tag × measure, a count of events and the sum of their values (milliseconds,
 * scores). Reports add them up instead of scanning messages; a year read by the day is at most
 * 366 rows per channel, team, agent and measure, whatever the traffic. `tag` '' is the untagged
 * total; each event of a tagged conversation is also counted once under each of its tags.
 */
export interface ReportStore {
  /** Adds to the counters (negative counts take back what was added); a counter back at zero is removed. */
  addReportCounts (counts: ReportCount[]): Promise<void>
  /** The counters of `filter`'s range, summed per hour, measure and the dimensions in `by`. */
  readReportCounts (filter: ReportFilter, by: ReportDimension[]): Promise<ReportCount[]>
  /** Every counter of these measures, each tag's included, unsummed: what a rebuild compares. */
  listReportCounts (measures: readonly string[]): Promise<ReportCount[]>
  /** A rebuild: every counter of these measures is replaced by `counts`. */
  replaceReportCounts (measures: readonly string[], counts: ReportCount[]): Promise<void>
}

export type ReportDimension = 'channel' | 'team' | 'agent'

export interface ReportCount {
  /** 1: an hour's counter; 24: a local day's (the hub's time zone), its `hour` the one its midnight falls in. */
  span: Span
  /** Hours since the epoch (UTC) where the counter's hour or day begins. */
  hour: number
  /** In a read, dimensions not asked for are null. */
  channelId: string | null
  teamId: string | null
  agentId: string | null
  tag: string
  measure: string
  count: number
  sum: number
}

export type Span = 1 | 24

export interface ReportFilter {
  /** Hour counters, or day counters (for ranges of whole local days). */
  span: Span
  /** Hours since the epoch: from inclusive, to exclusive. */
  fromHour: number
  toHour: number
  channelId?: string
  /** '' or absent for every conversation; a tag for those carrying it. */
  tag?: string
  /** null: conversations served by every agent (no team). */
  teamId?: string | null
  agentId?: string
}

export const HOUR_MS = 3_600_000
export const hourOf = (at: Date): number => Math.floor(at.getTime() / HOUR_MS)
