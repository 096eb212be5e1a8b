import t, { type Test } from 'tap'
import { FakeGraph } from './fakes/graph.js'
import { CallbackReceiver } from './helpers/callback.js'
import { messengerChannel, messengerCustomerWrote } from './helpers/messenger.js'
import { API_SECRET, inboundBody, startTestHub, type TestAgent, type TestHub } from './helpers/hub.js'
import { until } from './queue.contract.js'

const graph = new FakeGraph()
const callback = new CallbackReceiver()
await graph.listen()
await callback.listen()
graph.profiles.set('psid-lin', { first_name: 'Lin', last_name: 'Wei', profile_pic: 'https://cdn.example/lin.jpg' })
t.teardown(async () => { await graph.close(); await callback.close() })

const RETURNS = { code: 'returns', title: '退货流程 / Returns', text: '您好 {contact.name}，退货请在订单页点击"申请退货"。To return an item, open your order and choose Return. — {agent.name}' }

interface Setup { h: TestHub, admin: TestAgent, lead: TestAgent, ana: TestAgent, apiConversation: string, fbConversation: string }

async function setup (t: Test): Promise<Setup> {
  const h = await startTestHub(t, {
    channels: [
      { id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url },
      messengerChannel(graph)
    ],
    config: { guards: { bannedWords: ['傻瓜'] } }
  })
  const admin = await h.addAgent({ name: 'Root', role: 'admin' })
  t.equal((await admin.api('POST', '/teams', { id: 'care', name: 'Care' })).status, 201)
  const lead = await h.addAgent({ name: 'Lea', role: 'supervisor', teams: ['care'] })
  const ana = await h.addAgent({ name: 'Ana', teams: ['care'], status: 'online' })
  const apiConversation = ((await (await h.inbound(inboundBody({ from: { id: 'ann-1', name: 'Ann Lee' }, text: 'hello' }))).json()) as { conversationId: string }).conversationId
  const fbConversation = await messengerCustomerWrote(h, 'psid-lin', '退货怎么办')
  await until(async () => (await h.hub.services.store.getContact((await h.hub.services.store.getConversation(fbConversation))!.contactId))?.name === 'Lin Wei', 10_000, 'the Messenger contact\'s profile name')
  return { h, admin, lead, ana, apiConversation, fbConversation }
}

