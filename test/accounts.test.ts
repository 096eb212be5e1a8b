import t, { type Test } from 'tap'
import { startTestHub } from './helpers/hub.js'
import { scripted, scriptedChannel } from './helpers/scripted-channel.js'
import { until } from './queue.contract.js'

const write = async (url: string, customer: string, text = 'hello'): Promise<string> => {
  const r = await fetch(`${url}/channels/shop/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ externalId: `${customer}-${Math.random()}`, from: { externalId: customer }, text }) })
  return ((await r.json()) as { conversationId: string }).conversationId
}

async function teamHub (t: Test) {
  const h = await startTestHub(t, { plugins: [scriptedChannel], channels: [{ id: 'shop', plugin: 'scripted' }] })
  for (const id of ['sales', 'care']) await h.hub.services.store.createTeam({ id, name: id }, new Date())
  const admin = await h.addAgent({ name: 'Root', role: 'admin' })
  const boss = await h.addAgent({ name: 'Boss', role: 'supervisor', teams: ['sales'] })
  return { h, admin, boss }
}

t.test('supervisors add and change the agents of their own teams, and nothing else', async t => {
  const { h, admin, boss } = await teamHub(t)
  const created = await boss.api('POST', '/agents', { name: 'Mia', email: 'mia@example.com', role: 'agent', teams: ['sales'], capacity: 3, signature: 'Mia · Sales' })
  t.equal(created.status, 201)
  t.match(created.body.agent, { name: 'Mia', teams: ['sales'], capacity: 3, signature: 'Mia · Sales' })
  for (const [body, why] of [
    [{ name: 'X', email: 'x@example.com', role: 'supervisor', teams: ['sales'] }, 'not a supervisor'],
    [{ name: 'X', email: 'x@example.com', role: 'agent', teams: ['care'] }, 'not into another team'],
    [{ name: 'X', email: 'x@example.com', role: 'agent' }, 'not without a team']
  ] as const) t.match(await boss.api('POST', '/agents', body), { status: 403, body: { code: 'forbidden' } }, why)
  const mia = created.body.agent.id as string
  t.match(await boss.api('PATCH', `/agents/${mia}`, { capacity: 8, signature: null }), { status: 200, body: { capacity: 8, signature: null } })
  t.match(await boss.api('PATCH', `/agents/${mia}`, { role: 'admin' }), { status: 403 }, 'roles are an admin\'s')
  t.match(await boss.api('PATCH', `/agents/${mia}`, { teams: ['care'] }), { status: 403 }, 'and other teams')
  const carer = await admin.api('POST', '/agents', { name: 'Cai', email: 'cai@example.com', role: 'agent', teams: ['care'] })
  t.match(await boss.api('PATCH', `/agents/${carer.body.agent.id}`, { capacity: 1 }), { status: 403 }, 'another team\'s agent')
  t.match(await boss.api('PATCH', `/agents/${mia}`, {}), { status: 400 }, 'an empty change is an error')
  t.match(await boss.api('PATCH', `/agents/${mia}`, { status: 'online' }), { status: 400, body: { field: 'body.status' } })
  t.match(await h.api('PATCH', '/agents/me', { signature: 'Test Agent, Omnihub' }), { status: 200, body: { signature: 'Test Agent, Omnihub' } }, 'an agent signs their own replies')
  t.match(await h.api('PATCH', '/agents/me', { name: '  Lin Wei ' }), { status: 200, body: { name: 'Lin Wei' } }, 'and names themselves')
  t.match(await h.api('PATCH', '/agents/me', { name: '   ' }), { status: 400, body: { field: 'body.name' } })
})

t.test('notification preferences are each agent\'s own, kept on the server, changed one at a time', async t => {
  const h = await startTestHub(t)
  t.same((await h.api('GET', '/agents/me')).body.notifications, { sound: true, desktop: true, tabTitle: true }, 'everything on at first')
  t.match(await h.api('PATCH', '/agents/me', { notifications: { sound: false } }), { status: 200, body: { notifications: { sound: false, desktop: true, tabTitle: true } } })
  t.match(await h.api('PATCH', '/agents/me', { notifications: { tabTitle: false } }), { status: 200, body: { notifications: { sound: false, desktop: true, tabTitle: false } } }, 'what is not given stays')
  t.match(await h.api('PATCH', '/agents/me', { notifications: {} }), { status: 400 })
  t.match(await h.api('PATCH', '/agents/me', { notifications: { popups: true } }), { status: 400, body: { message: /popups/ } })
  t.match(await h.api('PATCH', '/agents/me', { notifications: { sound: 'no' } }), { status: 400, body: { field: 'body.notifications.sound' } }, 'no coercion')
  t.same((await h.api('GET', '/agents/me')).body.notifications, { sound: false, desktop: true, tabTitle: false })
})

t.test('a sign-in link for an agent, made in the app: it signs them in once and replaces their token', async t => {
  const { h, boss } = await teamHub(t)
  const mia = await h.addAgent({ name: 'Mia', teams: ['sales'] })
  const link = await boss.api('POST', `/agents/${mia.agent.id}/sign-in-link`)
  t.match(link, { status: 200, body: { url: /\/inbox\/#code=[\w-]+$/, expiresAt: /^\d{4}-/ } })
  const code = /#code=([\w-]+)/.exec(link.body.url)![1]
  const signedIn = await fetch(`${h.url}/api/v1/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })
  t.equal(signedIn.status, 200)
  t.equal((await mia.api('GET', '/agents/me')).status, 401, 'the old token stops working')
  t.match(await h.api('POST', `/agents/${boss.agent.id}/sign-in-link`), { status: 403 }, 'agents make no links')
})

