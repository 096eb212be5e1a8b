import type { Test } from 'tap'
import { JobFailure, type JobInfo, type Queue } from '../core/queue/index.js'

/** Resolves when `predicate` holds, polling; fails the test after `ms`. */
export async function until (predicate: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/** The behaviour every Queue driver must have; run by queue-<driver>.test.ts. */
export function queueContract (t: Test, makeQueue: () => Promise<Queue>): void {
  let queue: Queue
  t.beforeEach(async () => { queue = await makeQueue() })
  t.afterEach(async () => { await queue.close() })

  t.test('a job runs once with its data', async t => {
    const seen: Array<{ data: unknown, job: JobInfo }> = []
    await queue.work('route', async (data, job) => { seen.push({ data, job }) }, { concurrency: 2 })
    await queue.add('route', { messageId: 'm1' })
    await until(() => seen.length === 1, 10_000, 'job')
    await new Promise(resolve => setTimeout(resolve, 200))
    t.equal(seen.length, 1)
    t.same(seen[0]?.data, { messageId: 'm1' })
    t.match(seen[0]?.job, { attempt: 1, maxAttempts: 1 })
  })

  t.test('a serial job name runs one job at a time, in the order added', async t => {
    let running = 0
    let most = 0
    const order: number[] = []
    await queue.work('desk', async (data: { n: number }) => {
      most = Math.max(most, ++running)
      await new Promise(resolve => setTimeout(resolve, 5))
      order.push(data.n)
      running--
    }, { concurrency: 4, serial: true })
    for (let n = 0; n < 12; n++) await queue.add('desk', { n })
    await until(() => order.length === 12, 10_000, '12 jobs')
    t.equal(most, 1, 'never two at once')
    t.same(order, [...Array(12).keys()])
  })

  t.test('job names are separate queues', async t => {
    const routed: unknown[] = []
    const sent: unknown[] = []
    await queue.work('route', async data => { routed.push(data) }, { concurrency: 1 })
    await queue.work('send', async data => { sent.push(data) }, { concurrency: 1 })
    await queue.add('send', { n: 1 })
    await queue.add('route', { n: 2 })
    await until(() => routed.length + sent.length === 2)
    t.same(routed, [{ n: 2 }])
    t.same(sent, [{ n: 1 }])
  })

  t.test('a job id already queued is not added twice', async t => {
    let runs = 0
    let release!: () => void
    const gate = new Promise<void>(resolve => { release = resolve })
    await queue.work('send', async () => { runs++; await gate }, { concurrency: 4 })
    await queue.add('send', {}, { jobId: 'send-x' })
    await until(() => runs === 1)
    await queue.add('send', {}, { jobId: 'send-x' })
    await new Promise(resolve => setTimeout(resolve, 300))
    t.equal(runs, 1, 'the running job was not duplicated')
    release()
  })

  t.test('a job id can run again once its job finished', async t => {
    let runs = 0
    await queue.work('send', async () => { runs++ }, { concurrency: 1 })
    await queue.add('send', {}, { jobId: 'send-y' })
    await until(() => runs === 1)
    await new Promise(resolve => setTimeout(resolve, 100))
    await queue.add('send', {}, { jobId: 'send-y' })
    await until(() => runs === 2, 10_000, 'second run')
    t.equal(runs, 2)
  })

  t.test('failures are retried with exponential backoff until one succeeds', async t => {
    const starts: number[] = []
    const attempts: number[] = []
    await queue.work('send', async (_data, job) => {
      starts.push(Date.now())
      attempts.push(job.attempt)
      if (job.attempt < 3) throw new Error('temporary')
    }, { concurrency: 1 })
    await queue.add('send', {}, { attempts: 5, backoffMs: 100 })
    await until(() => attempts.length === 3, 10_000, 'three attempts')
    await new Promise(resolve => setTimeout(resolve, 500))
    t.same(attempts, [1, 2, 3], 'stops after the success')
    const gaps = [starts[1]! - starts[0]!, starts[2]! - starts[1]!]
    t.ok(gaps[0]! >= 90, `first retry waited ~100 ms (${gaps[0]})`)
    t.ok(gaps[1]! >= 190, `second retry waited ~200 ms (${gaps[1]})`)
  })

  t.test('retryAfterMs replaces the computed delay', async t => {
    const starts: number[] = []
    await queue.work('send', async (_data, job) => {
      starts.push(Date.now())
      if (job.attempt === 1) throw new JobFailure('rate limited', { retryable: true, retryAfterMs: 600 })
    }, { concurrency: 1 })
    await queue.add('send', {}, { attempts: 3, backoffMs: 10 })
    await until(() => starts.length === 2)
    t.ok(starts[1]! - starts[0]! >= 550, `waited as asked (${starts[1]! - starts[0]!} ms)`)
  })

  t.test('a final failure is not retried', async t => {
    let runs = 0
    await queue.work('send', async () => { runs++; throw new JobFailure('refused', { retryable: false }) }, { concurrency: 1 })
    await queue.add('send', {}, { attempts: 5, backoffMs: 20 })
    await until(() => runs === 1)
    await new Promise(resolve => setTimeout(resolve, 400))
    t.equal(runs, 1)
  })

  t.test('attempts run out', async t => {
    let runs = 0
    await queue.work('send', async () => { runs++; throw new Error('always') }, { concurrency: 1 })
    await queue.add('send', {}, { attempts: 3, backoffMs: 20 })
    await until(() => runs === 3)
    await new Promise(resolve => setTimeout(resolve, 400))
    t.equal(runs, 3)
  })

  t.test('concurrency bounds jobs running at once', async t => {
    let running = 0
    let peak = 0
    let done = 0
    await queue.work('drain', async () => {
      running++
      peak = Math.max(peak, running)
      await new Promise(resolve => setTimeout(resolve, 30))
      running--
      done++
    }, { concurrency: 3 })
    for (let i = 0; i < 12; i++) await queue.add('drain', { i })
    await until(() => done === 12, 15_000, 'all jobs')
    t.equal(peak, 3)
  })

  t.test('close waits for the running job', async t => {
    let finished = false
    let started = false
    await queue.work('route', async () => {
      started = true
      await new Promise(resolve => setTimeout(resolve, 200))
      finished = true
    }, { concurrency: 1 })
    await queue.add('route', {})
    await until(() => started)
    await queue.close()
    t.equal(finished, true)
    queue = await makeQueue() // afterEach closes a live queue
  })

  t.test('ping answers', async t => {
    await t.resolves(queue.ping())
  })
}
