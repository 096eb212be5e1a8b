import { pino } from 'pino'
import t from 'tap'
import { LocalEventBus, RedisEventBus, type EventBus } from '../core/events/index.js'
import { REDIS_URL, uniquePrefix } from './helpers/redis.js'

/** Collects what a topic's listener hears. */
function listen (bus: EventBus, topic: string): { heard: unknown[], stop: () => void } {
  const heard: unknown[] = []
  return { heard, stop: bus.onSignal(topic, payload => heard.push(payload)) }
}

async function until (what: string, done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

t.test('in one process, a signal reaches its topic\'s listeners as a copy', async t => {
  const bus = new LocalEventBus()
  const a = listen(bus, 'channel:web')
  const other = listen(bus, 'channel:mail')
  const payload = { to: 'v_1', frame: { type: 'typing', on: true } }
  await bus.signal('channel:web', payload)
  t.same(a.heard, [payload])
  t.not(a.heard[0], payload, 'not the sender\'s object')
  t.same(other.heard, [], 'other topics hear nothing')
  a.stop()
  await bus.signal('channel:web', payload)
  t.equal(a.heard.length, 1, 'a removed listener hears no more')
})

t.test('over Redis, a signal from one process reaches every process, and is not kept', async t => {
  const prefix = uniquePrefix('signals')
  const logger = pino({ level: 'silent' })
  const [one, two] = [new RedisEventBus(REDIS_URL, prefix, logger), new RedisEventBus(REDIS_URL, prefix, logger)]
  t.teardown(async () => { await one.close(); await two.close() })
  await one.open()
  await two.open()
  const here = listen(one, 'channel:web')
  const there = listen(two, 'channel:web')
  await new Promise(resolve => setTimeout(resolve, 200))
  await one.signal('channel:web', { to: 'v_1', n: 1 })
  await until('both processes hear it', () => here.heard.length === 1 && there.heard.length === 1)
  t.same(there.heard, [{ to: 'v_1', n: 1 }])
  t.same(await one.since('0-0'), null, 'signals are not events: nothing is kept for replay')
  there.stop()
  await one.signal('channel:web', { n: 2 })
  await until('the sender hears it', () => here.heard.length === 2)
  t.equal(there.heard.length, 1, 'a removed listener hears no more')
})
