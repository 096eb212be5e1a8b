import pino from 'pino'
import t from 'tap'
import { CustomerPresence } from '../core/channels/index.js'
import { RedisEventBus } from '../core/events/index.js'
import { until } from './queue.contract.js'
import { startTestHub } from './helpers/hub.js'
import { cleanedPrefix, REDIS_URL } from './helpers/redis.js'
import { VisitorClient } from './helpers/visitor.js'

const logger = pino({ level: 'silent' })
const noStore = { getConversation: async () => null }

t.test('two hub processes on one Redis: a visitor on process A is on the site for process B; when A dies, B lets them go', async t => {
  const prefix = cleanedPrefix(t, 'presence')
  const buses = [new RedisEventBus(REDIS_URL, prefix, logger), new RedisEventBus(REDIS_URL, prefix, logger)]
  for (const bus of buses) await bus.open()
  t.teardown(async () => { for (const bus of buses) await bus.close() })
  const [a, b] = buses.map(bus => new CustomerPresence({ bus, store: noStore, logger, clock: () => new Date() }, { beatMs: 100, staleMs: 400 }))
  a!.start(); b!.start()
  t.teardown(() => { a!.stop(); b!.stop() })
  const ann = [{ channelId: 'webchat', externalId: 'v_ann' }]
  t.equal(b!.of(ann), null, 'never seen')
  await a!.report('webchat', 'v_ann', { online: true, page: { url: 'https://shop.example/shirt', title: 'Linen shirt' } })
  await until(() => b!.of(ann)?.online === true, 5000, 'B hears')
  t.match(b!.of(ann), { online: true, url: 'https://shop.example/shirt', title: 'Linen shirt' })
  await a!.report('webchat', 'v_ann', { online: false })
  await until(() => b!.of(ann)?.online === false, 5000, 'B hears she left')
  t.equal(b!.of(ann)?.url, 'https://shop.example/shirt', 'where she was last')
  await a!.report('webchat', 'v_ann', { online: true })
  await until(() => b!.of(ann)?.online === true, 5000, 'back')
  a!.stop()
  await until(() => b!.of(ann)?.online === false, 5000, 'A stopped beating: B lets her go')
})

t.test('a webchat visitor\'s presence: online with their page in the list and on the contact, live to agents; gone when the tab closes', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat' }] })
  const stream = await h.stream()
  const v = await VisitorClient.connect(h.url)
  await v.ready()
  v.send({ type: 'page', url: 'https://shop.example/shirt', title: 'Linen shirt' })
  await v.next(f => f.type === 'welcome')
  await v.say('Is M in stock?')
  const row = async (): Promise<Record<string, any>> => (await h.api('GET', '/conversations')).body.items[0]
  t.match((await row()).presence, { online: true, url: 'https://shop.example/shirt', title: 'Linen shirt' })
  t.match((await h.api('GET', `/contacts/${(await row()).contactId}`)).body.presence, { online: true, title: 'Linen shirt' })
  const from = v.frames.length
  v.send({ type: 'page', url: 'https://shop.example/cart', title: 'Cart' })
  await v.next(f => f.type === 'welcome', { from })
  t.match(await stream.next(e => e.type === 'contact.presence' && e.presence.url === 'https://shop.example/cart'), { contactId: (await row()).contactId, presence: { online: true, title: 'Cart' } }, 'agents hear the new page')
  const tab2 = await VisitorClient.connect(h.url, { token: v.token })
  await tab2.ready()
  tab2.close()
  await new Promise(resolve => setTimeout(resolve, 200))
  t.equal((await row()).presence.online, true, 'one tab of two closed: still on the site')
  v.close()
  t.match(await stream.next(e => e.type === 'contact.presence' && e.presence.online === false), { presence: { online: false, url: 'https://shop.example/cart' } }, 'the last tab closed: gone, live')
  t.equal((await row()).presence.online, false)
})
