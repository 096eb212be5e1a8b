import type { Logger } from 'pino'
import { Fifo } from './fifo.js'
import { JobFailure, retryDelay, type EnqueueOptions, type JobHandler, type JobName, type Queue, type WorkOptions } from '../queue.js'

interface Job {
  id: string
  name: JobName
  data: object
  attempt: number
  maxAttempts: number
  backoffMs: number
}

interface Lane {
  handler: JobHandler<object>
  concurrency: number
  running: number
}

let sequence = 0

/**
 * In-process queue for the embedded default. Jobs live in memory: what a crash loses is
 * rebuilt from the store at start (pending outbound, unrouted inbound), never from here.
 */
export class InlineQueue implements Queue {
  readonly driver = 'inline'
  private readonly waiting = new Map<JobName, Fifo<Job>>()
  private readonly lanes = new Map<JobName, Lane>()
  /** Ids of jobs waiting, retrying or running: adding one of them again is a no-op. */
  private readonly live = new Set<string>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly idle = new Set<() => void>()
  private closed = false

  constructor (private readonly logger: Logger) {}

  async add (name: JobName, data: object, options: EnqueueOptions = {}): Promise<void> {
    if (this.closed) throw new Error('queue is closed')
    const id = options.jobId ?? `inline-${++sequence}`
    if (this.live.has(id)) return
    this.live.add(id)
    this.push({ id, name, data, attempt: 1, maxAttempts: options.attempts ?? 1, backoffMs: options.backoffMs ?? 1000 })
  }

  async work (name: JobName, handler: JobHandler<any>, options: WorkOptions): Promise<void> {
    // One process: serial is simply one at a time here.
    this.lanes.set(name, { handler, concurrency: options.serial === true ? 1 : options.concurrency, running: 0 })
    this.pump(name)
  }

  async ping (): Promise<void> {
    if (this.closed) throw new Error('queue is closed')
  }

  async close (): Promise<void> {
    this.closed = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    const busy = (): boolean => [...this.lanes.values()].some(l => l.running > 0)
    while (busy()) await new Promise<void>(resolve => this.idle.add(resolve))
  }

  private push (job: Job): void {
    const list = this.waiting.get(job.name) ?? new Fifo<Job>()
    list.push(job)
    this.waiting.set(job.name, list)
    this.pump(job.name)
  }

  private pump (name: JobName): void {
    const lane = this.lanes.get(name)
    const list = this.waiting.get(name)
    while (lane !== undefined && list !== undefined && list.size > 0 && lane.running < lane.concurrency && !this.closed) {
      const job = list.shift()!
      lane.running++
      void this.run(lane, job).finally(() => {
        lane.running--
        for (const wake of this.idle) wake()
        this.idle.clear()
        this.pump(name)
      })
    }
  }

  private async run (lane: Lane, job: Job): Promise<void> {
    try {
      await lane.handler(job.data, { id: job.id, attempt: job.attempt, maxAttempts: job.maxAttempts })
      this.live.delete(job.id)
    } catch (err) {
      const final = err instanceof JobFailure && !err.retryable
      if (final || job.attempt >= job.maxAttempts || this.closed) {
        this.live.delete(job.id)
        this.logger.warn({ job: job.name, jobId: job.id, attempt: job.attempt, err: { message: (err as Error).message } }, 'job failed')
        return
      }
      const delay = retryDelay(job.attempt, job.backoffMs, err)
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        this.push({ ...job, attempt: job.attempt + 1 })
      }, delay)
      this.timers.add(timer)
    }
  }
}
