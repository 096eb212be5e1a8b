import { Redis } from 'ioredis'
import { pino } from 'pino'
import t from 'tap'
import { BullmqSettings, type BullmqQueueSettings } from '../core/config/index.js'
import { check } from '../core/config/problems.js'
import { BullmqQueue } from '../core/queue/bullmq/queue.js'
import { queueContract, until } from './queue.contract.js'
import { REDIS_URL, uniquePrefix } from './helpers/redis.js'

const logger = pino({ level: 'silent' })
/** A queue with the hub's default lock and stall settings. */
const bullmq = (prefix: string, redis = REDIS_URL): BullmqQueue =>
  new BullmqQueue(check<BullmqQueueSettings>(BullmqSettings, { driver: 'bullmq', redis, prefix }, ['queue']).value, logger)
const prefixes: string[] = []
queueContract(t, async () => {
  const prefix = uniquePrefix('queue')
  prefixes.push(prefix)
  return bullmq(prefix)
})

t.test('bullmq: two workers on one queue run each job once', async t => {
  const prefix = uniquePrefix('shared')
  prefixes.push(prefix)
  const producer = bullmq(prefix)
  const a = bullmq(prefix)
  const b = bullmq(prefix)
  const runs = new Map<number, number>()
  for (const q of [a, b]) {
    await q.work('send', async (data: { n: number }) => {
      runs.set(data.n, (runs.get(data.n) ?? 0) + 1)
      await new Promise(resolve => setTimeout(resolve, 5))
    }, { concurrency: 4 })
  }
  for (let n = 0; n < 100; n++) await producer.add('send', { n }, { jobId: `job-${n}` })
  await until(() => runs.size === 100, 20_000, '100 jobs')
  await new Promise(resolve => setTimeout(resolve, 300))
  t.same([...runs.values()].filter(v => v !== 1), [], 'no job ran twice')
  await Promise.all([producer.close(), a.close(), b.close()])
})

t.test('bullmq: a serial job name runs one job at a time across processes', async t => {
  const prefix = uniquePrefix('serial')
  prefixes.push(prefix)
  const [a, b] = [bullmq(prefix), bullmq(prefix)]
  let running = 0
  let most = 0
  const done: number[] = []
  for (const q of [a, b]) {
    await q.work('desk', async (data: { n: number }) => {
      most = Math.max(most, ++running)
      await new Promise(resolve => setTimeout(resolve, 10))
      running--
      done.push(data.n)
    }, { concurrency: 4, serial: true })
  }
  for (let n = 0; n < 30; n++) await a.add('desk', { n })
  await until(() => done.length === 30, 20_000, '30 jobs')
  t.equal(most, 1, 'never two at once, though two workers could take four each')
  t.same(done, [...Array(30).keys()], 'in the order added')
  await Promise.all([a.close(), b.close()])
})

t.test('bullmq: a queued job survives its producer and runs on a later worker', async t => {
  const prefix = uniquePrefix('durable')
  prefixes.push(prefix)
  const producer = bullmq(prefix)
  await producer.add('send', { n: 1 }, { jobId: 'durable-1' })
  await producer.close()
  const worker = bullmq(prefix)
  const seen: unknown[] = []
  await worker.work('send', async data => { seen.push(data) }, { concurrency: 1 })
  await until(() => seen.length === 1)
  t.same(seen, [{ n: 1 }])
  await worker.close()
})

t.test('bullmq: an unreachable Redis fails add and ping quickly', async t => {
  const queue = bullmq(uniquePrefix('down'), 'redis://127.0.0.1:1')
  const started = Date.now()
  await t.rejects(queue.add('route', {}))
  await t.rejects(queue.ping())
  t.ok(Date.now() - started < 5000, 'no hang')
  await queue.close()
})

t.teardown(async () => {
  const redis = new Redis(REDIS_URL)
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`)
    if (keys.length > 0) await redis.del(...keys)
  }
  await redis.quit()
})
