export { countEvent, countMessage, recountConversation } from './counting.js'
export type { Counting } from './counting.js'
