export { ALERT_SCORE, historyCanTip, readMessage, readMood, type MoodReading } from './mood.js'
