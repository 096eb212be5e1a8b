/**
 * A test's stand-in for a crash: armed with k, the driver throws `InjectedCrash` right after
 * its k-th write from then on, as if the process died there. What a driver wrote inside a
 * transaction is then undone; what it wrote outside one stays, for redelivery or `repair` to
 * finish. Production passes none, and the drivers' write paths then skip the count.
 */
export class InjectedCrash extends Error {
  constructor (readonly afterWrite: number) {
    super(`injected crash after write ${afterWrite}`)
    this.name = 'InjectedCrash'
  }
}

export class FaultPlan {
  private remaining = 0
  private writes = 0
  /** Whether the armed crash happened (false: the operation has fewer writes than k). */
  fired = false

  /** Crash after the k-th write from now on (k ≥ 1). */
  crashAfterWrites (k: number): void {
    this.remaining = k
    this.writes = 0
    this.fired = false
  }

  /** Counts the writes from now on without crashing. */
  count (): void { this.crashAfterWrites(0) }

  /** How many writes were counted since the plan was last armed. */
  get written (): number { return this.writes }

  /** The driver calls this after each write. */
  wrote (): void {
    this.writes++
    if (this.remaining > 0 && --this.remaining === 0) {
      this.fired = true
      throw new InjectedCrash(this.writes)
    }
  }
}
