import { pino } from 'pino'
import t, { type Test } from 'tap'
import { LocalEventBus, RedisEventBus, REPLAY_MAX, REPLAY_WINDOW, type EventBus, type HubEvent } from '../core/events/index.js'
import { cleanedPrefix, REDIS_URL } from './helpers/redis.js'

/** More events than a bus keeps, so its window has moved on past the first ones. */
const PUBLISHED = REPLAY_WINDOW + 500

/** Publishes `PUBLISHED` queue updates (size = their order) and returns them as a listener heard them. */
async function fill (bus: EventBus): Promise<HubEvent[]> {
  const heard: HubEvent[] = []
  bus.subscribe(event => heard.push(event))
  for (let size = 1; size <= PUBLISHED; size++) await bus.publish({ type: 'queue.updated', teamId: null, size, audience: { teams: 'all', agents: [] } })
  return heard
}

const buses: Array<[string, (t: Test) => Promise<EventBus>]> = [
  ['local', async () => new LocalEventBus()],
  ['redis', async t => {
    const bus = new RedisEventBus(REDIS_URL, cleanedPrefix(t, 'replay'), pino({ level: 'silent' }))
    await bus.open()
    t.teardown(async () => await bus.close())
    return bus
  }]
]

for (const [name, open] of buses) {
  t.test(`${name} bus: a socket that reconnects after the window has moved on gets what it missed, in order, or null`, async t => {
    const bus = await open(t)
    const heard = await fill(bus)
    // The Redis bus hears its own events back over the stream.
    while (heard.length < PUBLISHED) await new Promise(resolve => setTimeout(resolve, 20))
    const sizes = (events: HubEvent[] | null): number[] | null => events?.map(e => (e as HubEvent & { size: number }).size) ?? null
    t.same(await bus.since(heard.at(-1)!.id), [], 'up to date: nothing to replay')
    const from = heard.at(-1 - REPLAY_MAX)!
    t.same(sizes(await bus.since(from.id)), sizes(heard.slice(-REPLAY_MAX)), 'the most a reconnect replays, exactly the ones after its last id')
    t.same(sizes(await bus.since(heard.at(-6)!.id)), [PUBLISHED - 4, PUBLISHED - 3, PUBLISHED - 2, PUBLISHED - 1, PUBLISHED])
    t.equal(await bus.since(heard.at(-2 - REPLAY_MAX)!.id), null, 'one more than that: refetch instead')
    t.equal(await bus.since(heard[0]!.id), null, 'the first events are no longer kept')
    t.equal(await bus.since('1-1'), null, 'an id from long before')
  })
}
