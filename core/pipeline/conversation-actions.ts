import { atLeast, visibleConversation } from '../agents/permissions.js'
import { HubError, notFound } from '../errors.js'
import { conversationAudience } from '../events/index.js'
import type { Agent, Conversation, Message } from '../model/index.js'
import { announceAssigned } from '../routing/index.js'
import { countEvent, recountConversation } from '../reports/index.js'
import { afterStored } from './after-stored.js'
import { enqueueDrain, enqueueRouteConversation } from '../queue/jobs.js'
import type { HubServices } from '../services.js'

export interface AssignInput {
  /** Who takes it; default: the acting agent (picking from the queue, or a supervisor taking over). */
  agentId?: string
  /** Move it to this team's agents (routing picks one unless agentId is given too). */
  teamId?: string
  /** An internal note left for the next agent. */
  note?: string
}

const forbidden = (message: string): HubError => new HubError('forbidden', message, 403)

/** Every agent who saw it before or sees it now hears of the change. */
export async function announceUpdated (s: HubServices, conversation: Conversation, before: Conversation): Promise<void> {
  await afterStored(s, { conversationId: conversation.id }, [async () => await s.bus.publish({ type: 'conversation.updated', conversationId: conversation.id, conversation, audience: conversationAudience(conversation, { teams: [before.teamId], agents: [before.assigneeId] }) })])
}

async function recordNote (s: HubServices, conversation: Conversation, actor: Agent, text: string, via?: string): Promise<Message> {
  const message = await s.store.recordOutbound({
    conversationId: conversation.id, direction: 'note', author: { type: 'agent', id: actor.id }, text, attachments: [], cards: [], tag: null, ...(via !== undefined ? { extras: { via } } : {})
  }, s.clock())
  await afterStored(s, { messageId: message.id }, [async () => await s.bus.publish({ type: 'message.created', conversationId: conversation.id, message, audience: conversationAudience(conversation) })])
  return message
}

async function leaveNote (s: HubServices, conversation: Conversation, actor: Agent, note: string | undefined): Promise<void> {
  if (note !== undefined && note.trim() !== '') await recordNote(s, conversation, actor, note)
}

/** An internal note: agents see it in the conversation; it never reaches the customer. `via`: the desk it was written from. */
export async function note (s: HubServices, actor: Agent, conversationId: string, text: string, via?: string): Promise<Message> {
  const conversation = await visibleConversation(s.store, actor, conversationId)
  if (text.trim() === '') throw new HubError('empty_note', 'The note is empty; write something to keep.', 400)
  return await recordNote(s, conversation, actor, text, via)
}

/**
 * Assign, pick, take over or transfer. Agents may pick a waiting conversation for themselves
 * or pass on their own; supervisors and admins may move any they can see. A transfer to a
 * person is their decision and is not held to capacity; routing always is.
 */
export async function assign (s: HubServices, actor: Agent, conversationId: string, input: AssignInput): Promise<Conversation> {
  const before = await visibleConversation(s.store, actor, conversationId)
  if (before.status === 'closed') throw new HubError('conversation_closed', 'The conversation is closed; reopen it first.', 409)
  const targetId = input.agentId ?? (input.teamId === undefined ? actor.id : undefined)
  const own = before.assigneeId === actor.id
  const picking = targetId === actor.id && before.assigneeId === null
  if (!atLeast(actor, 'supervisor') && !own && !picking) {
    throw forbidden('Agents can take a waiting conversation or pass on their own; ask a supervisor to move this one.')
  }
  if (input.teamId !== undefined && await s.store.getTeam(input.teamId) === null) throw notFound('team', input.teamId)

  if (targetId === undefined) {
    // To a team: it waits for that team's routing like a new conversation.
    await leaveNote(s, before, actor, input.note)
    const moved = await s.store.unassignConversation(conversationId, s.clock(), { teamId: input.teamId! })
    await recountConversation(s, before, moved)
    await announceUpdated(s, moved, before)
    await enqueueRouteConversation(s, moved.id)
    if (before.assigneeId !== null) await enqueueDrain(s)
    return moved
  }

  const target = await s.store.getAgent(targetId)
  if (target === null) throw notFound('agent', targetId)
  if (target.status === 'offline') throw new HubError('agent_offline', `${target.name} is offline; choose an agent who is online or busy, or transfer to their team.`, 409)
  if (before.assigneeId === target.id) return before
  if (input.teamId !== undefined) await recountConversation(s, before, await s.store.unassignConversation(conversationId, s.clock(), { teamId: input.teamId }))
  await leaveNote(s, before, actor, input.note)
  const assigned = await s.store.assignConversation(conversationId, target.id, { capacity: null, onlyIfWaiting: false }, s.clock())
  if (assigned === null) throw new HubError('conversation_changed', 'The conversation changed while you acted on it; reload it and try again.', 409)
  await s.store.markAgentActive(actor.id, s.clock())
  await announceAssigned(s, assigned, target, { assigneeId: before.assigneeId, teamId: before.teamId, queuedAt: before.queuedAt }, picking ? 'picked' : 'transfer')
  if (before.assigneeId !== null) await enqueueDrain(s)
  return assigned
}

