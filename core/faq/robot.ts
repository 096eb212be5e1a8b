import { atLeast, visibleConversation } from '../agents/permissions.js'
import type { Agent, Choice, Conversation, FaqEntry, Message } from '../model/index.js'
import { HubError, notFound } from '../errors.js'
import { chosenPayload, sendAutomated } from '../pipeline/automated.js'
import { announceUpdated } from '../pipeline/conversation-actions.js'
import { enqueueDrain } from '../queue/jobs.js'
import { reply } from '../pipeline/reply.js'
import type { Channel, HubServices } from '../services.js'
import type { RouteStep } from '../pipeline/turn.js'
import { rankingFor } from './knowledge.js'
import type { FaqMatch, FaqRanking } from './ranking.js'
import { countEvent } from '../reports/index.js'

export type RobotMode = Channel['robot']['mode']
export type HandoffReason = 'asked_for_human' | 'no_answer' | 'failed_turns' | 'channel_refused'

/** "转人工", "talk to a human", "人工客服", or just "human": the customer wants a person. */
const WANTS_HUMAN = /转人工|人工客服|人工服务|找人工|要人工|真人|客服在吗|^\s*(人工|human|agent|person)\s*[.!。！]*\s*$|\b(talk|speak|chat|connect me)\s+(to|with)\s+(a\s+|an\s+|some\s*one|a\s+real\s+)?(human|person|agent|representative|someone|people|operator)\b|\breal person\b|\bhuman agent\b/iu

const wantsHuman = (text: string): boolean => WANTS_HUMAN.test(text)

const KV = 'robot'
const RELATED_SHOWN = 3
const relatedPayload = (id: string): string => `faq:${id}`

/** The robot serves a conversation it holds, or a new one nobody has yet (not waiting in line, not assigned). */
const robotMayServe = (c: Conversation): boolean => c.status === 'bot' || (c.status === 'unassigned' && c.queuedAt === null && c.assigneeId === null)

async function count (s: HubServices, channelId: string, kind: string): Promise<void> {
  await s.store.recordChannelEvent(channelId, kind, s.clock())
}

/** A person is needed: the conversation goes back to routing (the route job routes it next), the customer is told. */
async function handOff (s: HubServices, conversation: Conversation, channel: Channel, reason: HandoffReason): Promise<void> {
  await s.store.kvDelete(KV, `failed:${conversation.id}`)
  const released = conversation.status === 'bot' ? await s.store.setConversationBot(conversation.id, false, s.clock()) : conversation
  if (conversation.status === 'bot' && released !== null) await countEvent(s, released, { measure: 'robot_handoff', at: s.clock(), agentId: null, value: 0 })
  await count(s, channel.id, `handoff:${reason}`)
  s.logger.info({ conversationId: conversation.id, reason }, 'robot handed off')
  if (released !== null && channel.robot.handoff !== '' && reason !== 'channel_refused') {
    await sendAutomated(s, released, { kind: 'handoff', text: channel.robot.handoff })
  }
}

/** The robot keeps the conversation (unassigned → bot); null when someone took it meanwhile. */
async function hold (s: HubServices, conversation: Conversation): Promise<Conversation | null> {
  if (conversation.status === 'bot') return conversation
  const held = await s.store.setConversationBot(conversation.id, true, s.clock())
  if (held !== null) await countEvent(s, held, { measure: 'robot_taken', at: s.clock(), agentId: null, value: 0 })
  return held
}

/** An agent hands an unassigned conversation back to the robot: it holds it again, with a fresh count of unsure turns. */
async function robotTakesBack (s: HubServices, conversation: Conversation): Promise<Conversation | null> {
  await s.store.kvDelete(KV, `failed:${conversation.id}`)
  return await hold(s, conversation)
}

/**
 * Puts a conversation back under the FAQ robot, on a channel where it answers by itself: the
 * assignee (or a supervisor) lets go, and the robot answers the customer's next message.
 */
