export { ALERT_SCORE, readMood, type MoodReading } from './mood.js'
