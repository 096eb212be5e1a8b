import type { ReportCount, ReportDimension, ReportFilter, ReportStore, Span } from '../reports.js'
import { SqlitePart } from './connection.js'

const COLUMN: Record<ReportDimension, string> = { channel: 'channel_id', team: 'team_id', agent: 'agent_id' }
const UPSERT = `INSERT INTO report_counts (span, tag, hour, channel_id, team_id, agent_id, measure, count, sum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (span, tag, hour, channel_id, team_id, agent_id, measure) DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum`
const DROP_ZERO = 'DELETE FROM report_counts WHERE span = ? AND tag = ? AND hour = ? AND channel_id = ? AND team_id = ? AND agent_id = ? AND measure = ? AND count = 0 AND sum = 0'

/** Keys are NOT NULL so the primary key is one: no team or agent is ''. */
const key = (c: ReportCount): unknown[] => [c.span, c.tag, c.hour, c.channelId ?? '', c.teamId ?? '', c.agentId ?? '', c.measure]

export class SqliteReports extends SqlitePart implements ReportStore {
  async addReportCounts (counts: ReportCount[]): Promise<void> {
    if (counts.length === 0) return
    await this.db.write(() => {
      for (const c of counts) {
        this.db.sql(UPSERT).run(...key(c), c.count, c.sum)
        if (c.count < 0) this.db.sql(DROP_ZERO).run(...key(c))
      }
    })
  }

  async readReportCounts (filter: ReportFilter, by: ReportDimension[]): Promise<ReportCount[]> {
    const where = ['span = ?', 'tag = ?', 'hour >= ?', 'hour < ?']
    const args: unknown[] = [filter.span, filter.tag ?? '', filter.fromHour, filter.toHour]
    if (filter.channelId !== undefined) { where.push('channel_id = ?'); args.push(filter.channelId) }
    if (filter.teamId !== undefined) { where.push('team_id = ?'); args.push(filter.teamId ?? '') }
    if (filter.agentId !== undefined) { where.push('agent_id = ?'); args.push(filter.agentId) }
    const dims = by.map(d => COLUMN[d])
    const rows = this.db.sql(`SELECT hour, ${[...dims, 'measure'].join(', ')}, SUM(count) AS count, SUM(sum) AS sum FROM report_counts
      WHERE ${where.join(' AND ')} GROUP BY hour, ${[...dims, 'measure'].join(', ')}`).all(...args) as Array<Record<string, string | number>>
    const tag = filter.tag ?? ''
    return rows.map(r => ({
      span: filter.span,
      hour: r.hour as number,
      channelId: by.includes('channel') ? r.channel_id as string : null,
      teamId: by.includes('team') && r.team_id !== '' ? r.team_id as string : null,
      agentId: by.includes('agent') && r.agent_id !== '' ? r.agent_id as string : null,
      tag,
      measure: r.measure as string,
      count: r.count as number,
      sum: r.sum as number
    }))
  }

  async listReportCounts (measures: readonly string[]): Promise<ReportCount[]> {
    const rows = this.db.sql(`SELECT * FROM report_counts WHERE measure IN (SELECT value FROM json_each(?))`).all(JSON.stringify(measures)) as Array<Record<string, string | number>>
    return rows.map(r => ({
      span: r.span as Span, hour: r.hour as number, channelId: r.channel_id as string, teamId: r.team_id === '' ? null : r.team_id as string, agentId: r.agent_id === '' ? null : r.agent_id as string,
      tag: r.tag as string, measure: r.measure as string, count: r.count as number, sum: r.sum as number
    }))
  }

  async replaceReportCounts (measures: readonly string[], counts: ReportCount[]): Promise<void> {
    await this.db.write(() => {
      this.db.sql(`DELETE FROM report_counts WHERE measure IN (${measures.map(() => '?').join(', ')})`).run(...measures)
      for (const c of counts) this.db.sql(UPSERT).run(...key(c), c.count, c.sum)
    })
  }
}
