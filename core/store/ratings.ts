import type { Conversation, Rating } from '../model/index.js'

/** Customers' ratings, kept on their conversation: a later rating replaces an earlier one. */
export interface RatingStore {
  /** The customer was asked to rate the conversation. */
  markRatingInvited (id: string, at: Date): Promise<Conversation>
  /** Keeps the customer's rating (a later one replaces it). */
  rateConversation (id: string, rating: Rating, now: Date): Promise<Conversation>
  /** Ratings given since `since`, per agent served and channel. */
  ratingStats (since: Date): Promise<RatingStat[]>
}

export interface RatingStat {
  agentId: string | null
  channelId: string
  count: number
  average: number
  /** Ratings of 4 or 5. */
  satisfied: number
}
