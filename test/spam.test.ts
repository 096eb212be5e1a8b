import t, { type Test } from 'tap'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET, inboundBody, startTestHub, type TestHub } from './helpers/hub.js'
import { VisitorClient } from './helpers/visitor.js'

const callback = new CallbackReceiver()
await callback.listen()
t.teardown(async () => { await callback.close() })
const channels = [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url, team: 'sales' }]

async function salesHub (t: Test): Promise<{ h: TestHub, boss: Awaited<ReturnType<TestHub['addAgent']>>, mia: Awaited<ReturnType<TestHub['addAgent']>> }> {
  const h = await startTestHub(t, { channels })
  for (const [id, name] of [['sales', 'Sales'], ['care', 'Care']]) await h.hub.services.store.createTeam({ id: id!, name: name! }, new Date())
  const boss = await h.addAgent({ role: 'supervisor', teams: ['sales'] })
  const mia = await h.addAgent({ name: 'Mia', teams: ['sales'], status: 'online' })
  return { h, boss, mia }
}

const send = async (h: TestHub, text: string, from = 'ann'): Promise<{ status: number, body: { conversationId: string, messageId: string } }> => {
  const r = await h.inbound(inboundBody({ from: { id: from, name: from }, text }))
  return { status: r.status, body: await r.json() as { conversationId: string, messageId: string } }
}
const listed = async (agent: { api: TestHub['api'] }): Promise<string[]> => (await agent.api('GET', '/conversations?status=open')).body.items.map((c: { id: string }) => c.id)

t.test('spam rules: supervisors set their team\'s phrases and patterns, checked; admins the hub\'s; agents read them', async t => {
  const { h, boss, mia } = await salesHub(t)
  const admin = await h.addAgent({ role: 'admin' })
  t.match(await boss.api('PUT', '/rules/teams/sales', { spam: { phrases: [' 加微信 ', '加微信', 'cheap followers'], patterns: ['v\\s*x\\s*[:：]'] } }),
    { status: 200, body: { spam: { phrases: ['加微信', 'cheap followers'], patterns: ['v\\s*x\\s*[:：]'] } } }, 'trimmed, repeats dropped')
  t.match(await boss.api('PUT', '/rules/teams/sales', { spam: { phrases: [], patterns: ['(unclosed'] } }), { status: 400, body: { code: 'invalid_pattern', problems: [/"\(unclosed" is not a regular expression/] } })
  t.match(await boss.api('PUT', '/rules/teams/sales', { spam: { phrases: [], patterns: ['(a+)+$'] } }), { status: 400, body: { code: 'invalid_pattern', message: /repeats a repeated group/ } }, 'a pattern that backtracks without end is refused')
  t.match(await boss.api('PUT', '/rules/teams/sales', { spam: { phrases: [] } }), { status: 400, body: { code: 'invalid_request' } }, 'both lists are given')
  t.match(await boss.api('PUT', '/rules/teams/sales', { spam: { phrases: [], patterns: [], regex: [] } }), { status: 400, body: { message: /regex/ } }, 'an unknown field is named')
  t.match(await mia.api('PUT', '/rules/teams/sales', { spam: { phrases: ['x'], patterns: [] } }), { status: 403 })
  t.match(await boss.api('PUT', '/rules/teams/care', { spam: { phrases: ['x'], patterns: [] } }), { status: 403 })
  t.match(await boss.api('PUT', '/rules/hub', { spam: { phrases: ['x'], patterns: [] } }), { status: 403 })
  t.match(await admin.api('PUT', '/rules/hub', { spam: { phrases: ['casino'], patterns: [] } }), { status: 200, body: { bannedWords: [], spam: { phrases: ['casino'] } } })
  t.match((await mia.api('GET', '/rules')).body, { hub: { spam: { phrases: ['casino'] } }, teams: { sales: { spam: { phrases: ['加微信', 'cheap followers'] } } } })
  // Unchanged rules stay as they were (the bad saves above changed nothing).
  t.same((await mia.api('GET', '/rules')).body.teams.sales.spam.patterns, ['v\\s*x\\s*[:：]'])
})

