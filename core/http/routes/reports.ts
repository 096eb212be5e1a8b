import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { atLeast } from '../../agents/permissions.js'
import { HubError } from '../../errors.js'
import type { HubServices } from '../../services.js'
import { calendarFor } from '../../reports/calendar.js'
import { report, REPORT_TABLES, toCsv, type ReportQuery, type ReportTable } from '../../reports/report.js'
import { secured } from './common.js'

const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A date in the hub\'s time zone (reports.timeZone), YYYY-MM-DD' })
const Query = Type.Object({
  from: Type.Optional(LocalDate),
  to: Type.Optional(LocalDate),
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  team: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A team id, or `none` for conversations of every agent' })),
  agent: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  groupBy: Type.Enum(['hour', 'day', 'week'], { default: 'day' }),
  format: Type.Enum(['json', 'csv'], { default: 'json' })
}, { additionalProperties: false })
const Params = Type.Object({ table: Type.Enum([...REPORT_TABLES]) })
const Cell = Type.Union([Type.String(), Type.Number(), Type.Null()])
const ReportBody = Type.Object({
  table: Type.String(), from: Type.String(), to: Type.String(), timeZone: Type.String(), groupBy: Type.String(),
  columns: Type.Array(Type.String()),
  rows: Type.Array(Type.Record(Type.String(), Cell))
})

/** Longest range of a report, and of one grouped by hour (its rows are hours). */
const MAX_DAYS = 731
const MAX_HOURLY_DAYS = 31
const DAY = 86_400_000

const realDate = (d: string): boolean => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d
const invalid = (message: string): HubError => new HubError('invalid_report', message, 400)

/** Supervisors and admins read every figure; an agent reads their own. */
export async function reportRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Params: Static<typeof Params>, Querystring: Static<typeof Query> }>('/reports/:table', {
    schema: {
      tags: ['reports'],
      summary: 'A report table (summary, timeseries, agents, channels, teams, first-response) over local days, from the kept counters; format=csv downloads it',
      ...secured, params: Params, querystring: Query, response: { 200: ReportBody }
    }
  }, async (request, reply) => {
    const q = request.query
    const agent = request.agent!
    const to = q.to ?? calendarFor(s.config.reports.timeZone).local(s.clock().getTime()).date
    const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 6 * DAY).toISOString().slice(0, 10)
    for (const [name, d] of [['from', from], ['to', to]] as const) if (!realDate(d)) throw invalid(`${name}: ${d} is not a date; write it as YYYY-MM-DD.`)
    const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY + 1
    if (days < 1) throw invalid(`from (${from}) is after to (${to}); give the earlier date first.`)
    if (days > MAX_DAYS) throw invalid(`The range has ${days} days; a report covers at most ${MAX_DAYS}.`)
    if (q.groupBy === 'hour' && days > MAX_HOURLY_DAYS) throw invalid(`Grouped by hour a report covers at most ${MAX_HOURLY_DAYS} days (this one has ${days}); group by day or week.`)
    if (!atLeast(agent, 'supervisor') && q.agent !== undefined && q.agent !== agent.id) {
      throw new HubError('forbidden', 'Agents see their own figures only; ask a supervisor for the team\'s.', 403)
    }
    // A disabled channel's past figures stay readable.
    const configured = s.config.channels.map(c => c.id)
    if (q.channel !== undefined && !configured.includes(q.channel)) throw invalid(`channel: no channel "${q.channel}" is configured (channels: ${configured.join(', ')}).`)
    const query: ReportQuery = {
      from, to, groupBy: q.groupBy,
      ...(q.channel !== undefined ? { channelId: q.channel } : {}),
      ...(q.team !== undefined ? { teamId: q.team === 'none' ? null : q.team } : {}),
      ...(q.tag !== undefined ? { tag: q.tag } : {}),
      ...(atLeast(agent, 'supervisor') ? (q.agent !== undefined ? { agentId: q.agent } : {}) : { agentId: agent.id })
    }
    const table = request.params.table as ReportTable
    const names = new Map((await s.store.listAgents()).map(a => [a.id, a.name]))
    const result = await report(s.store, s.config.reports.timeZone, table, query, names)
    if (q.format === 'csv') {
      return await reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="omnihub-${table}-${from}-${to}.csv"`).send(toCsv(result))
    }
    return result
  })
}
