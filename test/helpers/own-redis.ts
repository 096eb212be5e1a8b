import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { Redis } from 'ioredis'
import { freePort } from './process.js'

/** A Redis of the test's own on a free loopback port, which the test may stop and start again. */
export class OwnRedis {
  private child: ChildProcess | undefined
  private readonly dir = mkdtempSync(join(tmpdir(), 'omnihub-redis-'))

  private constructor (readonly port: number) {}

  static async start (t: Test): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort())
    await redis.up()
    t.teardown(() => redis.down())
    return redis
  }

  get url (): string { return `redis://127.0.0.1:${this.port}` }

  async up (): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' })
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null })
    probe.on('error', () => {})
    try {
      for (let i = 0; i < 100; i++) {
        if (await probe.ping().then(() => true, () => false)) return
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      throw new Error(`redis-server did not answer on port ${this.port}`)
    } finally {
      probe.disconnect()
    }
  }

  /** Stopped in place: connections stay open and nothing answers, as with a hung server or a lost network. */
  freeze (): void { this.child?.kill('SIGSTOP') }
  thaw (): void { this.child?.kill('SIGCONT') }

  /** Killed, not shut down: what an outage looks like to the hub. */
  down (): void {
    this.thaw()
    this.child?.kill('SIGKILL')
    this.child = undefined
  }
}
