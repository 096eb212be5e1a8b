import { HOUR_MS, type ReportCount, type ReportDimension, type ReportFilter, type Span, type Store } from '../store/index.js'
import { Calendar, calendarFor } from './calendar.js'
import { add, FIGURE_COLUMNS, figuresOf, firstResponseDistribution, type Tally } from './figures.js'

export const REPORT_TABLES = ['summary', 'timeseries', 'agents', 'channels', 'teams', 'first-response'] as const
export type ReportTable = typeof REPORT_TABLES[number]
export type Grouping = 'hour' | 'day' | 'week'

export interface ReportQuery {
  /** Local dates (YYYY-MM-DD) in the hub's time zone, both included. */
  from: string
  to: string
  channelId?: string
  /** null: conversations served by every agent. */
  teamId?: string | null
  agentId?: string
  tag?: string
  groupBy: Grouping
}

export interface Report {
  table: ReportTable
  from: string
  to: string
  timeZone: string
  groupBy: Grouping
  columns: string[]
  rows: Array<Record<string, string | number | null>>
}

const BY: Partial<Record<ReportTable, ReportDimension>> = { agents: 'agent', channels: 'channel', teams: 'team' }
const KEY: Record<ReportDimension, 'agentId' | 'channelId' | 'teamId'> = { agent: 'agentId', channel: 'channelId', team: 'teamId' }

/**
 * The counters of a local date range: its days' (keyed by the hour each midnight falls in), or
 * for hourly figures its hours, from its first midnight to the one after its last day.
 */
export function rangeOf (calendar: Calendar, from: string, to: string, span: Span): { span: Span, fromHour: number, toHour: number } {
  const end = calendar.startOf(Calendar.next(to)) / HOUR_MS
  return { span, fromHour: Math.floor(calendar.startOf(from) / HOUR_MS), toHour: span === 24 ? Math.floor(end) : Math.ceil(end) }
}

/** The bucket an hour falls in: its local hour, day, or the Monday its week begins. */
function bucketer (calendar: Calendar, groupBy: Grouping): (hour: number) => string {
  const seen = new Map<number, string>()
  // A day's key is the hour its midnight falls in: its noon names the date, in any zone.
  const into = groupBy === 'hour' ? 0 : 12 * HOUR_MS
  return hour => {
    let label = seen.get(hour)
    if (label === undefined) {
      const l = calendar.local(hour * HOUR_MS + into)
      label = groupBy === 'hour'
        ? `${l.date} ${String(l.hour).padStart(2, '0')}:00`
        : groupBy === 'day'
          ? l.date
          : new Date(Date.parse(`${l.date}T00:00:00Z`) - ((l.weekday + 6) % 7) * 86_400_000).toISOString().slice(0, 10)
      seen.set(hour, label)
    }
    return label
  }
}

function tallies (rows: ReportCount[], keyOf: (r: ReportCount) => string): Map<string, Tally> {
  const out = new Map<string, Tally>()
  for (const r of rows) {
    const key = keyOf(r)
    let tally = out.get(key)
    if (tally === undefined) { tally = new Map(); out.set(key, tally) }
    add(tally, r.measure, r.count, r.sum)
  }
  return out
}

/**
 * One table of the reports, from the kept counters only: a year is at most 8,784 hours of rows
 * per measure and dimension, whatever the number of messages.
 */
export async function report (store: Pick<Store, 'readReportCounts'>, timeZone: string, table: ReportTable, query: ReportQuery, agentNames: Map<string, string>): Promise<Report> {
  const calendar = calendarFor(timeZone)
  // Only hourly figures read hour counters; everything else reads a range's days.
  const filter: ReportFilter = {
    ...rangeOf(calendar, query.from, query.to, table === 'timeseries' && query.groupBy === 'hour' ? 1 : 24),
    ...(query.channelId !== undefined ? { channelId: query.channelId } : {}),
    ...(query.teamId !== undefined ? { teamId: query.teamId } : {}),
    ...(query.agentId !== undefined ? { agentId: query.agentId } : {}),
    ...(query.tag !== undefined ? { tag: query.tag } : {})
  }
  const dimension = BY[table]
  const rows = await store.readReportCounts(filter, dimension !== undefined ? [dimension] : [])
  const head = { table, from: query.from, to: query.to, timeZone, groupBy: query.groupBy }
  if (table === 'first-response') {
    const distribution = firstResponseDistribution(tallies(rows, () => '').get('') ?? new Map())
    return { ...head, columns: ['upToSeconds', 'count', 'share'], rows: distribution.map(b => ({ ...b })) }
  }
  if (table === 'timeseries') {
    const bucket = bucketer(calendar, query.groupBy)
    const byBucket = tallies(rows, r => bucket(r.hour))
    const perAgent = query.agentId !== undefined
    return {
      ...head,
      columns: ['bucket', ...FIGURE_COLUMNS],
      rows: [...byBucket.keys()].sort().map(key => ({ bucket: key, ...figuresOf(byBucket.get(key)!, perAgent) }))
    }
  }
  if (dimension !== undefined) {
    const key = KEY[dimension]
    const byKey = tallies(rows, r => r[key] ?? '')
    const named = dimension === 'agent'
    return {
      ...head,
      columns: [key, ...(named ? ['agentName'] : []), ...FIGURE_COLUMNS],
      // Figures of no agent (customers' messages) or no team come last.
      rows: [...byKey.keys()].sort((a, b) => a === '' ? 1 : b === '' ? -1 : a < b ? -1 : 1).map(id => ({
        [key]: id === '' ? null : id,
        ...(named ? { agentName: id === '' ? null : agentNames.get(id) ?? null } : {}),
        ...figuresOf(byKey.get(id)!, named)
      }))
    }
  }
  return { ...head, columns: [...FIGURE_COLUMNS], rows: [{ ...figuresOf(tallies(rows, () => '').get('') ?? new Map(), query.agentId !== undefined) }] }
}

const cell = (v: string | number | null): string => {
  if (v === null) return ''
  const text = String(v)
  const safe = typeof v === 'string' && /^[=+\-@]/.test(text) ? `'${text}` : text
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** A report as CSV: the columns as the header, one line per row (a text cell that would read as a formula starts with an apostrophe). */
export const toCsv = (r: Report): string => [r.columns.join(','), ...r.rows.map(row => r.columns.map(c => cell(row[c] ?? null)).join(','))].join('\r\n') + '\r\n'
