import type { ActivityStore } from '../activity.js'
import { MongoPart } from './connection.js'
import type { Models } from './models.js'

/** Events since a time, counted per subject (an agent, a channel) and kind, in that order. */
async function countEvents (model: Models['AgentEvent'] | Models['ChannelEvent'], subject: 'agentId' | 'channelId', since: Date): Promise<Array<{ subject: string, kind: string, count: number }>> {
  const rows = await (model as Models['AgentEvent']).aggregate<{ _id: { subject: string, kind: string }, count: number }>([
    { $match: { at: { $gte: since } } },
    { $group: { _id: { subject: `$${subject}`, kind: '$kind' }, count: { $sum: 1 } } },
    { $sort: { '_id.subject': 1, '_id.kind': 1 } }
  ])
  return rows.map(r => ({ subject: r._id.subject, kind: r._id.kind, count: r.count }))
}


export class MongoActivity extends MongoPart implements ActivityStore {
  async recordAgentEvent (agentId: string, kind: string, at: Date): Promise<void> {
    await this.m.AgentEvent.create({ agentId, kind, at })
  }

  async countAgentEvents (since: Date): Promise<Array<{ agentId: string, kind: string, count: number }>> {
    return (await countEvents(this.m.AgentEvent, 'agentId', since)).map(r => ({ agentId: r.subject, kind: r.kind, count: r.count }))
  }

  async recordChannelEvent (channelId: string, kind: string, at: Date): Promise<void> {
    await this.m.ChannelEvent.create({ channelId, kind, at })
  }

  async countChannelEvents (since: Date): Promise<Array<{ channelId: string, kind: string, count: number }>> {
    return (await countEvents(this.m.ChannelEvent, 'channelId', since)).map(r => ({ channelId: r.subject, kind: r.kind, count: r.count }))
  }
}
