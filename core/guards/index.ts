export { BannedWords } from './banned-words.js'
export { ReplyGuards, type GuardRefusal } from './guards.js'
