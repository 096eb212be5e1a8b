export { RatingLinks } from './links.js'
export { inviteToRate, rate, ratingPayload, ratingSummary, ratingTap, ratingUrl, requestRating, SCORES, type RatingSummary } from './ratings.js'
