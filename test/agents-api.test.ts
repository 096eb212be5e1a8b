import t from 'tap'
import { API_SECRET, inboundBody, startTestHub } from './helpers/hub.js'
import { scripted, scriptedChannel } from './helpers/scripted-channel.js'
import { until } from './queue.contract.js'

const write = async (url: string, channelId: string, customer: string, text = 'hello'): Promise<string> => {
  const r = await fetch(`${url}/channels/${channelId}/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ externalId: `${customer}-${Math.random()}`, from: { externalId: customer }, text }) })
  return ((await r.json()) as { conversationId: string }).conversationId
}

t.test('admins manage agents, teams and tokens; others may not', async t => {
  const h = await startTestHub(t)
  const admin = await h.addAgent({ role: 'admin' })
  const agent = await h.addAgent({ role: 'agent' })
  t.match(await agent.api('POST', '/teams', { id: 'sales', name: 'Sales' }), { status: 403, body: { code: 'forbidden' } })
  t.match(await admin.api('POST', '/teams', { id: 'sales', name: 'Sales' }), { status: 201, body: { id: 'sales', name: 'Sales' } })
  t.match(await admin.api('POST', '/teams', { id: 'sales', name: 'Again' }), { status: 409, body: { code: 'team_exists' } })
  t.match(await admin.api('PATCH', '/teams/sales', { name: '销售' }), { status: 200, body: { name: '销售' } })
  t.match(await admin.api('POST', '/teams', { id: 'Not A Slug', name: 'x' }), { status: 400, body: { field: 'body.id' } })

  t.match(await agent.api('POST', '/agents', { name: 'Mia', email: 'mia@example.com', role: 'agent' }), { status: 403 })
  t.match(await admin.api('POST', '/agents', { name: 'Mia', email: 'mia@example.com', role: 'agent', teams: ['nope'] }), { status: 422, body: { code: 'unknown_team' } })
  const created = await admin.api('POST', '/agents', { name: 'Mia', email: 'mia@example.com', role: 'agent', teams: ['sales'], capacity: 3 })
  t.equal(created.status, 201)
  t.match(created.body.agent, { name: 'Mia', teams: ['sales'], capacity: 3, status: 'offline' })
  t.notOk('tokenHash' in created.body.agent)
  const mia = { token: created.body.token as string, id: created.body.agent.id as string }
  t.equal((await h.api('GET', '/agents/me', undefined, mia.token)).body.id, mia.id, 'the new token works')

  t.match(await admin.api('PATCH', `/agents/${mia.id}`, { role: 'supervisor', capacity: null }), { status: 200, body: { role: 'supervisor', capacity: null } })
  t.match(await admin.api('PATCH', '/agents/nobody', { name: 'x' }), { status: 404 })
  const rotated = await h.api('POST', `/agents/${mia.id}/token`, undefined, mia.token)
  t.equal(rotated.status, 200, 'an agent may rotate their own token')
  t.equal((await h.api('GET', '/agents/me', undefined, mia.token)).status, 401, 'the old token stops working')
  t.equal((await h.api('GET', '/agents/me', undefined, rotated.body.token)).status, 200)
  t.equal((await agent.api('POST', `/agents/${mia.id}/token`)).status, 403, 'but not someone else\'s')
  t.equal((await agent.api('GET', '/agents')).body.items.length, 4, 'everyone sees colleagues (to transfer to them)')
})

t.test("a supervisor sets their team's agents' status from the monitor; offline hands the agent's conversations back", async t => {
  const h = await startTestHub(t)
  const ana = await h.addAgent({ teams: ['care'], status: 'online' })
  const boss = await h.addAgent({ role: 'supervisor', teams: ['care'] })
  const other = await h.addAgent({ teams: ['sales'] })
  await h.inbound(inboundBody({ from: { id: 'cu-1', name: 'Cu' }, text: 'help' }))
  const [conversation] = (await h.hub.services.store.listConversations({}, { limit: 1 })).items
  await until(async () => (await h.hub.services.store.getConversation(conversation!.id))?.assigneeId !== null, 5000, 'routed')
  t.equal((await h.hub.services.store.getConversation(conversation!.id))!.assigneeId, ana.agent.id, 'Ana, the one agent online, has it')
  t.match(await ana.api('PUT', `/agents/${other.agent.id}/status`, { status: 'busy' }), { status: 403, body: { code: 'forbidden' } }, 'agents may not')
  t.match(await boss.api('PUT', `/agents/${other.agent.id}/status`, { status: 'busy' }), { status: 403, body: { code: 'forbidden', message: /own teams/ } }, 'nor a supervisor of another team')
  t.match(await boss.api('PUT', '/agents/nobody/status', { status: 'busy' }), { status: 404 })
  t.match(await boss.api('PUT', `/agents/${ana.agent.id}/status`, { status: 'away' }), { status: 400, body: { field: 'body.status' } })
  t.match(await boss.api('PUT', `/agents/${ana.agent.id}/status`, { status: 'offline' }), { status: 200, body: { id: ana.agent.id, status: 'offline' } })
  t.equal((await h.hub.services.store.getAgent(ana.agent.id))?.status, 'offline', 'it changed')
  t.not((await h.hub.services.store.getConversation(conversation!.id))?.assigneeId, ana.agent.id, 'her conversation went back to routing')
  t.match((await boss.api('GET', `/agents/status-log?agent=${ana.agent.id}`)).body.items[0], { status: 'offline', source: 'supervisor' })
  const admin = await h.addAgent({ role: 'admin' })
  t.match(await admin.api('PUT', `/agents/${other.agent.id}/status`, { status: 'busy' }), { status: 200, body: { status: 'busy' } }, 'an admin sets anyone')
})

t.test('status log: when and from where, for supervisors of the agent\'s team', async t => {
  const h = await startTestHub(t)
  const ana = await h.addAgent({ teams: ['care'] })
  const boss = await h.addAgent({ role: 'supervisor', teams: ['care'] })
  const other = await h.addAgent({ teams: ['sales'], status: 'online' })
  await fetch(`${h.url}/api/v1/agents/me/status`, { method: 'PUT', headers: { authorization: `Bearer ${ana.token}`, 'content-type': 'application/json', 'user-agent': 'OmnihubTest/1.0' }, body: JSON.stringify({ status: 'online' }) })
  await ana.api('PUT', '/agents/me/status', { status: 'busy' })
  t.match(await ana.api('PUT', '/agents/me/status', { status: 'away' }), { status: 400, body: { field: 'body.status' } })
  t.equal((await ana.api('GET', '/agents/status-log')).status, 403)
  const log = await boss.api('GET', `/agents/status-log?agent=${ana.agent.id}`)
  t.same(log.body.items.map((e: any) => e.status), ['busy', 'online'])
  t.match(log.body.items[1], { source: 'api', ip: '127.0.0.1', userAgent: 'OmnihubTest/1.0' })
  t.match(await boss.api('GET', `/agents/status-log?agent=${other.agent.id}`), { status: 403, body: { code: 'forbidden' } }, 'not another team\'s agent')
  t.notOk((await boss.api('GET', '/agents/status-log')).body.items.some((e: any) => e.agentId === other.agent.id), 'nor in the whole log')
  const admin = await h.addAgent({ role: 'admin' })
  t.ok((await admin.api('GET', '/agents/status-log')).body.items.some((e: any) => e.agentId === other.agent.id), 'an admin sees every agent')
})

t.test('transfer with a note, full history, takeover and unassign', async t => {
  scripted.reset()
  const h = await startTestHub(t, { plugins: [scriptedChannel], channels: [{ id: 'shop', plugin: 'scripted' }, { id: 'web', plugin: 'scripted' }] })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  const first = await write(h.url, 'shop', 'buyer-1', 'my order is late')
  await until(async () => (await h.hub.services.store.getConversation(first))?.assigneeId === ana.agent.id)
  await ana.api('POST', `/conversations/${first}/messages`, { text: 'checking' })
  await ana.api('POST', `/conversations/${first}/close`)
  const bo = await h.addAgent({ name: 'Bo', status: 'online' })
  const second = await write(h.url, 'shop', 'buyer-1', 'still late!')
  await until(async () => (await h.hub.services.store.getConversation(second))?.assigneeId === ana.agent.id, 10_000, 'affinity to Ana')

  const boStream = await bo.stream()
  t.match(await bo.api('POST', `/conversations/${second}/assign`, { agentId: bo.agent.id }), { status: 403 }, 'an agent cannot take a colleague\'s conversation')
  const moved = await ana.api('POST', `/conversations/${second}/assign`, { agentId: bo.agent.id, note: 'VIP, refund approved' })
  t.match(moved, { status: 200, body: { assigneeId: bo.agent.id, status: 'assigned' } })
  const event = await boStream.next(e => e.type === 'conversation.assigned' && e.conversationId === second)
  t.match(event, { reason: 'transfer', previousAssigneeId: ana.agent.id, assignee: { id: bo.agent.id, name: 'Bo' } })
  const note = await boStream.next(e => e.type === 'message.created' && e.message?.direction === 'note')
  t.equal(note.message?.text, 'VIP, refund approved')
  t.same([(await h.hub.services.store.getAgent(ana.agent.id))?.activeCount, (await h.hub.services.store.getAgent(bo.agent.id))?.activeCount], [0, 1])

  const contactId = (await h.hub.services.store.getConversation(second))!.contactId
  const history = await bo.api('GET', `/contacts/${contactId}/messages?limit=100`)
  t.same(history.body.items.map((m: any) => m.text), ['my order is late', 'checking', 'still late!', 'VIP, refund approved'], 'the whole history, the closed conversation included')
  t.equal((await bo.api('GET', `/contacts/${contactId}/conversations`)).body.items.length, 2)
  t.match(await bo.api('POST', `/conversations/${second}/assign`, { agentId: 'nobody' }), { status: 404 })

  const boss = await h.addAgent({ name: 'Boss', role: 'supervisor', status: 'online' })
  t.match(await boss.api('POST', `/conversations/${second}/assign`, {}), { status: 200, body: { assigneeId: boss.agent.id } }, 'a supervisor takes over')
  const offline = await h.addAgent({ name: 'Off' })
  t.match(await boss.api('POST', `/conversations/${second}/assign`, { agentId: offline.agent.id }), { status: 409, body: { code: 'agent_offline' } })
  t.match(await bo.api('POST', `/conversations/${second}/unassign`), { status: 403 }, 'not theirs any more')
  t.match(await boss.api('POST', `/conversations/${second}/unassign`), { status: 200, body: { assigneeId: null } })
  await until(async () => (await h.hub.services.store.getConversation(second))?.assigneeId !== null, 10_000, 're-routed')
  t.pass('routed again after unassign')
})

t.test('transfer to a team: routed among that team, visible to it', async t => {
  scripted.reset()
  const h = await startTestHub(t, { plugins: [scriptedChannel], channels: [{ id: 'shop', plugin: 'scripted', team: 'sales' }] })
  for (const id of ['sales', 'aftersales']) await h.hub.services.store.createTeam({ id, name: id }, new Date())
  const seller = await h.addAgent({ teams: ['sales'], status: 'online' })
  const fixer = await h.addAgent({ teams: ['aftersales'], status: 'online' })
  const id = await write(h.url, 'shop', 'broken-item')
  await until(async () => (await h.hub.services.store.getConversation(id))?.assigneeId === seller.agent.id)
  t.equal((await fixer.api('GET', `/conversations/${id}`)).status, 404)
  t.match(await seller.api('POST', `/conversations/${id}/assign`, { teamId: 'aftersales', note: 'broken on arrival' }), { status: 200, body: { teamId: 'aftersales', assigneeId: null } })
  await until(async () => (await h.hub.services.store.getConversation(id))?.assigneeId === fixer.agent.id, 10_000, 'aftersales took it')
  t.equal((await fixer.api('GET', `/conversations/${id}`)).status, 200)
  t.match(await seller.api('POST', `/conversations/${id}/assign`, { teamId: 'nope' }), { status: 404 })
})

t.test('the customer hears where they stand, when their channel can say it', async t => {
  scripted.reset()
  const h = await startTestHub(t, { plugins: [scriptedChannel], channels: [{ id: 'shop', plugin: 'scripted' }], config: { routing: { defaultCapacity: 1 } } })
  const a = await write(h.url, 'shop', 'n1')
  const b = await write(h.url, 'shop', 'n2')
  await until(() => scripted.notices.some(n => n.conversationId === b && n.notice.type === 'queued' && n.notice.position === 2), 10_000, 'b told it is second')
  t.same(scripted.notices.filter(n => n.conversationId === b).at(-1)?.notice, { type: 'queued', position: 2, reason: 'no_agent_online' })
  t.same(scripted.notices.filter(n => n.conversationId === a).at(-1)?.notice, { type: 'queued', position: 1, reason: 'no_agent_online' })
  await h.addAgent({ name: 'Lin', status: 'online' })
  await until(() => scripted.notices.some(n => n.conversationId === a && n.notice.type === 'assigned'))
  t.match(scripted.notices.find(n => n.conversationId === a && n.notice.type === 'assigned')?.notice, { type: 'assigned', agent: { name: 'Lin' } })
  await until(() => scripted.notices.some(n => n.conversationId === b && n.notice.type === 'queued' && n.notice.position === 1), 10_000, 'b moved up')
  t.pass('b is told it is now first in line')
})

t.test('idle detection counts every action, not only replies: tags, notes, typing, reading and opening a conversation keep an agent online', async t => {
  const h = await startTestHub(t, { config: { presence: { sweepMs: 100, autoBusyAfterMs: 1500 } } })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  await ana.stream()
  const { conversationId } = await (await h.inbound(inboundBody({ from: { id: 'busy-1' }, text: 'hi' }))).json() as { conversationId: string }
  const actions: Array<() => Promise<unknown>> = [
    async () => await ana.api('PUT', `/conversations/${conversationId}/tags`, { tags: ['vip'] }),
    async () => await ana.api('POST', `/conversations/${conversationId}/notes`, { text: 'checking stock' }),
    async () => await ana.api('POST', `/conversations/${conversationId}/typing`, { on: true }),
    async () => await ana.api('POST', `/conversations/${conversationId}/read`),
    async () => await ana.api('GET', `/conversations/${conversationId}`)
  ]
  // Three times the idle limit, an action every half of it: never idle.
  for (let i = 0; i < 9; i++) {
    const done = await actions[i % actions.length]!() as { status: number }
    t.ok(done.status < 400, `action ${i + 1} went through`)
    await new Promise(resolve => setTimeout(resolve, 500))
    t.equal((await h.hub.services.store.getAgent(ana.agent.id))?.status, 'online', `still online after action ${i + 1}`)
  }
  const stream = await (await h.addAgent({ role: 'admin', status: 'online' })).stream()
  await stream.next(e => e.type === 'agent.status' && e.agentId === ana.agent.id && e.status === 'busy', 10_000)
  t.pass('and busy once the actions stop')
})

t.test('presence: no connection past the grace period is offline; idle is busy', async t => {
  const h = await startTestHub(t, { config: { presence: { graceMs: 1500, sweepMs: 200, autoBusyAfterMs: 2500 } } })
  const gone = await h.addAgent({ name: 'Gone', teams: ['care'], status: 'online' })
  const here = await h.addAgent({ name: 'Here', teams: ['care'], status: 'online' })
  const boss = await h.addAgent({ role: 'supervisor', teams: ['care'], status: 'online' })
  await here.stream()
  const bossStream = await boss.stream()
  const offline = await bossStream.next(e => e.type === 'agent.status' && e.agentId === gone.agent.id && e.status === 'offline', 10_000)
  t.ok(offline, 'the agent without a socket went offline')
  t.equal((await h.hub.services.store.getAgent(here.agent.id))?.status, 'online', 'the connected one stays online')
  const log = await boss.api('GET', `/agents/status-log?agent=${gone.agent.id}`)
  t.equal(log.body.items[0].source, 'disconnect')
  await bossStream.next(e => e.type === 'agent.status' && e.agentId === here.agent.id && e.status === 'busy', 10_000)
  t.equal((await boss.api('GET', `/agents/status-log?agent=${here.agent.id}`)).body.items[0].source, 'idle', 'idle past autoBusyAfterMs: busy')
})

t.test('OpenAPI: the whole API at /docs/json, browsable at /docs', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET }] })
  const spec = await (await fetch(`${h.url}/docs/json`)).json() as { openapi: string, paths: Record<string, Record<string, any>>, components: any }
  t.match(spec.openapi, /^3\./)
  for (const path of ['/api/v1/conversations', '/api/v1/conversations/{id}/messages', '/api/v1/conversations/{id}/assign', '/api/v1/agents/me/status', '/api/v1/agents/status-log', '/api/v1/queue', '/api/v1/teams', '/api/v1/contacts/{id}/messages', '/healthz', '/readyz']) {
    t.ok(spec.paths[path] !== undefined, `${path} is described`)
  }
  t.same(spec.paths['/api/v1/agents/me/status']!.put.requestBody.content['application/json'].schema.properties.status.enum, ['online', 'busy', 'offline'])
  t.ok(spec.paths['/api/v1/queue']!.get.responses['200'], 'responses are described')
  t.ok(spec.components.securitySchemes.bearer)
  const page = await fetch(`${h.url}/docs/`)
  t.equal(page.status, 200)
  t.match(await page.text(), /<html/i)
  t.equal((await h.inbound(inboundBody())).status, 200, 'channel routes still work beside the docs')
})

t.test('manual routing: conversations wait until an agent picks one', async t => {
  scripted.reset()
  const h = await startTestHub(t, { plugins: [scriptedChannel], channels: [{ id: 'shop', plugin: 'scripted' }], config: { routing: { strategy: 'manual' } } })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  const id = await write(h.url, 'shop', 'picky-buyer')
  await until(async () => (await h.hub.services.store.getConversation(id))?.queueReason === 'manual_routing')
  t.equal((await h.hub.services.store.getConversation(id))?.assigneeId, null, 'not assigned although Ana is online')
  const stream = await ana.stream()
  t.match(await ana.api('POST', `/conversations/${id}/assign`, {}), { status: 200, body: { assigneeId: ana.agent.id } })
  t.match(await stream.next(e => e.type === 'conversation.assigned'), { reason: 'picked' })
  t.equal((await h.hub.services.store.listQueue(10)).length, 0)
})

t.test('an agent\'s status is the same on every tab', async t => {
  const h = await startTestHub(t)
  const ana = await h.addAgent({ status: 'online' })
  const [tab1, tab2] = [await ana.stream(), await ana.stream()]
  await ana.api('PUT', '/agents/me/status', { status: 'busy' })
  for (const tab of [tab1, tab2]) t.match(await tab.next(e => e.type === 'agent.status'), { agentId: ana.agent.id, status: 'busy' })
  const tab3 = await ana.stream()
  t.equal(tab3.events[0]?.status, 'busy', 'a new tab starts with it')
})
