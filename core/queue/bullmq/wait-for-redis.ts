import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { HubError } from '../../errors.js'

/**
 * Start-up waits here for Redis: one log line per failed attempt, a second apart, then the
 * start fails with redis_unavailable once `waitMs` have passed, instead of a hub that never
 * listens and never exits. Only the host is ever named: the URL may carry a password.
 */
export async function waitForRedis (url: string, waitMs: number, logger: Logger): Promise<void> {
  const { host } = new URL(url)
  const deadline = Date.now() + waitMs
  for (let attempt = 1; ; attempt++) {
    const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1000, commandTimeout: 1000 })
    let cause: unknown
    client.on('error', (err: Error) => { cause = err })
    try {
      await client.connect()
      await client.ping()
      if (attempt > 1) logger.info({ host, attempt }, 'Redis answers')
      return
    } catch (err) {
      const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? (err as NodeJS.ErrnoException).code ?? (err as Error).message
      if (Date.now() >= deadline) {
        throw new HubError('redis_unavailable', `Redis at ${host} did not answer within ${Math.round(waitMs / 1000)} s (${code}); start it, or check queue.redis (queue.startupWaitMs sets how long to wait).`)
      }
      logger.warn({ host, attempt, code }, 'waiting for Redis')
      await new Promise(resolve => setTimeout(resolve, 1000))
    } finally {
      client.disconnect()
    }
  }
}
