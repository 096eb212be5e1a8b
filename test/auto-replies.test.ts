import t from 'tap'
import { FakeGraph } from './fakes/graph.js'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET, inboundBody, startTestHub, type TestHub } from './helpers/hub.js'
import { messengerChannel, messengerCustomerWrote } from './helpers/messenger.js'
import { until } from './queue.contract.js'

const graph = new FakeGraph()
const callback = new CallbackReceiver()
await graph.listen()
await callback.listen()
t.teardown(async () => { await graph.close(); await callback.close() })

/** Mon–Fri 09:00–18:00 in Shanghai. */
const HOURS = { timezone: 'Asia/Shanghai', days: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map(d => [d, ['09:00-18:00']])) }
const MONDAY_10AM = new Date('2026-11-23T02:00:00Z')
const SUNDAY_NOON = new Date('2026-11-22T04:00:00Z')

const replies = (conversationId: string): Array<Record<string, any>> => callback.received.map(r => r.body as Record<string, any>).filter(b => b.conversationId === conversationId && b.author.type === 'bot')
const settle = async (h: { hub: { services: { store: any } } }, id: string): Promise<void> => {
  await until(async () => (await h.hub.services.store.listMessages(id, { limit: 100 })).items.every((m: { routed: boolean, direction: string }) => m.direction !== 'inbound' || m.routed), 10_000, 'routed')
  await until(async () => (await h.hub.services.store.listMessages(id, { limit: 100 })).items.every((m: { status: string }) => m.status !== 'pending'), 10_000, 'sent')
}

/** What a customer writes on the api channel, once the hub routed and answered it: the conversation's id. */
const customer = (h: TestHub, from: { id: string, name: string }) => async (text: string): Promise<string> => {
  const id = ((await (await h.inbound(inboundBody({ from, text }))).json()) as { conversationId: string }).conversationId
  await settle(h, id)
  return id
}

t.test('the welcome goes once per conversation; the first-message reply once per period; never while a person just answered', async t => {
  let now = MONDAY_10AM
  const h = await startTestHub(t, {
    clock: () => now,
    channels: [{
      id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url,
      autoReplies: { welcome: 'Hi {contact.name}, welcome to the shop!', firstMessage: 'Thanks, we got your message.', businessHours: HOURS, periodHours: 24, quietMinutes: 5 }
    }]
  })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  const say = customer(h, { id: 'wen-1', name: 'Wen' })
  const id = await say('hello')
  await say('is anyone there?')
  await say('my order 42?')
  t.same(replies(id).map(r => r.text), ['Hi Wen, welcome to the shop!'], 'one welcome, and no first-message reply beside it')
  t.match((await h.hub.services.store.listMessages(id, { limit: 10 })).items.find((m: { author: { type: string } }) => m.author.type === 'bot'), { extras: { automated: 'welcome' } }, 'marked as automated for agents')

  now = new Date(now.getTime() + 25 * 3_600_000)
  await say('back again, any news?')
  await say('hello?')
  t.same(replies(id).map(r => r.text), ['Hi Wen, welcome to the shop!', 'Thanks, we got your message.'], 'the next day: the first-message reply, once')

  now = new Date(now.getTime() + 25 * 3_600_000)
  t.equal((await ana.api('POST', `/conversations/${id}/messages`, { text: 'Your order left today.' })).status, 202)
  await settle(h, id)
  now = new Date(now.getTime() + 2 * 60_000)
  await say('great, thanks')
  t.equal(replies(id).length, 2, 'a person answered two minutes ago: no automatic reply')
})

t.test('away outside business hours, busy when the agent is: once per period, in the customer\'s language, on Messenger untagged', async t => {
  let now = SUNDAY_NOON
  const auto = { away: '您好，现在是休息时间，我们周一9点回复您。', busy: '客服{agent.name}正在忙，请稍候。', businessHours: HOURS, periodHours: 12 }
  const h = await startTestHub(t, {
    clock: () => now,
    channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url, autoReplies: { ...auto, away: 'We are closed; back Monday 9:00.' } }, messengerChannel(graph, { autoReplies: auto })]
  })
  const fb = await messengerCustomerWrote(h, 'psid-sun', '在吗？')
  await settle(h, fb)
  await messengerCustomerWrote(h, 'psid-sun', '有人吗')
  await settle(h, fb)
  const toSun = graph.sends.filter(c => c.body.recipient?.id === 'psid-sun')
  t.same(toSun.map(c => c.body.message.text), ['您好，现在是休息时间，我们周一9点回复您。'], 'away once on a Sunday')
  t.equal(toSun[0]!.body.messaging_type, 'RESPONSE', 'automated: sent as a response, never with a tag')

  now = MONDAY_10AM
  // Bo takes the Sunday customer as he comes online, and has room for one more.
  const bo = await h.addAgent({ name: 'Bo', status: 'online', capacity: 2 })
  await until(async () => (await h.hub.services.store.getConversation(fb))?.assigneeId === bo.agent.id, 10_000, 'the Sunday customer to Bo')
  const first = ((await (await h.inbound(inboundBody({ from: { id: 'mo-1' }, text: 'hi' }))).json()) as { conversationId: string }).conversationId
  await settle(h, first)
  t.equal((await h.hub.services.store.getConversation(first))?.assigneeId, bo.agent.id)
  t.equal(replies(first).length, 0, 'open, and Bo is free: nothing automatic')
  t.equal((await bo.api('PUT', '/agents/me/status', { status: 'busy' })).status, 200)
  await h.inbound(inboundBody({ from: { id: 'mo-1' }, text: 'still there?' }))
  await settle(h, first)
  t.same(replies(first).map(r => r.text), ['客服Bo正在忙，请稍候。'], 'the assigned agent is busy')
  t.equal((await bo.api('PUT', '/agents/me/status', { status: 'online' })).status, 200)
  const second = ((await (await h.inbound(inboundBody({ from: { id: 'mo-2' }, text: 'hello' }))).json()) as { conversationId: string }).conversationId
  await settle(h, second)
  t.match(await h.hub.services.store.getConversation(second), { status: 'unassigned', queueReason: 'all_at_capacity' })
  t.same(replies(second).map(r => r.text), ['客服正在忙，请稍候。'], 'everyone at capacity: busy, with no agent to name')
})

