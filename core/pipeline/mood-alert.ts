import { conversationAudience } from '../events/index.js'
import { ALERT_SCORE, historyCanTip, readMessage, withHistory } from '../mood/index.js'
import type { RouteStep } from './turn.js'

/** How far back unanswered customer messages count towards "complaining again and again". */
const WINDOW_MS = 30 * 60_000

/**
 * After an inbound message is delivered: if the customer reads as upset, the conversation is
 * marked (once, until it reopens) and its assignee and the team's supervisors are alerted, so
 * someone steps in to calm them.
 */
export const moodStep: RouteStep = {
  name: 'mood',
  // Best effort: a failed reading must not route and deliver the message twice.
  bestEffort: true,
  async run (s, { message, conversation }) {
    if (message.direction !== 'inbound' || message.text === '' || conversation.moodAlertAt !== null || conversation.status === 'closed') return undefined
    const alone = readMessage(message.text)
    if (!historyCanTip(alone)) return undefined
    const recent = (await s.store.listMessages(conversation.id, { since: new Date(message.createdAt.getTime() - WINDOW_MS), limit: 100 })).items
    const before = recent.slice(0, Math.max(0, recent.findIndex(m => m.id === message.id)))
    const lastReply = before.map(m => m.direction).lastIndexOf('outbound')
    const unanswered = before.slice(lastReply + 1).filter(m => m.direction === 'inbound').map(m => m.text)
    const reading = withHistory(alone, unanswered)
    if (reading.score < ALERT_SCORE) return undefined
    const marked = await s.store.markMoodAlert(conversation.id, s.clock())
    if (marked === null) return undefined
    // The signals can be the customer's own words: logged as a count only.
    s.logger.info({ conversationId: marked.id, score: reading.score, signals: reading.signals.length }, 'mood alert')
    const audience = { teams: marked.teamId === null ? 'all' as const : [marked.teamId], agents: marked.assigneeId !== null ? [marked.assigneeId] : [], supervisorsOnly: true }
    await s.bus.publish({ type: 'conversation.mood_alert', conversationId: marked.id, conversation: marked, score: reading.score, signals: reading.signals, audience })
    await s.bus.publish({ type: 'conversation.updated', conversationId: marked.id, conversation: marked, audience: conversationAudience(marked) })
    return { conversation: marked }
  }
}
