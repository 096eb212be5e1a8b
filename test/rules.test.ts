import t from 'tap'
import { sign } from '../core/channels/signature.js'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET, inboundBody, startTestHub } from './helpers/hub.js'
import { launch, stop, writeConfig } from './helpers/process.js'
import { cleanedPrefix, REDIS_URL } from './helpers/redis.js'

const callback = new CallbackReceiver()
await callback.listen()
t.teardown(async () => { await callback.close() })
const channels = [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }]

t.test('banned words live in the app: the YAML seeds them once, supervisors change their team\'s and admins the hub\'s, at once', async t => {
  const h = await startTestHub(t, { channels, config: { guards: { bannedWords: ['scam'], teams: { sales: { bannedWords: ['free gift'] } } } } })
  await h.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date())
  await h.hub.services.store.createTeam({ id: 'care', name: 'Care' }, new Date())
  const admin = await h.addAgent({ role: 'admin' })
  const boss = await h.addAgent({ role: 'supervisor', teams: ['sales'] })
  const mia = await h.addAgent({ name: 'Mia', teams: ['sales'], status: 'online' })
  const { conversationId } = await (await h.inbound(inboundBody({ from: { id: 'ann' }, text: 'hi' }))).json() as { conversationId: string }
  const say = async (text: string): Promise<number> => (await mia.api('POST', `/conversations/${conversationId}/messages`, { text })).status

  t.same((await mia.api('GET', '/rules')).body, { hub: { bannedWords: ['scam'], autoClose: null, autoReplies: null, spam: { phrases: [], patterns: [] }, welcomes: [], welcomeGroup: null }, teams: { sales: { bannedWords: ['free gift'], autoClose: null, autoReplies: null, spam: { phrases: [], patterns: [] }, welcomes: [], welcomeGroup: null } }, channels: {}, autoRepliesInUse: { api: { periodHours: 24, quietMinutes: 5 } } }, 'seeded from the YAML; every agent may read them')
  t.equal(await say('A free gift for you'), 422)
  t.match(await boss.api('PUT', '/rules/teams/sales', { bannedWords: [' coupon ', 'coupon', '返现'] }), { status: 200, body: { bannedWords: ['coupon', '返现'], autoClose: null, autoReplies: null } })
  t.equal(await say('A free gift for you'), 202, 'the YAML word is gone once the team changed its list')
  const refused = await mia.api('POST', `/conversations/${conversationId}/messages`, { text: 'Use this COUPON, 返现 included' })
  t.match(refused, { status: 422, body: { code: 'banned_words', words: ['coupon', '返现'] } }, 'the new words refuse at once')
  t.match(await boss.api('PUT', '/rules/teams/care', { bannedWords: ['x'] }), { status: 403 }, 'not another team\'s')
  t.match(await boss.api('PUT', '/rules/hub', { bannedWords: [] }), { status: 403 }, 'the hub\'s are an admin\'s')
  t.match(await mia.api('PUT', '/rules/teams/sales', { bannedWords: [] }), { status: 403 })
  t.match(await admin.api('PUT', '/rules/teams/nope', { bannedWords: [] }), { status: 404 })
  t.match(await boss.api('PUT', '/rules/teams/sales', { bannedWords: 'coupon' }), { status: 400, body: { field: 'body.bannedWords' } })
  t.match(await admin.api('PUT', '/rules/hub', { bannedWords: ['fraud'] }), { status: 200 })
  t.equal(await say('no scam here'), 202)
  t.equal(await say('fraud'), 422)
})