t.test('a spam message is stored, not routed, not unread and not listed; the Spam view shows it; a restore routes it to an agent', async t => {
  const { h, boss, mia } = await salesHub(t)
  await boss.api('PUT', '/rules/teams/sales', { spam: { phrases: ['加微信'], patterns: ['v\\s*x\\s*[:：]\\s*\\w+'] } })
  const stream = await mia.stream()
  const spam = await send(h, '亲 加微信 领红包', 'spammer')
  t.equal(spam.status, 200, 'the channel hears 200: it is stored')
  const again = await h.inbound({ messageId: 'pattern-1', from: { id: 'other' }, text: 'Add me VX：shop888 for a discount' })
  t.equal(again.status, 200)
  t.same(await listed(mia), [], 'neither is in the agent\'s list')
  t.match((await mia.api('GET', '/conversations/counts')).body, { all: { total: 0, unread: 0 }, closed: { total: 0 } }, 'nor counted in any view')
  t.same((await mia.api('GET', '/conversations?status=closed')).body.items, [], 'not even among the closed ones')
  t.equal((await h.hub.services.store.getAgent(mia.agent.id))?.activeCount, 0, 'not routed to the online agent')

  const view = await mia.api('GET', '/spam')
  t.equal(view.status, 200)
  t.match(view.body.items, [
    { message: { externalId: 'pattern-1', direction: 'note', text: 'Add me VX：shop888 for a discount', extras: { held: { reason: 'spam', rule: '/v\\s*x\\s*[:：]\\s*\\w+/', team: 'sales' } } }, contact: { name: null } },
    { message: { text: '亲 加微信 领红包', extras: { held: { rule: '加微信' } } }, contact: { name: 'spammer' } }
  ], 'both, newest first, with the rule that held each')
  const outsider = await h.addAgent({ teams: ['care'] })
  t.same((await outsider.api('GET', '/spam')).body.items, [], 'another team\'s agent sees none of them')
  t.match(await outsider.api('GET', '/spam?team=sales'), { status: 403 })
  t.equal((await mia.api('GET', '/spam?team=sales')).body.items.length, 2)
  t.match(await mia.api('GET', '/spam?team=sales&sort=new'), { status: 400, body: { code: 'invalid_request' } })

  const heldId = view.body.items[1].message.id as string
  t.match(await outsider.api('POST', `/spam/${heldId}/restore`, {}), { status: 404 }, 'not restorable by who cannot see it')
  const restored = await mia.api('POST', `/spam/${heldId}/restore`, {})
  t.match(restored, { status: 200, body: { conversationId: spam.body.conversationId, message: { direction: 'inbound', text: '亲 加微信 领红包', externalId: `restored:${heldId}` } } })
  const assigned = await stream.next(e => e.type === 'conversation.assigned' && e.conversationId === spam.body.conversationId)
  t.equal(assigned.assignee.id, mia.agent.id, 'routed to the online agent like any message')
  t.same(await listed(mia), [spam.body.conversationId], 'now in the list')
  t.equal((await mia.api('GET', `/conversations/${spam.body.conversationId}`)).body.unreadCount, 1, 'and unread')
  t.match(await mia.api('POST', `/spam/${heldId}/restore`, {}), { status: 409, body: { code: 'already_restored', messageId: restored.body.message.id } })
  t.equal((await mia.api('GET', '/spam')).body.items.length, 1, 'the restored one left the Spam view')
  const thread = (await mia.api('GET', `/conversations/${spam.body.conversationId}/messages`)).body.items
  t.match(thread[0], { id: heldId, extras: { held: { restored: { by: mia.agent.id, messageId: restored.body.message.id } } } }, 'the held note says who restored it')
})

t.test('spam in an open conversation is held as a note: the conversation keeps its place and its unread count', async t => {
  const { h, boss, mia } = await salesHub(t)
  const admin = await h.addAgent({ role: 'admin' })
  await admin.api('PUT', '/rules/hub', { spam: { phrases: ['casino'], patterns: [] } })
  const first = await send(h, 'Where is my parcel?')
  await send(h, 'Where is my parcel?', 'bob')
  const before = (await mia.api('GET', '/conversations?status=open')).body.items.map((c: { id: string }) => c.id)
  t.equal((await send(h, 'CASINO bonus here')).body.conversationId, first.body.conversationId, 'the hub-wide phrase holds it, in its conversation')
  t.same(await listed(mia), before, 'the order of the list is unchanged')
  const conversation = (await mia.api('GET', `/conversations/${first.body.conversationId}`)).body
  t.equal(conversation.unreadCount, 1, 'only the real message is unread')
  t.match((await mia.api('GET', `/conversations/${first.body.conversationId}/messages`)).body.items.at(-1), { direction: 'note', extras: { held: { reason: 'spam', rule: 'casino', team: 'sales' } } })
  t.equal((await boss.api('GET', '/spam')).body.items.length, 1)
})

