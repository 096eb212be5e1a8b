import type { HubServices } from '../services.js'

/** Job ids are derived from message ids, so a job re-enqueued by recovery is not doubled. */
export async function enqueueRoute (s: HubServices, messageId: string): Promise<void> {
  await s.queue.add('route', { messageId }, { jobId: `route-${messageId}`, attempts: 5, backoffMs: 500 })
}

/** Routes a conversation again (handed back, transferred to a team, reopened). */
export async function enqueueRouteConversation (s: HubServices, conversationId: string): Promise<void> {
  await s.queue.add('route', { conversationId }, { jobId: `route-c-${conversationId}-${Date.now()}`, attempts: 5, backoffMs: 500 })
}

/** Capacity freed somewhere: assign waiting conversations, oldest first. */
export async function enqueueDrain (s: HubServices): Promise<void> {
  await s.queue.add('drain', {}, { attempts: 3, backoffMs: 500 })
}

export async function enqueueSend (s: HubServices, messageId: string): Promise<void> {
  await s.queue.add('send', { messageId }, { jobId: `send-${messageId}`, attempts: s.config.send.attempts, backoffMs: s.config.send.backoffMs })
}

export interface MessageJob { messageId: string }
export interface RouteJob { messageId?: string, conversationId?: string }