t.test('the store\'s rules outlive the YAML: a restart with other YAML words keeps what supervisors set', async t => {
  const { file, dir } = writeConfig({ channels, guards: { bannedWords: ['first'] } })
  const env = { OMNIHUB_ADMIN_TOKEN: 'rules-admin-token-0123456789' }
  const first = await launch(t, 'start', file, env)
  const call = async (url: string, method: string, path: string, body?: unknown): Promise<any> => await (await fetch(`${url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${env.OMNIHUB_ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })).json()
  await call(first.url, 'PUT', '/rules/hub', { bannedWords: ['set in the app'] })
  await stop(first)
  const { file: changed } = writeConfig({ channels, guards: { bannedWords: ['second'] } }, dir)
  const second = await launch(t, 'start', changed, env)
  t.same((await call(second.url, 'GET', '/rules')).hub, { bannedWords: ['set in the app'], autoClose: null, autoReplies: null, spam: { phrases: [], patterns: [] }, welcomes: [], welcomeGroup: null })
})

t.test('two hub processes on one Redis: a team\'s new words refuse replies on the other hub at once', async t => {
  const prefix = cleanedPrefix(t, 'rules')
  const { file } = writeConfig({ queue: { driver: 'bullmq', redis: REDIS_URL, prefix }, channels })
  const token = 'rules-admin-token-0123456789'
  const [a, b] = await Promise.all([launch(t, 'start', file, { OMNIHUB_ADMIN_TOKEN: token }), launch(t, 'start', file, { OMNIHUB_ADMIN_TOKEN: token })])
  const call = async (url: string, method: string, path: string, body?: unknown): Promise<{ status: number, body: any }> => {
    const r = await fetch(`${url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
    return { status: r.status, body: await r.json().catch(() => null) }
  }
  const raw = JSON.stringify({ messageId: `rules-${Date.now()}`, from: { id: 'rules-customer' }, text: 'hello' })
  const { conversationId } = await (await fetch(`${a.url}/channels/api/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, raw) }, body: raw })).json() as { conversationId: string }
  t.equal((await call(a.url, 'PUT', '/rules/hub', { bannedWords: ['forbidden word'] })).status, 200)
  let status = 0
  for (let i = 0; i < 50 && status !== 422; i++) {
    status = (await call(b.url, 'POST', `/conversations/${conversationId}/messages`, { text: 'a forbidden word', confirm: true })).status
    if (status !== 422) await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.equal(status, 422, 'hub B refuses with the words set on hub A')
})

t.test('auto-close: a customer silent after a person\'s reply is closed with the closing message; writing again reopens the same conversation, to the same agent', async t => {
  // A minute is long for a test: the hub's clock runs ahead instead.
  let ahead = 0
  const h = await startTestHub(t, { channels, config: { presence: { sweepMs: 100 } }, clock: () => new Date(Date.now() + ahead) })
  await h.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date())
  const boss = await h.addAgent({ role: 'supervisor', teams: ['sales'] })
  const mia = await h.addAgent({ name: 'Mia', status: 'online' })
  t.match(await boss.api('PUT', '/rules/channels/api', { autoClose: { afterMinutes: 1, message: 'Closing this chat; write any time to pick it up.' } }), { status: 403 }, 'an every-agent channel is an admin\'s')
  const admin = await h.addAgent({ role: 'admin' })
  t.match(await admin.api('PUT', '/rules/channels/api', { autoClose: { afterMinutes: 0, message: null } }), { status: 400, body: { field: 'body.autoClose' } })
  t.match(await admin.api('PUT', '/rules/channels/api', { autoClose: { afterMinutes: 1, message: 'Closing this chat; write any time to pick it up.' } }), { status: 200, body: { autoClose: { afterMinutes: 1 } } })

  const { conversationId } = await (await h.inbound(inboundBody({ from: { id: 'quiet-1' }, text: 'price?' }))).json() as { conversationId: string }
  const waiting = await (await h.inbound(inboundBody({ from: { id: 'unanswered-1' }, text: 'hello?' }))).json() as { conversationId: string }
  t.equal((await mia.api('POST', `/conversations/${conversationId}/messages`, { text: '20 euros' })).status, 202)
  await new Promise(resolve => setTimeout(resolve, 300))
  t.equal((await h.hub.services.store.getConversation(conversationId))?.status, 'assigned', 'not before the minute')
  ahead = 61_000
  for (let i = 0; i < 50 && (await h.hub.services.store.getConversation(conversationId))?.status !== 'closed'; i++) await new Promise(resolve => setTimeout(resolve, 100))
  t.equal((await h.hub.services.store.getConversation(conversationId))?.status, 'closed', 'closed after the quiet minute')
  t.ok(callback.received.some(r => r.body.text === 'Closing this chat; write any time to pick it up.'), 'with the closing message')
  t.not((await h.hub.services.store.getConversation(waiting.conversationId))?.status, 'closed', 'a customer still waiting for an answer is never closed')

  const again = await (await h.inbound(inboundBody({ from: { id: 'quiet-1' }, text: 'one more question' }))).json() as { conversationId: string }
  t.equal(again.conversationId, conversationId, 'the customer picks up the same conversation')
  for (let i = 0; i < 50 && (await h.hub.services.store.getConversation(conversationId))?.assigneeId !== mia.agent.id; i++) await new Promise(resolve => setTimeout(resolve, 100))
  t.match(await h.hub.services.store.getConversation(conversationId), { status: 'assigned', assigneeId: mia.agent.id }, 'back with the agent who served them')
})

t.test('a channel\'s automatic replies in the app: they replace the YAML\'s at once, with their business hours checked; null goes back to the YAML\'s', async t => {
  const h = await startTestHub(t, { channels: [{ ...channels[0], team: 'sales', autoReplies: { welcome: 'Hi from the YAML' } }] })
  await h.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date())
  const boss = await h.addAgent({ role: 'supervisor', teams: ['sales'] })
  const welcomed = async (customer: string): Promise<string | undefined> => {
    await h.inbound(inboundBody({ from: { id: customer }, text: 'hello' }))
    for (let i = 0; i < 50; i++) {
      const sent = callback.received.find(r => (r.body.to as { id?: string } | undefined)?.id === customer)
      if (sent !== undefined) return String(sent.body.text)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    return undefined
  }
  t.equal(await welcomed('w-1'), 'Hi from the YAML')
  t.match(await boss.api('PUT', '/rules/channels/api', { autoReplies: { welcome: 'Welcome from the app', businessHours: { timezone: 'Mars/Olympus', days: {} } } }), { status: 400, body: { code: 'invalid_hours', problems: [/Mars\/Olympus/] } })
  t.match(await boss.api('PUT', '/rules/channels/api', { autoReplies: { welcome: 'Welcome from the app' } }), { status: 200, body: { autoReplies: { welcome: 'Welcome from the app', periodHours: 24, quietMinutes: 5 } } })
  t.equal(await welcomed('w-2'), 'Welcome from the app', 'at once')
  t.match(await boss.api('PUT', '/rules/channels/api', { autoReplies: null }), { status: 200, body: { autoReplies: null } })
  t.equal(await welcomed('w-3'), 'Hi from the YAML', 'back to the YAML\'s')
})