t.test('blocking a contact: what they write is held on their channel, restoring waits for the unblock, and new messages flow again after it', async t => {
  const { h, mia } = await salesHub(t)
  const stream = await mia.stream()
  const first = await send(h, 'hello', 'troll')
  await stream.next(e => e.type === 'conversation.assigned' && e.conversationId === first.body.conversationId)
  const contactId = (await mia.api('GET', `/conversations/${first.body.conversationId}`)).body.contactId as string
  t.match(await mia.api('POST', `/contacts/${contactId}/block`, { reason: 'rude' }), { status: 400, body: { code: 'invalid_request', field: 'body.reason', message: /takes no body; remove reason/ } }, 'a route that takes no body names what it was given')
  t.equal((await mia.api('GET', `/contacts/${contactId}`)).body.blocked, null, 'and did nothing')
  const blocked = await mia.api('POST', `/contacts/${contactId}/block`, {})
  t.match(blocked, { status: 200, body: { id: contactId, blocked: { by: mia.agent.id } } }, 'any agent who serves them may block')
  t.same((await mia.api('POST', `/contacts/${contactId}/block`, {})).body.blocked, blocked.body.blocked, 'blocking again keeps the first block')
  t.match(await (await h.addAgent({ teams: ['care'] })).api('POST', `/contacts/${contactId}/block`, {}), { status: 404 }, 'not someone who cannot see them')

  const insult = await send(h, 'you are useless', 'troll')
  t.equal(insult.status, 200)
  t.equal((await mia.api('GET', `/conversations/${first.body.conversationId}`)).body.unreadCount, 1, 'not unread')
  const [held] = (await mia.api('GET', '/spam')).body.items
  t.match(held, { message: { text: 'you are useless', extras: { held: { reason: 'blocked' } } }, contact: { id: contactId } })
  t.match(await mia.api('POST', `/spam/${held.message.id}/restore`, {}), { status: 409, body: { code: 'contact_blocked', message: /unblock them first/ } })

  t.match(await mia.api('DELETE', `/contacts/${contactId}/block`), { status: 200, body: { blocked: null } })
  t.match(await mia.api('POST', `/spam/${held.message.id}/restore`, {}), { status: 200, body: { message: { direction: 'inbound', text: 'you are useless' } } })
  const next = await send(h, 'sorry, one more question', 'troll')
  const messages = (await mia.api('GET', `/conversations/${next.body.conversationId}/messages`)).body.items
  t.match(messages.at(-1), { direction: 'inbound', text: 'sorry, one more question' }, 'unblocked: messages reach agents again')
  t.equal((await mia.api('GET', `/contacts/${contactId}`)).body.blocked, null)
})

t.test('a webchat visitor whose message is held sees it as sent, also after a reload: nothing tells a harasser', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat' }] })
  const admin = await h.addAgent({ role: 'admin' })
  await admin.api('PUT', '/rules/hub', { spam: { phrases: ['casino'], patterns: [] } })
  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  t.match(await v.say('Best CASINO in town'), { type: 'ack', message: { from: 'visitor', text: 'Best CASINO in town' } })
  const again = await VisitorClient.connect(h.url, { token: v.token })
  t.teardown(() => again.close())
  const history = await again.next(f => f.type === 'history')
  t.match(history.messages, [{ from: 'visitor', text: 'Best CASINO in town' }], 'in their history as they wrote it')
  t.same((await admin.api('GET', '/conversations')).body.items, [], 'not in the agents\' list')
  const [held] = (await admin.api('GET', '/spam')).body.items
  await admin.api('POST', `/spam/${held.message.id}/restore`, {})
  const third = await VisitorClient.connect(h.url, { token: v.token })
  t.teardown(() => third.close())
  t.match((await third.next(f => f.type === 'history')).messages, [{ from: 'visitor', text: 'Best CASINO in town' }], 'restored: shown once')
  t.equal((await third.next(f => f.type === 'history')).messages.length, 1)
})
