import { enqueueDeliver, type MessageJob } from './jobs.js'
import type { HubServices } from './services.js'

/**
 * Decides who should hear of an inbound message. Assignment and the waiting queue plug in
 * here; for now every agent is told, through the deliver job.
 */
export async function routeJob (s: HubServices, { messageId }: MessageJob): Promise<void> {
  const message = await s.store.getMessage(messageId)
  if (message === null || message.routed) return
  await enqueueDeliver(s, messageId)
  await s.store.markRouted(messageId)
}
