import { BannedWords } from '../guards/index.js'
import { shouting } from '../text/index.js'

/**
 * Strong negative emotion in a customer's words, English and Chinese: the signals a person
 * reading the conversation would notice. Each adds to a score; at ALERT_SCORE someone should step
 * in and calm the customer.
 */
const ANGRY_WORDS = new BannedWords([
  'terrible', 'worst', 'scam', 'scammer', 'fraud', 'furious', 'angry', 'unacceptable', 'disgusting', 'useless', 'ridiculous', 'pathetic',
  'rip off', 'ripoff', 'never again', 'report you', 'lawyer', 'chargeback', 'complaint', 'fed up', 'sick of',
  '垃圾', '骗子', '骗人', '坑人', '黑店', '太差', '差劲', '气死', '恶心', '无语', '投诉', '差评', '退钱', '什么破', '再也不买', '受够了', '忍无可忍', '12315'
])
const ANGRY_EMOJI = /[\u{1F620}\u{1F621}\u{1F92C}\u{1F4A2}\u{1F44E}\u{1F624}\u{1F92E}]/gu
const PUNCTUATION = /[!！]{3,}|[?？]{3,}|[!！?？]{4,}/u

export const ALERT_SCORE = 3

export interface MoodReading {
  score: number
  /** Why, for the agent: the words, `emoji`, `punctuation`, `shouting`, `repeated`. */
  signals: string[]
}

/** What complaining again and again unanswered adds: it alone cannot raise an alert, only tip one over. */
const REPEATED = 1

/** One customer message read alone, without the ones before it. */
export function readMessage (text: string): MoodReading {
  const signals: string[] = []
  let score = 0
  const words = ANGRY_WORDS.find(text)
  score += Math.min(words.length, 2) * 2
  signals.push(...words)
  const emoji = text.match(ANGRY_EMOJI)?.length ?? 0
  if (emoji > 0) { score += Math.min(emoji, 2) * 1.5; signals.push('emoji') }
  if (PUNCTUATION.test(text)) { score += 1; signals.push('punctuation') }
  if (shouting(text)) { score += 1.5; signals.push('shouting') }
  return { score, signals }
}

/**
 * Whether the messages before this one could still raise its reading to ALERT_SCORE: when not,
 * they need not be read (most messages are calm, and a long unanswered run is the costly case).
 */
export const historyCanTip = (reading: MoodReading): boolean => reading.score + REPEATED >= ALERT_SCORE

/**
 * Reads the newest customer message with the ones before it that no one answered yet:
 * complaining again and again unanswered is itself a signal.
 */
export const readMood = (latest: string, unansweredBefore: string[]): MoodReading => withHistory(readMessage(latest), unansweredBefore)

/** A message's own reading with the unanswered ones before it added. */
export function withHistory ({ score, signals }: MoodReading, unansweredBefore: string[]): MoodReading {
  // A customer writing a third time without an answer, and not calmly: it builds up.
  const complaining = (): boolean => unansweredBefore.some(text => ANGRY_WORDS.find(text).length > 0 || PUNCTUATION.test(text) || shouting(text))
  if (unansweredBefore.length >= 2 && (score > 0 || complaining())) return { score: score + REPEATED, signals: [...signals, 'repeated'] }
  return { score, signals }
}
