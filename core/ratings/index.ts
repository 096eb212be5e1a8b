export { RatingLinks } from './links.js'
export { inviteToRate, rate, ratingSummary, ratingTap, requestRating, SCORES, type RatingSummary } from './ratings.js'