export async function toRobot (s: HubServices, actor: Agent, conversationId: string): Promise<Conversation> {
  const before = await visibleConversation(s.store, actor, conversationId)
  if (!atLeast(actor, 'supervisor') && before.assigneeId !== null && before.assigneeId !== actor.id) throw new HubError('forbidden', 'Only supervisors, or the assigned agent, can hand a conversation back to the robot.', 403)
  const mode = s.channels.get(before.channelId)?.robot.mode
  if (mode !== 'auto') throw new HubError('robot_off', `The FAQ robot does not answer customers on ${before.channelId} (its robot.mode is ${mode ?? 'off'}); an admin sets mode: auto in the config.`, 409)
  if (before.status === 'closed') throw new HubError('conversation_closed', 'The conversation is closed; reopen it first.', 409)
  if (before.status === 'bot') return before
  const released = before.assigneeId === null ? before : await s.store.unassignConversation(conversationId, s.clock())
  const after = await robotTakesBack(s, released)
  if (after === null) throw new HubError('conversation_changed', 'The conversation changed while you acted on it; reload it and try again.', 409)
  s.logger.info({ conversationId, agentId: actor.id }, 'conversation handed back to the robot')
  if (before.queuedAt !== null) s.queueAnnouncer.changed(before.teamId, 'left')
  await announceUpdated(s, after, before)
  if (before.assigneeId !== null) await enqueueDrain(s)
  return after
}

/** The answer, with its related questions as choices. */
async function answer (s: HubServices, conversation: Conversation, channel: Channel, entry: FaqEntry, ranking: FaqRanking): Promise<void> {
  const related = entry.related.map(id => ranking.entry(id)).filter(e => e !== undefined).slice(0, RELATED_SHOWN)
  const choices: Choice[] = related.map(e => ({ label: e.question, payload: relatedPayload(e.id) }))
  const held = await hold(s, conversation)
  if (held === null) return
  const sent = await sendAutomated(s, held, { kind: 'faq', text: entry.answer, choices })
  if (sent === null) return await handOff(s, held, channel, 'channel_refused')
  await s.store.kvDelete(KV, `failed:${conversation.id}`)
  await count(s, channel.id, 'answered')
  s.logger.info({ conversationId: conversation.id, entryId: entry.id }, 'robot answered')
}

/** Not sure: the questions it thinks they mean, as choices; after `failedTurns` of these a person takes over. */
async function unsure (s: HubServices, conversation: Conversation, channel: Channel, matches: FaqMatch[]): Promise<void> {
  const failed = Number(await s.store.kvGet(KV, `failed:${conversation.id}`) ?? 0) + 1
  if (failed >= channel.robot.failedTurns) return await handOff(s, conversation, channel, 'failed_turns')
  const held = await hold(s, conversation)
  if (held === null) return
  await s.store.kvSet(KV, `failed:${conversation.id}`, String(failed))
  const choices = matches.map(m => ({ label: m.entry.question, payload: relatedPayload(m.entry.id) }))
  if (await sendAutomated(s, held, { kind: 'faq_unsure', text: channel.robot.unsure, choices }) === null) return await handOff(s, held, channel, 'channel_refused')
  await count(s, channel.id, 'unsure')
}

/** An agent sends an FAQ entry's answer (a suggestion picked in a desk): a reply like any other, checked by the policy and guards. */
export async function sendFaqAnswer (s: HubServices, agent: Agent, conversationId: string, entryId: string): Promise<Message> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  const entry = await s.store.getFaqEntry(entryId)
  if (entry === null || (entry.teamId !== null && entry.teamId !== conversation.teamId)) throw notFound('FAQ entry', entryId)
  return await reply(s, conversationId, agent, { text: entry.answer })
}

/**
 * The FAQ robot's turn on a customer's message, on channels where it answers by itself: it
 * answers above the channel's confidence threshold and keeps the conversation (`bot`); it hands
 * off to a person when asked, when it has no answer at all, or after `failedTurns` unsure turns.
 * Each message gets one turn, even when the route job runs again.
 */
export const robotStep: RouteStep = {
  name: 'robot',
  bestEffort: true,
  async run (s, { message, conversation, channel }) {
    if (message.direction !== 'inbound' || channel === undefined || channel.robot.mode !== 'auto' || !robotMayServe(conversation)) return undefined
    if (!await s.store.kvSetIfAbsent(KV, `turn:${message.id}`, '1')) return undefined
    await robotTurn(s, message, conversation, channel)
    // It held, answered or handed off: the next steps (routing, delivery) start from that.
    return { conversation: await s.store.getConversation(conversation.id) ?? conversation }
  }
}

