import t, { type Test } from 'tap'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET, inboundBody, startTestHub, type TestHub } from './helpers/hub.js'
import { until } from './queue.contract.js'

const callback = new CallbackReceiver()
const callbackUrl = await callback.listen()
t.teardown(async () => { await callback.close() })
const channels = [
  { id: 'api', plugin: 'api', secret: API_SECRET, team: 'sales', callbackUrl },
  { id: 'open', plugin: 'api', secret: API_SECRET, callbackUrl }
]

for (const queue of ['inline', 'bullmq'] as const) {
  t.test(`routing on the ${queue} queue`, async t => {
    let offsetMs = 0
    const setup = async (t: Test, routing: Record<string, unknown> = {}): Promise<TestHub> => {
      offsetMs = 0
      const h = await startTestHub(t, {
        queue, channels, clock: () => new Date(Date.now() + offsetMs),
        config: { routing: { defaultCapacity: 5, ...routing }, presence: { graceMs: 3_600_000 * 24 * 30 } }
      })
      await h.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date())
      await h.hub.services.store.createTeam({ id: 'support', name: 'Support' }, new Date())
      return h
    }
    const write = async (h: TestHub, customer: string, channelId = 'api'): Promise<string> => {
      const response = await h.inbound(inboundBody({ from: { id: customer } }), { channelId })
      if (response.status !== 200) throw new Error(`inbound ${response.status}`)
      return ((await response.json()) as { conversationId: string }).conversationId
    }
    const conversation = async (h: TestHub, id: string) => (await h.hub.services.store.getConversation(id))!

    t.test('capacity holds under 50 concurrent arrivals for 3 agents', async t => {
      const h = await setup(t)
      const agents = await Promise.all([1, 2, 3].map(async () => await h.addAgent({ teams: ['sales'], status: 'online' })))
      const ids = await Promise.all(Array.from({ length: 50 }, async (_, i) => await write(h, `rush-${i}`)))
      await until(async () => (await h.hub.services.store.listQueue(100)).length === 35, 20_000, '35 waiting')
      for (const a of agents) {
        t.equal((await h.hub.services.store.listAssigned(a.agent.id)).length, 5, `${a.agent.name} has exactly 5`)
        t.equal((await h.hub.services.store.getAgent(a.agent.id))?.activeCount, 5)
      }
      const waiting = await h.hub.services.store.listQueue(100)
      t.ok(waiting.every(c => c.queueReason === 'all_at_capacity'), 'the rest wait: all at capacity')
      t.equal(new Set([...waiting.map(c => c.id), ...(await Promise.all(agents.map(async a => await h.hub.services.store.listAssigned(a.agent.id)))).flat().map(c => c.id)]).size, 50, 'every arrival is assigned or waiting')
      t.same((await h.api('GET', '/queue')).status, 403, 'the queue is for supervisors')
      const supervisor = await h.addAgent({ role: 'supervisor', teams: ['sales'] })
      const listed = await supervisor.api('GET', '/queue')
      t.equal(listed.body.items.length, 35)
      t.same(listed.body.items.slice(0, 3).map((i: any) => i.position), [1, 2, 3])
      t.ok(ids.length === 50)
    })

    t.test('busy keeps returning buyers inside the affinity window and refuses new ones', async t => {
      const h = await setup(t)
      const ana = await h.addAgent({ name: 'Ana', teams: ['sales'], status: 'online' })
      const first = await write(h, 'returning-buyer')
      await until(async () => (await conversation(h, first)).assigneeId === ana.agent.id)
      t.equal((await ana.api('POST', `/conversations/${first}/messages`, { text: 'hello!' })).status, 202, 'Ana serves the buyer')
      await ana.api('POST', `/conversations/${first}/close`)
      t.equal((await ana.api('PUT', '/agents/me/status', { status: 'busy' })).body.status, 'busy')

      offsetMs = 71 * 3_600_000
      const again = await write(h, 'returning-buyer')
      t.not(again, first, 'a new conversation')
      await until(async () => (await conversation(h, again)).assigneeId === ana.agent.id, 10_000, 'affinity while busy')
      const stranger = await write(h, 'new-buyer')
      await until(async () => (await conversation(h, stranger)).queueReason !== null)
      t.match(await conversation(h, stranger), { status: 'unassigned', queueReason: 'team_offline' }, 'no new buyers for a busy agent')

      await ana.api('POST', `/conversations/${again}/close`)
      offsetMs = 73 * 3_600_000
      const late = await write(h, 'returning-buyer')
      await until(async () => (await conversation(h, late)).queueReason !== null)
      t.equal((await conversation(h, late)).assigneeId, null, 'after 72 h a returning buyer is a new buyer')
    })

    t.test('offline hands open conversations back to routing at once', async t => {
      const h = await setup(t)
      const ana = await h.addAgent({ teams: ['sales'], status: 'online' })
      const id = await write(h, 'handover')
      await until(async () => (await conversation(h, id)).assigneeId === ana.agent.id)
      const bo = await h.addAgent({ teams: ['sales'], status: 'online' })
      const boStream = await bo.stream()
      await ana.api('PUT', '/agents/me/status', { status: 'offline' })
      const assigned = await boStream.next(e => e.type === 'conversation.assigned' && e.conversationId === id)
      t.equal(assigned.assignee.id, bo.agent.id)
      t.equal((await h.hub.services.store.getAgent(ana.agent.id))?.activeCount, 0)
      const handedBack = await (await bo.stream()).next(e => e.type === 'agent.status' && e.agentId === ana.agent.id).catch(() => null)
      t.equal(handedBack, null, 'an agent does not see a colleague\'s status (supervisors do)')
    })

    t.test('the queue drains in order with the right reasons as agents come online', async t => {
      const h = await setup(t)
      const nobody = await write(h, 'nobody', 'open')
      await until(async () => (await conversation(h, nobody)).queueReason !== null)
      t.equal((await conversation(h, nobody)).queueReason, 'no_agent_online')
      await h.hub.services.store.closeConversation(nobody, new Date())
      const boss = await h.addAgent({ role: 'supervisor', teams: ['sales'] })
      const bossStream = await boss.stream()
      const order: string[] = []
      for (let i = 0; i < 5; i++) {
        order.push(await write(h, `waiting-${i}`))
        await until(async () => (await conversation(h, order[i]!)).queueReason !== null)
      }
      t.same((await h.hub.services.store.listQueue(10)).map(c => [c.id, c.queueReason]), order.map(id => [id, 'team_offline']))
      await bossStream.next(e => e.type === 'queue.updated' && e.teamId === 'sales' && e.size === 5)
      t.equal(bossStream.ofType('conversation.queued').filter(e => e.reason === 'team_offline').length, 5, 'the supervisor saw each one queue, with its reason')
      const ana = await h.addAgent({ teams: ['sales'], capacity: 2, status: 'online' })
      await until(async () => (await h.hub.services.store.listAssigned(ana.agent.id)).length === 2, 10_000, 'two assigned')
      t.same((await h.hub.services.store.listAssigned(ana.agent.id)).map(c => c.id).sort(), order.slice(0, 2).sort(), 'the two longest-waiting')
      await until(async () => (await h.hub.services.store.listQueue(10)).every(c => c.queueReason === 'all_at_capacity'), 10_000, 'reasons updated')
      await ana.api('POST', `/conversations/${order[0]}/close`)
      await until(async () => (await conversation(h, order[2]!)).assigneeId === ana.agent.id, 10_000, 'the next in line')
      t.same((await h.hub.services.store.listQueue(10)).map(c => c.id), order.slice(3))
      await bossStream.next(e => e.type === 'queue.updated' && e.teamId === 'sales' && e.size === 2)
    })

    t.test('an agent never receives another team\'s events', async t => {
      const h = await setup(t)
      const seller = await h.addAgent({ teams: ['sales'], status: 'online' })
      const helper = await h.addAgent({ teams: ['support'], status: 'online' })
      const sellerStream = await seller.stream()
      const helperStream = await helper.stream()
      const salesId = await write(h, 'team-buyer')
      await sellerStream.next(e => e.type === 'message.created' && e.conversationId === salesId)
      await sellerStream.next(e => e.type === 'conversation.assigned' && e.conversationId === salesId)
      const openId = await write(h, 'anyone', 'open')
      await helperStream.next(e => e.type === 'message.created' && e.conversationId === openId)
      t.same(helperStream.events.filter(e => e.conversationId === salesId), [], 'nothing about the sales conversation reached support')
      t.same((await helper.api('GET', `/conversations/${salesId}`)).status, 404, 'nor can support read it')
    })

    t.test('a reconnecting socket gets what it missed, once; an unknown id gets resync', async t => {
      const h = await setup(t)
      const ana = await h.addAgent({ teams: ['sales'], status: 'online' })
      const first = await ana.stream()
      const id = await write(h, 'reconnect')
      const seen = await first.next(e => e.type === 'message.created' && e.conversationId === id)
      first.close()
      await new Promise(resolve => setTimeout(resolve, 100))
      for (let i = 0; i < 3; i++) await write(h, 'reconnect')
      await until(async () => (await h.hub.services.store.listMessages(id, { limit: 10 })).items.every(m => m.routed), 10_000, 'routed')
      await new Promise(resolve => setTimeout(resolve, 200))
      const again = await ana.stream(seen.id)
      await until(() => again.ofType('message.created').length >= 3, 10_000, 'three missed messages')
      await new Promise(resolve => setTimeout(resolve, 300))
      const replayed = again.ofType('message.created')
      t.equal(replayed.length, 3, 'each once')
      t.equal(new Set(again.events.filter(e => e.id !== undefined).map(e => e.id)).size, again.events.filter(e => e.id !== undefined).length, 'no event twice')
      t.notOk(replayed.some(e => e.id === seen.id), 'not the one it already had')
      const lost = await ana.stream('1-1')
      await lost.next(e => e.type === 'resync')
      t.pass('told to refetch')
    })
  })
}
