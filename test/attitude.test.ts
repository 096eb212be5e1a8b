import t from 'tap'
import { FakeGraph } from './fakes/graph.js'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET, inboundBody, startTestHub } from './helpers/hub.js'
import { messengerChannel, messengerCustomerWrote } from './helpers/messenger.js'

const graph = new FakeGraph()
const callback = new CallbackReceiver()
await graph.listen()
await callback.listen()
t.teardown(async () => { await graph.close(); await callback.close() })

t.test('an agent\'s rude reply needs confirming, an abusive one is refused, and supervisors see the counts', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }, messengerChannel(graph)] })
  const admin = await h.addAgent({ name: 'Root', role: 'admin' })
  await admin.api('POST', '/teams', { id: 'care', name: 'Care' })
  const lead = await h.addAgent({ name: 'Lea', role: 'supervisor', teams: ['care'] })
  const ana = await h.addAgent({ name: 'Ana', teams: ['care'], status: 'online' })
  const apiConversation = ((await (await h.inbound(inboundBody({ from: { id: 'ann-1', name: 'Ann' }, text: 'where is my parcel?' }))).json()) as { conversationId: string }).conversationId
  const fbConversation = await messengerCustomerWrote(h, 'psid-wang', '我的包裹到哪了？')
  const reply = async (conversation: string, body: Record<string, unknown>) => await ana.api('POST', `/conversations/${conversation}/messages`, body)
  const stored = async (conversation: string): Promise<string[]> => (await h.hub.services.store.listMessages(conversation, { limit: 50 })).items.filter(m => m.direction === 'outbound').map(m => m.text)

  t.match(await reply(apiConversation, { text: 'Not my problem, ask the courier.' }), {
    status: 422, body: { code: 'attitude_warning', category: 'dismissive', words: ['not my problem'], confirmable: true, message: /may read as dismissive.*confirm: true/ }
  })
  t.same(await stored(apiConversation), [], 'nothing stored until confirmed')
  t.equal((await reply(apiConversation, { text: 'Not my problem, ask the courier.', confirm: true })).status, 202, 'sent as written once confirmed')
  t.same(await stored(apiConversation), ['Not my problem, ask the courier.'])

  t.match(await reply(fbConversation, { text: '说了多少遍了，自己看物流' }), { status: 422, body: { code: 'attitude_warning', category: 'rude', words: ['说了多少遍'] } }, 'Chinese, on Messenger')
  t.match(await reply(fbConversation, { text: '你是白痴吗', confirm: true }), { status: 422, body: { code: 'attitude_blocked', category: 'abusive' } }, 'abusive is refused even confirmed')
  t.equal((await reply(fbConversation, { text: '包裹明天送到，请留意电话。' })).status, 202, 'a kind reply goes straight out')
  t.same(await stored(fbConversation), ['包裹明天送到，请留意电话。'])

  const counts = await lead.api('GET', '/guards/attitude?days=7')
  t.equal(counts.status, 200)
  t.same(counts.body.items, [{ agentId: ana.agent.id, name: 'Ana', warned: 2, sentAnyway: 1, blocked: 1 }])
  t.match(await ana.api('GET', '/guards/attitude'), { status: 403 }, 'agents do not see the counts')
  const outsider = await h.addAgent({ name: 'Sam', role: 'supervisor', teams: [] })
  t.same((await outsider.api('GET', '/guards/attitude')).body.items, [], 'a supervisor sees their own teams\' agents')
})
