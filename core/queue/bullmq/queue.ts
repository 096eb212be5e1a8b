import { Queue as BullQueue, UnrecoverableError, Worker, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { BullmqQueueSettings } from '../../config/index.js'
import { JobFailure, retryDelay, type EnqueueOptions, type JobHandler, type JobName, type Queue, type WorkOptions } from '../queue.js'

/**
 * BullMQ over Redis: jobs survive restarts and are shared by every hub and worker process
 * with the same Redis and prefix; BullMQ's locks make each job run once.
 */
export class BullmqQueue implements Queue {
  readonly driver = 'bullmq'
  private readonly producers = new Map<JobName, BullQueue>()
  private readonly workers: Worker[] = []
  /** Adds fail after one reconnect attempt while Redis is away, so a webhook gets a 503 instead of hanging. */
  private readonly connection: Redis

  constructor (private readonly settings: Pick<BullmqQueueSettings, 'redis' | 'prefix' | 'lockMs' | 'stallCheckMs' | 'maxStalls'>, private readonly logger: Logger) {
    this.connection = new Redis(settings.redis, { maxRetriesPerRequest: 1, lazyConnect: true })
    this.connection.on('error', (err: Error) => this.logger.warn({ code: (err as NodeJS.ErrnoException).code }, 'redis connection error'))
  }

  private producer (name: JobName): BullQueue {
    let queue = this.producers.get(name)
    if (queue === undefined) {
      queue = new BullQueue(name, { connection: this.connection, prefix: this.settings.prefix, skipWaitingForReady: true })
      queue.on('error', err => this.logger.warn({ job: name, err: { message: err.message } }, 'queue error'))
      this.producers.set(name, queue)
    }
    return queue
  }

  async add (name: JobName, data: object, options: EnqueueOptions = {}): Promise<void> {
    const attempts = options.attempts ?? 1
    const producer = this.producer(name)
    try {
      await producer.add(name, data, {
        ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
        attempts,
        backoff: { type: 'omnihub', delay: options.backoffMs ?? 1000 },
        // The store keeps the record; finished jobs would only block re-adding the same id.
        removeOnComplete: true,
        removeOnFail: true
      })
    } catch (err) {
      // A BullMQ Queue whose first command failed (made while Redis was away) keeps that failure
      // for every later add, even once its connection is ready again: the next add gets a new one.
      if (this.producers.get(name) === producer) this.producers.delete(name)
      await producer.close().catch(() => {})
      throw err
    }
  }

  async work (name: JobName, handler: JobHandler<any>, options: WorkOptions): Promise<void> {
    // BullMQ's global concurrency is kept in Redis: every process's workers honour it.
    if (options.serial === true) await this.producer(name).setGlobalConcurrency(1)
    const worker = new Worker(name, async (job: Job) => {
      try {
        await handler(job.data, { id: job.id ?? '', attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 })
      } catch (err) {
        if (err instanceof JobFailure && !err.retryable) throw new UnrecoverableError(err.message)
        throw err
      }
    }, {
      // Workers block on Redis: they need their own connection that retries forever.
      connection: new Redis(this.settings.redis, { maxRetriesPerRequest: null }),
      prefix: this.settings.prefix,
      concurrency: options.serial === true ? 1 : options.concurrency,
      lockDuration: this.settings.lockMs,
      stalledInterval: this.settings.stallCheckMs,
      maxStalledCount: this.settings.maxStalls,
      settings: {
        backoffStrategy: (attemptsMade, _type, err, job) =>
          retryDelay(attemptsMade, (job?.opts.backoff as { delay?: number } | undefined)?.delay ?? 1000, err)
      }
    })
    worker.on('failed', (job, err) => this.logger.warn({ job: name, jobId: job?.id, attempt: job?.attemptsMade, err: { message: err.message } }, 'job failed'))
    worker.on('stalled', jobId => this.logger.warn({ job: name, jobId }, 'job taken over from a worker that stopped renewing its lock'))
    worker.on('error', err => this.logger.warn({ job: name, err: { message: err.message } }, 'worker error'))
    this.workers.push(worker)
  }

  async ping (): Promise<void> {
    await this.connection.ping()
  }

  async close (): Promise<void> {
    await Promise.all(this.workers.map(async w => {
      await w.close()
      await (w.opts.connection as Redis).quit().catch(() => {})
    }))
    await Promise.all([...this.producers.values()].map(async q => await q.close()))
    await this.connection.quit().catch(() => {})
  }
}