t.test('an agent\'s own welcome greets the customer when the conversation is given to them, once', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }] })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  t.match(await ana.api('PATCH', '/agents/me', { welcome: '你好 {contact.name}，我是{agent.name}，很高兴为您服务！' }), { status: 200, body: { welcome: /我是/ } })
  t.match(await ana.api('PATCH', '/agents/me', {}), { status: 400 }, 'an empty change is refused')
  const id = ((await (await h.inbound(inboundBody({ from: { id: 'li-1', name: '李雷' }, text: '在吗' }))).json()) as { conversationId: string }).conversationId
  await settle(h, id)
  t.same(replies(id).map(r => r.text), ['你好 李雷，我是Ana，很高兴为您服务！'])
  await h.inbound(inboundBody({ from: { id: 'li-1' }, text: '我想问一下' }))
  await settle(h, id)
  t.equal(replies(id).length, 1, 'once per conversation')
  t.match(await ana.api('PATCH', '/agents/me', { welcome: null }), { status: 200, body: { welcome: null } })
})

t.test('config: business hours are checked where the auto replies are set', async t => {
  const { validateConfig } = await import('../core/config/index.js')
  const { PluginRegistry } = await import('../core/channels/index.js')
  const registry = await PluginRegistry.load()
  t.throws(() => validateConfig({ channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: '', autoReplies: { away: 'x', businessHours: { timezone: 'Mars/Base', days: { mon: ['18:00-09:00'] } } }, robot: { mode: 'sometimes' } }] }, registry, {}), {
    code: 'config_invalid',
    problems: [/channels\[0\]\.robot\.mode/, 'channels[0].autoReplies.businessHours.timezone: "Mars/Base" is not a time zone; use an IANA name such as Asia/Shanghai or Europe/Berlin', 'channels[0].autoReplies.businessHours.days.mon: 18:00-09:00 ends before it starts']
  })
})

t.test('a suppressed contact (a complaint, a bounce, a machine) gets nothing automatic, people still reach them, and a queued automatic message is refused at send', async t => {
  let now = MONDAY_10AM
  const h = await startTestHub(t, {
    clock: () => now,
    channels: [{
      id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url,
      autoReplies: { welcome: 'Welcome!', firstMessage: 'Thanks, we got your message.', periodHours: 24, quietMinutes: 0 },
      ratings: { onClose: true }
    }]
  })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  const say = customer(h, { id: 'sup-1', name: 'Sam' })
  const id = await say('hello')
  t.same(replies(id).map(r => r.text), ['Welcome!'], 'before: welcomed')
  const { store } = h.hub.services
  const contactId = (await store.getConversation(id))!.contactId
  await store.editContact(contactId, { suppression: { reason: 'complained', channelId: 'api', detail: 'abuse', at: now } }, now)

  now = new Date(now.getTime() + 25 * 3_600_000)
  await say('back again')
  t.equal(replies(id).length, 1, 'no first-message reply')
  t.equal((await ana.api('POST', `/conversations/${id}/messages`, { text: 'Here is your answer.' })).status, 202, 'an agent still answers')
  await settle(h, id)
  t.ok(callback.received.some(r => (r.body as { text?: string }).text === 'Here is your answer.'), 'and it is sent')
  t.equal((await ana.api('POST', `/conversations/${id}/close`)).status, 200)
  await settle(h, id)
  t.equal(replies(id).length, 1, 'no rating invitation on close')

  // Stored before the complaint arrived, sent after: the send job checks again.
  const queued = await store.recordOutbound({ conversationId: id, direction: 'outbound', author: { type: 'bot', id: null }, text: 'Rate us!', attachments: [], cards: [], tag: null, extras: { automated: 'rating_invitation' } }, now)
  const { sendJob } = await import('../core/pipeline/index.js')
  await sendJob(h.hub.services, { messageId: queued.id }, { id: 'job', attempt: 1, maxAttempts: 3 })
  t.match(await store.getMessage(queued.id), { status: 'failed', errorCode: 'contact_suppressed', errorMessage: /reported our mail as spam/ })
  t.equal(replies(id).length, 1, 'and never reaches the channel')
})
