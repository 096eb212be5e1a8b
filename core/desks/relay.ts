import { SeenKeys, type HubEvent } from '../events/index.js'
import type { HubServices } from '../services.js'
import { JobFailure } from '../queue/index.js'
import { DeskRelayError, type DeskInstance, type DeskPluginDefinition } from './contract.js'

/** An enabled desk: its config id, its plugin, and the running instance. */
export interface Desk {
  id: string
  definition: DeskPluginDefinition
  instance: DeskInstance
}

export interface DeskJob {
  deskId: string
  conversationId: string
  messageId?: string
}

const RELAYED = new Set<HubEvent['type']>(['message.created', 'message.updated', 'conversation.updated', 'conversation.assigned', 'conversation.queued'])

async function enqueueRelay (s: HubServices, job: DeskJob, jobId: string): Promise<void> {
  await s.queue.add('desk', job, { jobId, attempts: 8, backoffMs: 2000 })
}

/**
 * Every change to a conversation becomes a relay job for each desk. Every process hears every
 * event; the job id (desk + event key) makes the copies one job while it waits, and a repeat
 * of an event (a job run twice) heard after its relay finished is dropped here.
 */
export function relayEvents (s: HubServices, desks: Map<string, Desk>): () => void {
  const seen = new SeenKeys()
  return s.bus.subscribe(event => {
    if (!RELAYED.has(event.type) || !('conversationId' in event) || !seen.isNew(event)) return
    const messageId = 'message' in event ? event.message.id : undefined
    for (const deskId of desks.keys()) {
      const job: DeskJob = { deskId, conversationId: event.conversationId, ...(messageId !== undefined ? { messageId } : {}) }
      enqueueRelay(s, job, `desk-${deskId}-${event.key}`).catch(err => {
        s.logger.warn({ deskId, conversationId: event.conversationId, err: { message: (err as Error).message } }, 'desk relay not queued; the sweep will catch up')
      })
    }
  })
}

/** Runs one relay job on its desk; a desk no longer enabled drops it. */
export async function deskJob (desks: Map<string, Desk>, job: DeskJob): Promise<void> {
  const desk = desks.get(job.deskId)
  if (desk === undefined) return
  try {
    await desk.instance.relay({ conversationId: job.conversationId, ...(job.messageId !== undefined ? { messageId: job.messageId } : {}) })
  } catch (err) {
    if (err instanceof DeskRelayError && !err.retryable) throw new JobFailure(`${err.code}: ${err.message}`, { retryable: false })
    throw err
  }
}

/**
 * Events are not kept while a process is down: conversations active since the last sweep
 * (less a margin) are relayed again, which does nothing where the desk is up to date.
 */
export async function sweepDesks (s: HubServices, desks: Map<string, Desk>, now: Date): Promise<void> {
  for (const deskId of desks.keys()) {
    const mark = await s.store.kvGet(`desk:${deskId}`, 'swept-at')
    const since = mark === null ? now.getTime() - s.config.recovery.intervalMs : Number(mark) - s.config.recovery.minAgeMs
    let cursor: string | undefined
    page: do {
      const { items, nextCursor } = await s.store.listConversations({}, { limit: 200, ...(cursor !== undefined ? { cursor } : {}) })
      for (const conversation of items) {
        if (conversation.lastActivityAt.getTime() < since) break page
        await enqueueRelay(s, { deskId, conversationId: conversation.id }, `desk-${deskId}-sweep-${conversation.id}-${now.getTime()}`)
      }
      cursor = nextCursor ?? undefined
    } while (cursor !== undefined)
    await s.store.kvSet(`desk:${deskId}`, 'swept-at', String(now.getTime()))
  }
}
