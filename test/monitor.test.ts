import t from 'tap'
import { createSignInCode } from '../core/agents/sign-in.js'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET, inboundBody, startTestHub } from './helpers/hub.js'

const callback = new CallbackReceiver()
await callback.listen()
t.teardown(async () => { await callback.close() })
const channels = [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }]

t.test('the sign-in log: a link, a token and a sign-out, with time, address and browser; supervisors read their teams\', admins everyone\'s', async t => {
  const h = await startTestHub(t, { channels })
  await h.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date())
  await h.hub.services.store.createTeam({ id: 'care', name: 'Care' }, new Date())
  const boss = await h.addAgent({ name: 'Boss', role: 'supervisor', teams: ['sales'] })
  const ana = await h.addAgent({ name: 'Ana', teams: ['sales'] })
  const cai = await h.addAgent({ name: 'Cai', teams: ['care'] })
  const admin = await h.addAgent({ name: 'Root', role: 'admin' })

  const code = await createSignInCode(h.hub.services.store, ana.agent.id, new Date())
  const linked = await fetch(`${h.url}/api/v1/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'Phone Safari' }, body: JSON.stringify({ code }) })
  const { token } = await linked.json() as { token: string }
  const asAna = async (method: string, path: string): Promise<Response> => await fetch(`${h.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'user-agent': 'Desk Firefox' } })
  t.equal((await asAna('POST', '/agents/me/sign-in')).status, 200, 'signing in with the token')
  await (await fetch(`${h.url}/api/v1/agents/me/status`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'online' }) })).text()
  t.equal((await asAna('POST', '/agents/me/sign-out')).status, 204)
  t.equal((await h.hub.services.store.getAgent(ana.agent.id))?.status, 'offline', 'signing out ends the working day')
  await cai.api('POST', '/agents/me/sign-in')

  const log = (await boss.api('GET', '/agents/sign-in-log')).body.items
  t.same(log.map((e: any) => [e.agentId, e.event, e.method, e.userAgent]), [
    [ana.agent.id, 'sign_out', null, 'Desk Firefox'], [ana.agent.id, 'sign_in', 'token', 'Desk Firefox'], [ana.agent.id, 'sign_in', 'link', 'Phone Safari']
  ], 'newest first, only the supervisor\'s team')
  t.match(log[0], { ip: '127.0.0.1', at: /^\d{4}-/ })
  t.match(await boss.api('GET', `/agents/sign-in-log?agent=${cai.agent.id}`), { status: 403, body: { code: 'forbidden' } })
  t.equal((await admin.api('GET', '/agents/sign-in-log')).body.items.length, 4, 'admins read everyone\'s')
  t.match(await cai.api('GET', '/agents/sign-in-log'), { status: 403 }, 'agents do not read the log')
})

t.test('the live monitor: per agent, open conversations against capacity, time of the last reply, and the customer waiting longest', async t => {
  const h = await startTestHub(t, { channels, config: { routing: { defaultCapacity: 4 } } })
  await h.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date())
  const boss = await h.addAgent({ name: 'Boss', role: 'supervisor', teams: ['sales'] })
  const ana = await h.addAgent({ name: 'Ana', status: 'online', teams: ['sales'] })
  const first = await (await h.inbound(inboundBody({ from: { id: 'c1' }, text: 'first' }))).json() as { conversationId: string }
  await new Promise(resolve => setTimeout(resolve, 20))
  const second = await (await h.inbound(inboundBody({ from: { id: 'c2' }, text: 'second' }))).json() as { conversationId: string }
  const row = async (): Promise<any> => (await boss.api('GET', '/monitor')).body.items.find((r: any) => r.agentId === ana.agent.id)
  for (let i = 0; i < 100 && (await row()).openConversations < 2; i++) await new Promise(resolve => setTimeout(resolve, 20))
  t.match(await row(), { openConversations: 2, capacity: 4, lastReplyAt: null, unanswered: 2, longestWait: { conversationId: first.conversationId } })
  await ana.api('POST', `/conversations/${first.conversationId}/messages`, { text: 'Hello!' })
  for (let i = 0; i < 100 && (await row()).unanswered > 1; i++) await new Promise(resolve => setTimeout(resolve, 20))
  const after = await row()
  t.match(after, { unanswered: 1, longestWait: { conversationId: second.conversationId } }, 'the answered customer waits no more')
  t.ok(Date.now() - Date.parse(after.lastReplyAt) < 60_000, 'the last reply is the one just sent')
  t.match(await ana.api('GET', '/monitor'), { status: 403 })
})