async function upload (agent: TestAgent, h: TestHub, name: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${h.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/octet-stream', 'x-file-name': name, 'x-file-type': 'image/png' }, body: Buffer.from([0x89, 0x50, 0x4e, 0x47]) })
  return ((await response.json()) as { attachment: Record<string, unknown> }).attachment
}

t.test('who manages which phrases', async t => {
  const { h, admin, lead, ana } = await setup(t)
  t.equal((await ana.api('POST', '/phrases', { code: 'hi', title: 'Hello', text: 'Hi {contact.name}!' })).status, 201, 'an agent keeps personal phrases')
  t.match(await ana.api('POST', '/phrases', { scope: 'team', teamId: 'care', code: 'returns', title: 'x', text: 'y' }), { status: 403, body: { code: 'forbidden', message: /supervisors/ } })
  t.equal((await lead.api('POST', '/phrases', { scope: 'team', teamId: 'care', ...RETURNS })).status, 201, 'a supervisor manages the team\'s')
  t.match(await lead.api('POST', '/phrases', { scope: 'hub', code: 'bye', title: 'x', text: 'y' }), { status: 403, body: { message: /admins/ } })
  t.equal((await admin.api('POST', '/phrases', { scope: 'hub', code: 'bye', title: 'Goodbye', text: 'Thanks for shopping with us, {contact.name}.' })).status, 201)
  t.match(await lead.api('POST', '/phrases', { scope: 'team', teamId: 'care', code: 'returns', title: 'again', text: 'z' }), { status: 409, body: { code: 'phrase_code_taken', message: /\/returns is already used/ } })
  t.equal((await lead.api('POST', '/phrases', { code: 'returns', title: 'mine', text: 'z' })).status, 201, 'the same code in another scope is fine')
  t.match(await lead.api('POST', '/phrases', { scope: 'team', teamId: 'nope', code: 'x', title: 'x', text: 'y' }), { status: 404 })
  t.match(await ana.api('POST', '/phrases', { code: 'has space', title: 'x', text: 'y' }), { status: 400 })

  const codes = async (agent: TestAgent): Promise<string[]> => ((await agent.api('GET', '/phrases')).body.items as Array<{ scope: string, code: string }>).map(p => `${p.scope}:${p.code}`).sort()
  t.same(await codes(ana), ['hub:bye', 'personal:hi', 'team:returns'], 'an agent sees theirs, their team\'s and the hub\'s')
  t.same(await codes(lead), ['hub:bye', 'personal:returns', 'team:returns'], 'not another agent\'s personal ones')
  const other = await h.addAgent({ name: 'Out', teams: [] })
  t.same(await codes(other), ['hub:bye'])

  const team = (await ana.api('GET', '/phrases')).body.items.find((p: { scope: string }) => p.scope === 'team')
  t.match(await ana.api('PATCH', `/phrases/${team.id as string}`, { text: 'changed' }), { status: 403 })
  t.match(await lead.api('PATCH', `/phrases/${team.id as string}`, { title: '退货 / Returns' }), { status: 200, body: { title: '退货 / Returns', text: RETURNS.text } })
  const mine = (await ana.api('GET', '/phrases')).body.items.find((p: { scope: string }) => p.scope === 'personal')
  t.match(await lead.api('DELETE', `/phrases/${mine.id as string}`), { status: 404 }, 'another agent\'s personal phrase is not there for you')
  t.equal((await ana.api('DELETE', `/phrases/${mine.id as string}`)).status, 204)
  t.same(await codes(ana), ['hub:bye', 'team:returns'])
})

t.test('media: up to two uploaded images or videos', async t => {
  const { h, ana } = await setup(t)
  const [a, b, c] = [await upload(ana, h, 'a.png'), await upload(ana, h, 'b.png'), await upload(ana, h, 'c.png')]
  t.match(await ana.api('POST', '/phrases', { code: 'pics', title: 'x', text: 'y', attachments: [a, b, c] }), { status: 400 })
  t.match(await ana.api('POST', '/phrases', { code: 'ext', title: 'x', text: 'y', attachments: [{ kind: 'image', url: 'https://elsewhere.example/x.png' }] }), { status: 400, body: { code: 'phrase_media_not_uploaded' } })
  t.match(await ana.api('POST', '/phrases', { code: 'pdf', title: 'x', text: 'y', attachments: [{ ...a, kind: 'file' }] }), { status: 400, body: { code: 'phrase_media_kind' } })
  const created = await ana.api('POST', '/phrases', { code: 'pics', title: 'Photos', text: 'Here are the photos', attachments: [a, b] })
  t.equal(created.status, 201)
  t.ok((created.body.attachments as Array<{ url: string }>).every(x => x.url.includes('sig=')), 'shown as signed links')
  t.notOk((await h.hub.services.store.getPhrase(created.body.id as string))!.attachments.some(x => x.url.includes('sig=')), 'kept as plain URLs')
})

t.test('in a conversation: /hi fills in the contact, keywords find phrases in Chinese and English, sending keeps every rule', async t => {
  const { h, admin, lead, ana, apiConversation, fbConversation } = await setup(t)
  await ana.api('POST', '/phrases', { code: 'hi', title: 'Hello', text: 'Hi {contact.name}, I am {agent.name}. How can I help?' })
  await ana.api('POST', '/phrases', { code: 'hist', title: 'History', text: 'Let me check your order history.' })
  await lead.api('POST', '/phrases', { scope: 'team', teamId: 'care', ...RETURNS })
  await admin.api('POST', '/phrases', { scope: 'hub', code: 'ship', title: '发货时间 / Shipping', text: '我们在付款后24小时内发货。We ship within a day.' })
  const [a, b] = [await upload(lead, h, 'label-1.png'), await upload(lead, h, 'label-2.png')]
  await lead.api('POST', '/phrases', { scope: 'team', teamId: 'care', code: 'labels', title: 'Return labels', text: 'Print these labels.', attachments: [a, b] })
  await lead.api('POST', '/phrases', { scope: 'team', teamId: 'care', code: 'rude', title: 'x', text: '你这个傻瓜' })

  const find = async (conversation: string, q: string): Promise<Array<{ code: string, expanded: { text: string, attachments: unknown[] } }>> =>
    (await ana.api('GET', `/conversations/${conversation}/phrases?q=${encodeURIComponent(q)}`)).body.items

  const hiApi = (await find(apiConversation, '/hi'))
  t.same(hiApi.map(p => p.code), ['hi', 'hist'], '/hi: codes starting with hi, shortest first')
  t.equal(hiApi[0]!.expanded.text, 'Hi Ann Lee, I am Ana. How can I help?', 'the api customer\'s name')
  t.equal((await find(fbConversation, '/hi'))[0]!.expanded.text, 'Hi Lin Wei, I am Ana. How can I help?', 'the Messenger customer\'s name (from their profile)')

  t.equal((await find(fbConversation, '退货怎么办'))[0]?.code, 'returns', '"退货怎么办" finds the returns phrase')
  t.equal((await find(fbConversation, '什么时候发货'))[0]?.code, 'ship')
  t.same((await find(apiConversation, 'how do I return my order')).slice(0, 2).map(p => p.code), ['returns', 'labels'], 'and in English, best first')
  t.equal((await find(apiConversation, '/退货'))[0]?.code, 'returns', '/ with words that are no code still searches')
  t.same(await find(apiConversation, 'weather forecast'), [], 'nothing related, nothing found')

  // Sending a phrase is a normal reply: the channel's rules and the guards apply.
  const from = callback.received.length
  const hi = hiApi[0]!.expanded
  t.equal((await ana.api('POST', `/conversations/${apiConversation}/messages`, hi)).status, 202)
  await until(() => callback.received.length > from, 10_000, 'the phrase at the api callback')
  t.match(callback.received.at(-1)!.body, { text: 'Hi Ann Lee, I am Ana. How can I help?' })

  const labels = (await find(fbConversation, '/labels'))[0]!.expanded
  t.equal(labels.attachments.length, 2)
  t.match(await ana.api('POST', `/conversations/${fbConversation}/messages`, labels), { status: 422, body: { code: 'too_many_attachments', message: /fb-shop accepts at most 1 attachment/ } }, 'media the channel cannot carry are refused with the reason')
  t.equal((await ana.api('POST', `/conversations/${apiConversation}/messages`, labels)).status, 202, 'the api channel carries both')

  const rude = (await find(fbConversation, '/rude'))[0]!.expanded
  t.match(await ana.api('POST', `/conversations/${fbConversation}/messages`, rude), { status: 422, body: { code: 'banned_words' } }, 'a phrase passes the guards like any reply')
  t.match(await ana.api('GET', '/conversations/nope/phrases'), { status: 404 })
})
