export { BannedWords } from './banned-words.js'
export { ReplyGuards, type GuardRefusal } from './guards.js'
export { AttitudeGuard, type AttitudeReading, type AttitudeSettings } from './attitude.js'