/** Hands a conversation back to routing: supervisors, or its own assignee. */
export async function unassign (s: HubServices, actor: Agent, conversationId: string): Promise<Conversation> {
  const before = await visibleConversation(s.store, actor, conversationId)
  if (!atLeast(actor, 'supervisor') && before.assigneeId !== actor.id) throw forbidden('Only supervisors, or the assigned agent, can unassign a conversation.')
  const after = await s.store.unassignConversation(conversationId, s.clock())
  await announceUpdated(s, after, before)
  await enqueueRouteConversation(s, after.id)
  await enqueueDrain(s)
  return after
}

export async function close (s: HubServices, actor: Agent, conversationId: string): Promise<Conversation> {
  return await closeAs(s, await visibleConversation(s.store, actor, conversationId), actor.id)
}

/** Closes a conversation for an agent, or for the hub itself (`by` null: auto-close): counted, announced, then the hub's close listeners. */
export async function closeAs (s: HubServices, before: Conversation, by: string | null): Promise<Conversation> {
  const conversationId = before.id
  const after = await s.store.closeConversation(conversationId, s.clock())
  await announceUpdated(s, after, before)
  if (before.status !== 'closed') {
    s.logger.info({ conversationId, agentId: by }, by === null ? 'conversation closed by auto-close' : 'conversation closed')
    // A customer who waited left the line: those behind them move up.
    if (before.queuedAt !== null) s.queueAnnouncer.changed(before.teamId, 'left')
    await countEvent(s, after, { measure: 'closed', at: s.clock(), agentId: before.assigneeId, value: 0 })
    await countEvent(s, after, { measure: 'resolution', at: s.clock(), agentId: before.assigneeId, value: s.clock().getTime() - before.createdAt.getTime() })
    await enqueueDrain(s)
    // What follows a close in this process (a rating invitation); closing never fails for it.
    for (const listener of s.closeListeners) {
      await listener(after).catch(err => s.logger.info({ conversationId, code: (err as { code?: string }).code }, 'after a close: a listener failed'))
    }
  }
  return after
}

export async function reopen (s: HubServices, actor: Agent, conversationId: string): Promise<Conversation> {
  const before = await visibleConversation(s.store, actor, conversationId)
  const after = await s.store.reopenConversation(conversationId, s.clock())
  if (before.status === 'closed') {
    await countEvent(s, after, { measure: 'reopened', at: s.clock(), agentId: actor.id, value: 0 })
    await announceUpdated(s, after, before)
    await enqueueRouteConversation(s, after.id)
  }
  return after
}

/** Replaces the conversation's tags (whoever may see it may tag it). */
export async function tag (s: HubServices, actor: Agent, conversationId: string, tags: string[]): Promise<Conversation> {
  const before = await visibleConversation(s.store, actor, conversationId)
  const after = await s.store.setConversationTags(conversationId, tags, s.clock())
  await recountConversation(s, before, after)
  await announceUpdated(s, after, before)
  return after
}