t.test('deactivating an agent: token, links and sockets stop, their conversations go back to routing; reactivating needs a new link', async t => {
  scripted.reset()
  const { h, admin, boss } = await teamHub(t)
  const mia = await h.addAgent({ name: 'Mia', teams: ['sales'], status: 'online' })
  const conversation = await write(h.url, 'buyer-1')
  await until(async () => (await h.hub.services.store.getConversation(conversation))?.assigneeId === mia.agent.id)
  const socket = await mia.stream()
  const closed = new Promise<number>(resolve => socket.socket.once('close', code => resolve(code)))
  const pendingLink = (await boss.api('POST', `/agents/${mia.agent.id}/sign-in-link`)).body.url as string

  const off = await boss.api('POST', `/agents/${mia.agent.id}/deactivate`)
  t.match(off, { status: 200, body: { status: 'offline', deactivatedAt: /^\d{4}-/ } })
  t.equal(await closed, 4001, 'the open socket closes')
  t.match(await mia.api('GET', '/agents/me'), { status: 401, body: { code: 'agent_deactivated' } })
  t.match(await h.hub.services.store.getConversation(conversation), { assigneeId: null }, 'the conversation went back to routing')
  const code = /#code=([\w-]+)/.exec(pendingLink)![1]
  const late = await fetch(`${h.url}/api/v1/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })
  t.match({ status: late.status, body: await late.json() }, { status: 401, body: { code: 'agent_deactivated' } }, 'a link made before does not work')
  t.match(await boss.api('POST', `/agents/${mia.agent.id}/sign-in-link`), { status: 409, body: { code: 'agent_deactivated' } })
  t.match(await boss.api('PUT', `/agents/${mia.agent.id}/status`, { status: 'online' }), { status: 409, body: { code: 'agent_deactivated' } })
  t.match(await admin.api('POST', `/agents/${admin.agent.id}/deactivate`), { status: 409, body: { code: 'cannot_deactivate_self' } })
  const other = await h.addAgent({ name: 'Root 2', role: 'admin' })
  await other.api('POST', `/agents/${admin.agent.id}/deactivate`)
  t.match(await admin.api('GET', '/agents/me'), { status: 401 })
  t.match(await other.api('POST', `/agents/${other.agent.id}/deactivate`), { status: 409, body: { code: 'cannot_deactivate_self' } }, 'so the last admin always stays')

  t.match(await boss.api('POST', `/agents/${mia.agent.id}/reactivate`), { status: 200, body: { deactivatedAt: null } })
  t.equal((await mia.api('GET', '/agents/me')).status, 401, 'the old token stays dead')
  const again = /#code=([\w-]+)/.exec((await boss.api('POST', `/agents/${mia.agent.id}/sign-in-link`)).body.url)![1]
  const back = await fetch(`${h.url}/api/v1/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: again }) })
  t.equal(back.status, 200, 'a new link signs them in')
})

t.test('an agent\'s signature reaches the channel with their reply; the hub\'s own messages carry none', async t => {
  scripted.reset()
  const { h } = await teamHub(t)
  const mia = await h.addAgent({ name: 'Mia', status: 'online' })
  await mia.api('PATCH', '/agents/me', { signature: 'Mia Chen — Shop support' })
  const conversation = await write(h.url, 'buyer-2')
  await mia.api('POST', `/conversations/${conversation}/messages`, { text: 'Hi!' })
  await until(() => scripted.sent.length > 0)
  t.same(scripted.sent[0]!.author, { name: 'Mia', signature: 'Mia Chen — Shop support' })
})
