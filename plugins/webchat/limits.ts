/**
 * Token buckets per key (a visitor, an IP address): `perMinute` refill, bursts up to `burst`.
 * In memory, per process: a visitor's connection lives on one process, and a crude limit per
 * process still stops a flood. Idle buckets are forgotten.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number, at: number }>()

  constructor (private readonly perMinute: number, private readonly burst = Math.max(1, Math.ceil(perMinute / 3))) {}

  /** 0 when allowed (and counted); else the milliseconds until one more would be. */
  take (key: string, now: number): number {
    if (this.buckets.size > 50_000) this.prune(now)
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMinute / 60_000)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.ceil((1 - bucket.tokens) * 60_000 / this.perMinute)
  }

  private prune (now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at > 60_000 * this.burst / this.perMinute) this.buckets.delete(key)
    }
  }
}

/** Open connections per key, with a ceiling. */
export class Counter {
  private readonly counts = new Map<string, number>()

  constructor (private readonly max: number) {}

  /** Counts one more unless at the ceiling; false then. */
  acquire (key: string): boolean {
    const count = this.counts.get(key) ?? 0
    if (count >= this.max) return false
    this.counts.set(key, count + 1)
    return true
  }

  release (key: string): void {
    const count = (this.counts.get(key) ?? 1) - 1
    if (count <= 0) this.counts.delete(key)
    else this.counts.set(key, count)
  }
}
