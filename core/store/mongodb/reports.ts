import type { ReportCount, ReportDimension, ReportFilter, ReportStore } from '../reports.js'
import { isDuplicateKey, MongoPart } from './connection.js'

interface WriteError { index: number, code: number }

const FIELD: Record<ReportDimension, 'channelId' | 'teamId' | 'agentId'> = { channel: 'channelId', team: 'teamId', agent: 'agentId' }

/** The unique key of a counter ('' for no team or agent, as in sqlite). */
const key = (c: ReportCount): Record<string, string | number> => ({ span: c.span, tag: c.tag, hour: c.hour, channelId: c.channelId ?? '', teamId: c.teamId ?? '', agentId: c.agentId ?? '', measure: c.measure })

/**
 * Counters are upserted with $inc, unordered: two processes creating the same counter at once
 * meet the unique index, and the loser's increment is applied again as a plain update.
 */
export class MongoReports extends MongoPart implements ReportStore {
  async addReportCounts (counts: ReportCount[]): Promise<void> {
    if (counts.length === 0) return
    const ops = counts.map(c => ({ updateOne: { filter: key(c), update: { $inc: { count: c.count, sum: c.sum } }, upsert: true } }))
    await this.m.ReportCount.bulkWrite(ops, { ordered: false }).catch(async (err: { writeErrors?: WriteError | WriteError[] }) => {
      // The driver gives one write error alone, several as an array.
      const lost = err.writeErrors === undefined ? [] : [err.writeErrors].flat()
      if (lost.length === 0 || lost.some(e => !isDuplicateKey(e))) throw err as Error
      await this.m.ReportCount.bulkWrite(lost.map(e => ({ updateOne: { ...ops[e.index]!.updateOne, upsert: false } })), { ordered: false })
    })
    const taken = counts.filter(c => c.count < 0)
    if (taken.length > 0) await this.m.ReportCount.deleteMany({ $or: taken.map(key), count: 0, sum: 0 })
  }

  async readReportCounts (filter: ReportFilter, by: ReportDimension[]): Promise<ReportCount[]> {
    const match: Record<string, unknown> = { span: filter.span, tag: filter.tag ?? '', hour: { $gte: filter.fromHour, $lt: filter.toHour } }
    if (filter.channelId !== undefined) match.channelId = filter.channelId
    if (filter.teamId !== undefined) match.teamId = filter.teamId ?? ''
    if (filter.agentId !== undefined) match.agentId = filter.agentId
    const group: Record<string, string> = { hour: '$hour', measure: '$measure' }
    for (const d of by) group[FIELD[d]] = `$${FIELD[d]}`
    const rows = await this.m.ReportCount.aggregate<{ _id: Record<string, string | number>, count: number, sum: number }>([
      { $match: match },
      { $group: { _id: group, count: { $sum: '$count' }, sum: { $sum: '$sum' } } }
    ])
    const tag = filter.tag ?? ''
    return rows.map(r => ({
      span: filter.span,
      hour: r._id.hour as number,
      channelId: by.includes('channel') ? r._id.channelId as string : null,
      teamId: by.includes('team') && r._id.teamId !== '' ? r._id.teamId as string : null,
      agentId: by.includes('agent') && r._id.agentId !== '' ? r._id.agentId as string : null,
      tag,
      measure: r._id.measure as string,
      count: r.count,
      sum: r.sum
    }))
  }

  async listReportCounts (measures: readonly string[]): Promise<ReportCount[]> {
    const docs = await this.m.ReportCount.find({ measure: { $in: measures } }).lean() as unknown as Array<ReportCount & { teamId: string, agentId: string }>
    return docs.map(d => ({
      span: d.span, hour: d.hour, channelId: d.channelId, teamId: d.teamId === '' ? null : d.teamId, agentId: d.agentId === '' ? null : d.agentId,
      tag: d.tag, measure: d.measure, count: d.count, sum: d.sum
    }))
  }

  async replaceReportCounts (measures: readonly string[], counts: ReportCount[]): Promise<void> {
    await this.m.ReportCount.deleteMany({ measure: { $in: measures } })
    if (counts.length > 0) await this.m.ReportCount.insertMany(counts.map(c => ({ ...key(c), count: c.count, sum: c.sum })), { ordered: false })
  }
}
