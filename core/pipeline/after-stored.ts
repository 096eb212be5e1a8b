import type { HubServices } from '../services.js'

/**
 * How long an answer waits for what follows a write the store already holds. With Redis away
 * the event and the job can wait for its return; the write stands regardless.
 */
export const AFTER_STORED_WAIT_MS = 1000

/**
 * Runs what follows a durable write (agents' events, a job), in order, each failure logged by
 * its id and never thrown: the API answers by what the store holds, so a reply that was
 * stored is accepted even when Redis is down. The recovery sweep queues what is still
 * pending, and the agents' lists catch up when they next read. Waits at most
 * AFTER_STORED_WAIT_MS; the rest goes on in the background.
 */
export async function afterStored (s: Pick<HubServices, 'logger'>, ids: Record<string, string>, steps: Array<() => Promise<unknown>>): Promise<void> {
  const all = (async () => {
    for (const step of steps) {
      await step().catch((err: unknown) => {
        s.logger.error({ ...ids, err: { message: (err as Error).message } }, 'after a stored write: step failed; recovery will catch up')
      })
    }
  })()
  await within(all, AFTER_STORED_WAIT_MS).catch(() => {})
}

/** The promise's outcome, or a rejection with `timedOut` once `ms` pass first (the promise itself goes on). */
export async function within<T> (promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(timedOut), ms) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

const timedOut = new Error('timed out')
