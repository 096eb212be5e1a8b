import type { Conversation, Rating } from '../../model/index.js'
import { storeNotFound } from '../errors.js'
import type { RatingStat, RatingStore } from '../ratings.js'
import { type Doc, MongoPart } from './connection.js'
import { toConversation } from './docs.js'

export class MongoRatings extends MongoPart implements RatingStore {
  async markRatingInvited (id: string, at: Date): Promise<Conversation> {
    const d = await this.m.Conversation.findOneAndUpdate({ _id: id }, { $set: { ratingInvitedAt: at, updatedAt: at } }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw storeNotFound('conversation', id)
    return toConversation(d)
  }

  async rateConversation (id: string, rating: Rating, now: Date): Promise<Conversation> {
    const d = await this.m.Conversation.findOneAndUpdate({ _id: id }, { $set: { rating, updatedAt: now } }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw storeNotFound('conversation', id)
    return toConversation(d)
  }

  async ratingStats (since: Date): Promise<RatingStat[]> {
    const rows = await this.m.Conversation.aggregate<{ _id: { agentId: string | null, channelId: string }, count: number, average: number, satisfied: number }>([
      { $match: { 'rating.at': { $gte: since, $type: 'date' } } },
      { $group: { _id: { agentId: '$rating.agentId', channelId: '$channelId' }, count: { $sum: 1 }, average: { $avg: '$rating.score' }, satisfied: { $sum: { $cond: [{ $gte: ['$rating.score', 4] }, 1, 0] } } } },
      { $sort: { '_id.channelId': 1, '_id.agentId': 1 } }
    ])
    return rows.map(r => ({ agentId: r._id.agentId ?? null, channelId: r._id.channelId, count: r.count, average: r.average, satisfied: r.satisfied }))
  }
}
