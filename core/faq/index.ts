export { addFromMessage, approveEntry, createEntry, updateEntry, deleteEntry, importCsv, visibleEntries, rankingFor, agentRanking, type FaqInput, type FaqPatch } from './knowledge.js'
export { FaqRanking, type FaqMatch } from './ranking.js'
export { robotStep, sendFaqAnswer, toRobot, suggestionsFor, suggestionsForConversation, robotStats, type Suggestion, type RobotStats, type HandoffReason } from './robot.js'
