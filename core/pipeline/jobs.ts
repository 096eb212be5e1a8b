import type { HubServices } from './services.js'

/** Job ids are derived from message ids, so a job re-enqueued by recovery is not doubled. */
export async function enqueueRoute (s: HubServices, messageId: string): Promise<void> {
  await s.queue.add('route', { messageId }, { jobId: `route-${messageId}`, attempts: 5, backoffMs: 500 })
}

export async function enqueueDeliver (s: HubServices, messageId: string): Promise<void> {
  await s.queue.add('deliver', { messageId }, { jobId: `deliver-${messageId}`, attempts: 5, backoffMs: 500 })
}

export async function enqueueSend (s: HubServices, messageId: string): Promise<void> {
  await s.queue.add('send', { messageId }, { jobId: `send-${messageId}`, attempts: s.config.send.attempts, backoffMs: s.config.send.backoffMs })
}

export interface MessageJob { messageId: string }
