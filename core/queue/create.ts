import type { Logger } from 'pino'
import type { QueueSettings } from '../config/index.js'
import type { Queue } from './queue.js'

/** Loads only the driver in use, so the embedded default never touches Redis. */
export async function createQueue (settings: QueueSettings, logger: Logger): Promise<Queue> {
  if (settings.driver === 'bullmq') {
    const { BullmqQueue } = await import('./bullmq/queue.js')
    return new BullmqQueue(settings, logger)
  }
  const { InlineQueue } = await import('./inline/queue.js')
  return new InlineQueue(logger)
}
