import type { ActivityStore } from '../activity.js'
import { SqlitePart } from './connection.js'

export class SqliteActivity extends SqlitePart implements ActivityStore {
  async recordAgentEvent (agentId: string, kind: string, at: Date): Promise<void> {
    await this.db.write(() => { this.db.sql('INSERT INTO agent_events (agent_id, kind, at) VALUES (?, ?, ?)').run(agentId, kind, at.getTime()) })
  }

  async countAgentEvents (since: Date): Promise<Array<{ agentId: string, kind: string, count: number }>> {
    return this.db.sql('SELECT agent_id AS agentId, kind, COUNT(*) AS count FROM agent_events WHERE at >= ? GROUP BY agent_id, kind ORDER BY agent_id, kind')
      .all(since.getTime()) as Array<{ agentId: string, kind: string, count: number }>
  }

  async recordChannelEvent (channelId: string, kind: string, at: Date): Promise<void> {
    await this.db.write(() => { this.db.sql('INSERT INTO channel_events (channel_id, kind, at) VALUES (?, ?, ?)').run(channelId, kind, at.getTime()) })
  }

  async countChannelEvents (since: Date): Promise<Array<{ channelId: string, kind: string, count: number }>> {
    return this.db.sql('SELECT channel_id AS channelId, kind, COUNT(*) AS count FROM channel_events WHERE at >= ? GROUP BY channel_id, kind ORDER BY channel_id, kind')
      .all(since.getTime()) as Array<{ channelId: string, kind: string, count: number }>
  }
}
