export { ALERT_SCORE, historyCanTip, readMessage, readMood, withHistory, type MoodReading } from './mood.js'
