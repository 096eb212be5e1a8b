/** The hub's kinds of work: route (and deliver to agents), send out, drain the waiting queue, relay to agents' desks. */
export type JobName = 'route' | 'send' | 'drain' | 'desk'

export interface JobInfo {
  id: string
  /** 1 on the first try. */
  attempt: number
  maxAttempts: number
}

export type JobHandler<T> = (data: T, job: JobInfo) => Promise<void>

export interface EnqueueOptions {
  /** A job with the id of one still queued or running is not added again. */
  jobId?: string
  attempts?: number
  /** First retry delay; each later retry doubles it. */
  backoffMs?: number
}

/**
 * Thrown by a handler to say how its failure should be treated: `retryable: false` stops
 * at once; `retryAfterMs` replaces the exponential delay (a remote's Retry-After).
 * Any other error is retried while attempts remain.
 */
export class JobFailure extends Error {
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  constructor (message: string, options: { retryable: boolean, retryAfterMs?: number }) {
    super(message)
    this.name = 'JobFailure'
    this.retryable = options.retryable
    this.retryAfterMs = options.retryAfterMs
  }
}

/** Delay before retry number `attempt` (1-based: the first retry follows attempt 1). */
export function retryDelay (attempt: number, backoffMs: number, error: unknown): number {
  if (error instanceof JobFailure && error.retryAfterMs !== undefined) return error.retryAfterMs
  return backoffMs * 2 ** (attempt - 1)
}

export interface WorkOptions {
  concurrency: number
  /** One job of this name at a time across every process (jobs that must keep their order). */
  serial?: boolean
}

/** Every driver passes test/queue.contract.ts. */
export interface Queue {
  readonly driver: string
  add (name: JobName, data: object, options?: EnqueueOptions): Promise<void>
  /** Starts processing `name` in this process. */
  work (name: JobName, handler: JobHandler<any>, options: WorkOptions): Promise<void>
  /** Throws when the queue's backend cannot answer. */
  ping (): Promise<void>
  /** Stops taking jobs, waits for running ones, then disconnects. */
  close (): Promise<void>
}
