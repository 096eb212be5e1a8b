import t from 'tap'
import { inboundBody, startTestHub } from '../helpers/hub.js'

const closed = async (socket: import('ws').WebSocket, ms = 5000): Promise<{ code: number, reason: string } | 'open'> =>
  await new Promise(resolve => {
    if (socket.readyState === socket.CLOSED) { resolve({ code: -1, reason: 'already closed' }); return }
    const timer = setTimeout(() => resolve('open'), ms)
    socket.once('close', (code, reason) => { clearTimeout(timer); resolve({ code, reason: String(reason) }) })
  })

for (const queue of ['inline', 'bullmq'] as const) {
  t.test(`${queue}: a rotated token closes the sockets opened with it at once`, async t => {
    const h = await startTestHub(t, { queue })
    const mia = await h.addAgent({ name: 'Mia' })
    const stream = await mia.stream()
    const rotated = await mia.api('POST', `/agents/${mia.agent.id}/token`)
    t.equal(rotated.status, 200)
    t.match(await closed(stream.socket), { code: 4001, reason: /token no longer works/ })
    t.equal((await mia.api('GET', '/agents/me')).status, 401, 'and REST refuses the old token')
  })

  t.test(`${queue}: an admin demoted to an agent of another team stops receiving that team's conversations on an open socket`, async t => {
    const h = await startTestHub(t, { queue })
    const admin = await h.addAgent({ name: 'Ada', role: 'admin' })
    const boss = await h.addAgent({ name: 'Boss', role: 'admin' })
    for (const id of ['care', 'sales']) t.equal((await boss.api('POST', '/teams', { id, name: id })).status, 201)
    const { conversationId } = await (await h.inbound(inboundBody({ text: 'before the change', from: { id: 'sales-customer' } }))).json() as { conversationId: string }
    await h.hub.services.store.unassignConversation(conversationId, new Date(), { teamId: 'sales' })
    const stream = await admin.stream()
    await h.inbound(inboundBody({ text: 'an admin sees this', from: { id: 'sales-customer' } }))
    await stream.next(e => e.type === 'message.created' && e.message?.text === 'an admin sees this')
    t.equal((await boss.api('PATCH', `/agents/${admin.agent.id}`, { role: 'agent', teams: ['care'] })).status, 200)
    await new Promise(resolve => setTimeout(resolve, 300))
    await h.inbound(inboundBody({ text: 'for sales only', from: { id: 'sales-customer' } }))
    await new Promise(resolve => setTimeout(resolve, 500))
    t.notOk(stream.events.some(e => e.type === 'message.created' && e.message?.text === 'for sales only'), 'the demoted agent no longer sees another team\'s messages')
    t.equal(stream.socket.readyState, stream.socket.OPEN, 'the socket stays open: the token still works')
  })
}
