import type { Conversation, Rating } from '../../model/index.js'
import { storeNotFound } from '../errors.js'
import type { RatingStat, RatingStore } from '../ratings.js'
import { SqlitePart } from './connection.js'
import { toConversation, type ConversationRow } from './rows.js'

export class SqliteRatings extends SqlitePart implements RatingStore {
  async markRatingInvited (id: string, at: Date): Promise<Conversation> {
    const row = await this.db.write(() => this.db.sql('UPDATE conversations SET rating_invited_at = ?, updated_at = ? WHERE id = ? RETURNING *').get(at.getTime(), at.getTime(), id) as ConversationRow | undefined)
    if (row === undefined) throw storeNotFound('conversation', id)
    return toConversation(row)
  }

  async rateConversation (id: string, rating: Rating, now: Date): Promise<Conversation> {
    const row = await this.db.write(() => this.db.sql(`UPDATE conversations SET rating_score = ?, rating_comment = ?, rating_agent_id = ?, rated_at = ?, updated_at = ?
      WHERE id = ? RETURNING *`).get(rating.score, rating.comment, rating.agentId, rating.at.getTime(), now.getTime(), id) as ConversationRow | undefined)
    if (row === undefined) throw storeNotFound('conversation', id)
    return toConversation(row)
  }

  async ratingStats (since: Date): Promise<RatingStat[]> {
    return this.db.sql(`SELECT rating_agent_id AS agentId, channel_id AS channelId, COUNT(*) AS count, AVG(rating_score) AS average,
      SUM(rating_score >= 4) AS satisfied FROM conversations WHERE rated_at >= ? GROUP BY rating_agent_id, channel_id ORDER BY channel_id, rating_agent_id`)
      .all(since.getTime()) as RatingStat[]
  }
}