async function robotTurn (s: HubServices, message: Message, conversation: Conversation, channel: Channel): Promise<void> {
  await count(s, channel.id, 'asked')
  if (wantsHuman(message.text)) return await handOff(s, conversation, channel, 'asked_for_human')

  const ranking = await rankingFor(s, conversation.teamId === null ? [] : [conversation.teamId])
  // Only a conversation the robot holds has its choices to answer by number or label.
  const payload = conversation.status === 'bot' ? await chosenPayload(s, message) : message.extras?.payload ?? null
  const chosen = payload?.startsWith('faq:') === true ? ranking.entry(payload.slice(4)) : undefined
  if (chosen !== undefined) return await answer(s, conversation, channel, chosen, ranking)

  const matches = ranking.rank(message.text, 3)
  if (matches.length === 0) return await handOff(s, conversation, channel, 'no_answer')
  if (matches[0]!.confidence >= channel.robot.threshold) return await answer(s, conversation, channel, matches[0]!.entry, ranking)
  await unsure(s, conversation, channel, matches)
}

export interface Suggestion {
  entry: FaqEntry
  confidence: number
  score: number
}

export interface Suggestions {
  mode: RobotMode
  /** Best first; none when the channel has the robot off. */
  items: Suggestion[]
}

/** The best 3 answers for what the customer asked since the last reply, for the agent's reply box. */
export async function suggestionsFor (s: HubServices, agent: Agent, conversationId: string, limit = 3): Promise<Suggestions> {
  return await suggestionsForConversation(s, await visibleConversation(s.store, agent, conversationId), limit)
}

export async function suggestionsForConversation (s: HubServices, conversation: Conversation, limit = 3): Promise<Suggestions> {
  const mode = s.channels.get(conversation.channelId)?.robot.mode ?? 'off'
  return { mode, items: mode === 'off' ? [] : await rankAsked(s, conversation, limit) }
}

async function rankAsked (s: HubServices, conversation: Conversation, limit: number): Promise<Suggestion[]> {
  const { items } = await s.store.listMessages(conversation.id, { since: new Date(Math.max(0, (conversation.lastInboundAt?.getTime() ?? 0) - 3_600_000)), limit: 100 })
  const lastReply = items.map(m => m.direction).lastIndexOf('outbound')
  const asked = items.slice(lastReply + 1).filter(m => m.direction === 'inbound' && m.text.trim() !== '').slice(-5).map(m => m.text)
  if (asked.length === 0) return []
  const ranking = await rankingFor(s, conversation.teamId === null ? [] : [conversation.teamId])
  return ranking.rank(asked.join('\n'), limit).map(m => ({ entry: m.entry, confidence: m.confidence, score: m.score }))
}

export interface RobotStats {
  channelId: string
  mode: RobotMode
  /** Customer messages the robot took a turn on. */
  asked: number
  answered: number
  unsure: number
  /** answered / asked; null before any question. */
  hitRate: number | null
  handoffs: Record<HandoffReason, number> & { total: number }
}

/** Per channel, since `since`: how often the robot answered, and how often a person had to take over. */
export async function robotStats (s: HubServices, since: Date): Promise<RobotStats[]> {
  const counts = await s.store.countChannelEvents(since)
  const ids = [...new Set([...s.channels.keys(), ...counts.map(c => c.channelId)])].sort()
  return ids.map(channelId => {
    const of = (kind: string): number => counts.find(c => c.channelId === channelId && c.kind === kind)?.count ?? 0
    const asked = of('asked')
    const handoffs = { asked_for_human: of('handoff:asked_for_human'), no_answer: of('handoff:no_answer'), failed_turns: of('handoff:failed_turns'), channel_refused: of('handoff:channel_refused') }
    return {
      channelId,
      mode: s.channels.get(channelId)?.robot.mode ?? 'off',
      asked,
      answered: of('answered'),
      unsure: of('unsure'),
      hitRate: asked === 0 ? null : of('answered') / asked,
      handoffs: { ...handoffs, total: Object.values(handoffs).reduce((a, b) => a + b, 0) }
    }
  })
}
