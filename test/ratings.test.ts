import t from 'tap'
import { FakeGraph } from './fakes/graph.js'
import { startTestHub } from './helpers/hub.js'
import { messengerChannel, messengerCustomerWrote } from './helpers/messenger.js'
import { VisitorClient } from './helpers/visitor.js'
import { until } from './queue.contract.js'

const graph = new FakeGraph()
await graph.listen()
t.teardown(async () => { await graph.close() })

t.test('ratings: buttons in webchat, quick replies on Messenger, the rating page for a comment; supervisors see them per agent and channel', async t => {
  const h = await startTestHub(t, {
    channels: [
      { id: 'webchat', plugin: 'webchat', ratings: { onClose: true, invitation: '请为本次服务打分：{link}', thanks: '谢谢您的评价！' } },
      messengerChannel(graph)
    ]
  })
  const admin = await h.addAgent({ name: 'Root', role: 'admin' })
  t.equal((await admin.api('POST', '/teams', { id: 'care', name: 'Care' })).status, 201)
  const ana = await h.addAgent({ name: 'Ana', status: 'online', capacity: 10, teams: ['care'] })
  const lead = await h.addAgent({ name: 'Lea', role: 'supervisor', teams: ['care'] })
  const store = h.hub.services.store

  // Webchat: closing asks for a rating (per config); the visitor taps 5 stars.
  const visitor = await VisitorClient.connect(h.url)
  t.teardown(() => visitor.close())
  await visitor.ready()
  const said = await visitor.say('我的订单还没到')
  const id = (await store.getMessage(said.message.id))!.conversationId
  await until(async () => (await store.getConversation(id))?.assigneeId === ana.agent.id, 10_000, 'assigned to Ana')
  t.equal((await ana.api('POST', `/conversations/${id}/close`)).status, 200)
  const invitation = await visitor.next(f => f.type === 'message' && f.message.from === 'bot')
  t.match(invitation.message, { text: /^请为本次服务打分：http:\/\/127\.0\.0\.1:\d+\/rate\/\S+$/, choices: [{ label: '★' }, { label: '★★' }, { label: '★★★' }, { label: '★★★★' }, { label: '★★★★★', payload: `rating:${id}:5` }] })
  t.match(await store.getConversation(id), { status: 'closed', ratingInvitedAt: Date })

  // Another visitor cannot rate this conversation by forging its payload.
  const intruder = await VisitorClient.connect(h.url)
  t.teardown(() => intruder.close())
  await intruder.ready()
  await intruder.say('★', undefined, { payload: `rating:${id}:1` })
  await new Promise(resolve => setTimeout(resolve, 200))
  t.equal((await store.getConversation(id))?.rating, null, 'a forged payload is just text')

  await visitor.say('★★★★★', undefined, { payload: invitation.message.choices[4].payload })
  await until(async () => (await store.getConversation(id))?.rating !== null, 10_000, 'the rating')
  t.match(await store.getConversation(id), { status: 'closed', rating: { score: 5, comment: null, agentId: ana.agent.id } }, 'kept on the conversation, which stays closed')
  t.match((await visitor.next(f => f.type === 'message' && f.message.text === '谢谢您的评价！')).message, { from: 'bot' })

  // The link: a page with a form; a comment added later keeps the score's agent.
  const link = /http\S+/.exec(invitation.message.text as string)![0]
  const page = await fetch(link, { headers: { 'accept-language': 'zh-CN' } })
  t.equal(page.status, 200)
  t.match(await page.text(), /您已评分 5\/5/)
  const posted = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ score: '4', comment: '发货有点慢，客服很好 <b>!</b>' }).toString() })
  t.equal(posted.status, 200)
  t.match(await posted.text(), /Thank you for your rating/)
  t.match(await store.getConversation(id), { rating: { score: 4, comment: '发货有点慢，客服很好 <b>!</b>', agentId: ana.agent.id } })
  t.notMatch(await (await fetch(link)).text(), /<b>!<\/b>/, 'the comment is shown escaped')
  t.equal((await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=9' })).status, 400, 'a score outside 1–5 is refused on the page')
  t.equal((await fetch(link.replace(/.$/, c => c === 'A' ? 'B' : 'A'))).status, 404, 'a tampered link opens nothing')
  await until(async () => (await store.listMessages(id, { limit: 50 })).items.filter(m => m.extras?.automated === 'rating_thanks').length === 1, 5000, 'thanked')

  // Messenger: an agent asks; quick replies; the customer taps 2 stars.
  const fb = await messengerCustomerWrote(h, 'psid-rate', 'thanks for the help')
  await until(async () => (await store.getConversation(fb))?.assigneeId === ana.agent.id, 10_000, 'assigned')
  t.equal((await ana.api('POST', `/conversations/${fb}/rating-invitation`)).status, 200)
  await until(async () => graph.sends.some(c => c.body.recipient?.id === 'psid-rate' && c.body.message?.quick_replies !== undefined), 10_000, 'the invitation')
  const asked = graph.sends.find(c => c.body.recipient?.id === 'psid-rate' && c.body.message?.quick_replies !== undefined)!
  t.match(asked.body, { messaging_type: 'RESPONSE', message: { text: /How would you rate our service\? .*\/rate\//, quick_replies: [{ title: '★', payload: `rating:${fb}:1` }] } })
  t.equal(asked.body.message.quick_replies.length, 5)
  t.equal((await ana.api('POST', `/conversations/${fb}/close`)).status, 200)
  await messengerCustomerWrote(h, 'psid-rate', '★★', 0, `rating:${fb}:2`)
  await until(async () => (await store.getConversation(fb))?.rating?.score === 2, 10_000, 'the Messenger rating')
  t.equal((await store.getConversation(fb))?.status, 'closed', 'a rating does not reopen the conversation')
  t.match(await ana.api('POST', `/conversations/${fb}/rating-invitation`), { status: 409, body: { code: 'already_rated' } })

  t.match((await lead.api('GET', '/ratings')).body.items, [
    { agentId: ana.agent.id, agentName: 'Ana', channelId: 'fb-shop', count: 1, average: 2, satisfied: 0 },
    { agentId: ana.agent.id, agentName: 'Ana', channelId: 'webchat', count: 1, average: 4, satisfied: 1 }
  ])
  t.match(await ana.api('GET', '/ratings'), { status: 403 })
  const other = await h.addAgent({ name: 'Olga', role: 'supervisor', teams: [] })
  t.same((await other.api('GET', '/ratings')).body.items, [], 'supervisors see their own teams\' agents')
  t.match(await ana.api('POST', '/conversations/nope/rating-invitation'), { status: 404 })
})
