import type { Agent, AgentStatus, Conversation, Message, QueueReason, Rating } from '../model/index.js'

/** Who may receive an event: an agent of one of `teams` ('all': every agent), or one of `agents`. */
export interface Audience {
  teams: string[] | 'all'
  agents: string[]
  /** Only supervisors and admins of those teams (plus `agents`). */
  supervisorsOnly?: boolean
}

/** What agents are told, over the WebSocket and (later) Slack. */
export type HubEventBody =
  | { type: 'message.created', conversationId: string, message: Message }
  | { type: 'message.updated', conversationId: string, message: Message }
  | { type: 'conversation.updated', conversationId: string, conversation: Conversation }
  | { type: 'conversation.assigned', conversationId: string, conversation: Conversation, assignee: { id: string, name: string }, previousAssigneeId: string | null, reason: 'routed' | 'affinity' | 'transfer' | 'picked' }
  | { type: 'conversation.queued', conversationId: string, conversation: Conversation, reason: QueueReason, position: number }
  | { type: 'conversation.typing', conversationId: string, by: 'contact', on: boolean }
  | { type: 'conversation.sla_breached', conversationId: string, conversation: Conversation, waitedMs: number, targetMs: number }
  | { type: 'conversation.mood_alert', conversationId: string, conversation: Conversation, score: number, signals: string[] }
  | { type: 'conversation.rated', conversationId: string, conversation: Conversation, rating: Rating }
  | { type: 'agent.status', agentId: string, status: AgentStatus, at: Date }
  | { type: 'queue.updated', teamId: string | null, size: number }
  | { type: 'channel.health', channelId: string, ok: boolean, code: string | null, message: string | null }
  | { type: 'contact.presence', contactId: string, presence: { online: boolean, url: string | null, title: string | null, since: Date } }

export type OutgoingEvent = HubEventBody & { audience: Audience }
/**
 * An event as delivered: with the id a reconnecting socket passes back as lastEventId, and the
 * key of what it announces (`eventKey`), the same for a repeat.
 */
export type HubEvent = OutgoingEvent & { id: string, key: string }

/** `frame` is the event as JSON, serialized once for every socket that relays it. */
export type EventListener = (event: HubEvent, frame: string) => void

/** Fans events out to every hub process, and keeps a window of them for reconnecting sockets. */
export interface EventBus {
  publish (event: OutgoingEvent): Promise<void>
  subscribe (listener: EventListener): () => void
  /** Events after `lastId`, oldest first; null when they are no longer all kept (refetch instead). */
  since (lastId: string): Promise<HubEvent[] | null>
  /**
   * Fire-and-forget to every process, this one included, and not kept for replay: a channel's
   * own live traffic (an agent's reply for the process that holds the visitor's socket).
   */
  signal (topic: string, payload: unknown): Promise<void>
  onSignal (topic: string, listener: SignalListener): () => void
  close (): Promise<void>
}

export type SignalListener = (payload: unknown) => void

/** Signal listeners by topic; one throwing listener does not keep the others from hearing. */
export class SignalListeners {
  private readonly topics = new Map<string, Set<SignalListener>>()

  has (topic: string): boolean {
    return this.topics.has(topic)
  }

  add (topic: string, listener: SignalListener): () => void {
    const set = this.topics.get(topic) ?? new Set()
    this.topics.set(topic, set)
    set.add(listener)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.topics.delete(topic)
    }
  }

  emit (topic: string, payload: unknown, onError: (err: unknown) => void): void {
    for (const listener of this.topics.get(topic) ?? []) {
      try {
        listener(payload)
      } catch (err) {
        onError(err)
      }
    }
  }
}

/** How many events a bus keeps for replay, and the most one reconnect replays. */
export const REPLAY_WINDOW = 10_000
export const REPLAY_MAX = 1_000

export class Listeners {
  private readonly set = new Set<EventListener>()
  get size (): number {
    return this.set.size
  }

  add (listener: EventListener): () => void {
    this.set.add(listener)
    return () => { this.set.delete(listener) }
  }

  emit (event: HubEvent, frame: string): void {
    for (const listener of this.set) listener(event, frame)
  }
}

/** The audience of events about a conversation: its team (or everyone) and its assignee. */
export function conversationAudience (conversation: Conversation, also: { teams?: Array<string | null>, agents?: Array<string | null> } = {}): Audience {
  const teamIds = [conversation.teamId, ...(also.teams ?? [])]
  const agents = [conversation.assigneeId, ...(also.agents ?? [])].filter((a): a is string => a !== null)
  return { teams: teamIds.includes(null) ? 'all' : [...new Set(teamIds as string[])], agents: [...new Set(agents)] }
}

/** Whether an agent may receive an event with this audience. */
export function canSee (agent: Pick<Agent, 'id' | 'role' | 'teams'>, audience: Audience): boolean {
  if (agent.role === 'admin' || audience.agents.includes(agent.id)) return true
  if (audience.supervisorsOnly === true && agent.role !== 'supervisor') return false
  return audience.teams === 'all' || audience.teams.some(t => agent.teams.includes(t))
}

/** Stream-style ids `<ms>-<seq>`, compared part by part. */
export function compareIds (a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number]
  const [bm, bs] = b.split('-').map(Number) as [number, number]
  return am !== bm ? am - bm : as - bs
}

export const isEventId = (id: string): boolean => /^\d{1,16}-\d{1,16}$/.test(id)
