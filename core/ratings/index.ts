export { RatingLinks } from './links.js'
export { inviteOnClose, inviteToRate, rate, ratingInboundTap, ratingSummary, ratingTap, requestRating, SCORES, type RatingSummary } from './ratings.js'
