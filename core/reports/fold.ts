import type { BusinessHours } from '../hours.js'
import { businessMs } from './business-time.js'
import type { Message } from '../model/index.js'
import { bucketMeasure, FIRST_RESPONSE_BUCKETS, type Fact, type Measure } from './measures.js'

/** What the fold needs to know of a conversation's channel and team. */
export interface FoldRules {
  channelId: string
  /** A customer message answered by a person within this long counts toward the response rate. */
  responseTargetMs: number
  /** The channel's business hours: first response time counts only those. */
  hours?: BusinessHours
}

export type MessageFact = Fact & { messageId: string }

const isCustomer = (m: Message): boolean => m.direction === 'inbound' && m.author.type === 'contact'
/** An agent's reply, from the hub or (an echo) from the channel's own app. */
const isPerson = (m: Message): boolean => m.direction === 'outbound' && m.author.type === 'agent'
const isRobotAnswer = (m: Message): boolean => m.direction === 'outbound' && m.author.type === 'bot' && m.extras?.automated === 'faq'

const bucketOf = (ms: number): number => {
  const i = FIRST_RESPONSE_BUCKETS.findIndex(limit => ms <= limit * 1000)
  return i === -1 ? FIRST_RESPONSE_BUCKETS.length : i
}

/**
 * The message measures of one conversation, each with the message that caused it: the kept
 * counters add a message's facts when it is stored, a rebuild adds them all, so the two agree by
 * construction. Customer messages wait for an answer until a person replies (answered, in target
 * or not) or the FAQ robot answers them; the first person's reply after the first customer
 * message is the first response.
 */
export function conversationFacts (messages: Message[], rules: FoldRules): MessageFact[] {
  const ordered = [...messages].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  const facts: MessageFact[] = []
  let waiting: Message[] = []
  let firstCustomerAt: Date | null = null
  let responded = false
  // A conversation opens with its first message not held aside (spam, a blocked contact): one only held messages opened counts once restored.
  const first = ordered.find(m => m.extras?.held === undefined)
  for (const m of ordered) {
    const fact = (measure: Measure, value = 0, agentId: string | null = null, count = 1): void => {
      facts.push({ measure, at: m.createdAt, channelId: m.channelId, agentId, value, count, messageId: m.id })
    }
    if (m === first) facts.push({ measure: 'opened', at: m.createdAt, channelId: rules.channelId, agentId: null, value: 0, messageId: m.id })
    if (isCustomer(m)) {
      fact('inbound')
      waiting.push(m)
      firstCustomerAt ??= m.createdAt
    } else if (isPerson(m)) {
      const agentId = m.author.id
      fact('replies', 0, agentId)
      if (firstCustomerAt !== null && !responded) {
        responded = true
        const ms = businessMs(rules.hours, firstCustomerAt, m.createdAt)
        fact('first_response', ms, agentId)
        fact(bucketMeasure(bucketOf(ms)), 0, agentId)
      }
      if (waiting.length > 0) {
        fact('response', m.createdAt.getTime() - waiting[0]!.createdAt.getTime(), agentId)
        fact('answered', 0, agentId, waiting.length)
        const inTarget = waiting.filter(w => m.createdAt.getTime() - w.createdAt.getTime() <= rules.responseTargetMs).length
        if (inTarget > 0) fact('answered_in_target', 0, agentId, inTarget)
      }
      waiting = []
    } else if (isRobotAnswer(m)) {
      if (waiting.length > 0) fact('robot_answered', 0, null, waiting.length)
      waiting = []
    }
  }
  return facts
}
