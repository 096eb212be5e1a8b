import { Redis } from 'ioredis'
import type { Test } from 'tap'

/** The Redis the tests use; the test script starts one on 127.0.0.1:6379 if none answers. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A key prefix no other test run shares, so parallel files and reruns never see each other's jobs. */
export function uniquePrefix (name: string): string {
  return `omnihub-test-${name}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
}

/** A unique prefix whose keys are deleted when the test ends. */
export function cleanedPrefix (t: Test, name: string): string {
  const prefix = uniquePrefix(name)
  t.teardown(async () => {
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${prefix}:*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
  })
  return prefix
}
