import t, { type Test } from 'tap'
import { FaqRanking } from '../core/faq/index.js'
import type { FaqEntry } from '../core/model/index.js'
import { Bm25Index } from '../core/text/index.js'
import { FakeGraph } from './fakes/graph.js'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET, inboundBody, startTestHub, type TestAgent, type TestHub } from './helpers/hub.js'
import { messengerChannel, messengerCustomerWrote } from './helpers/messenger.js'
import { until } from './queue.contract.js'

const entry = (id: string, question: string, alternatives: string[] = []): FaqEntry =>
  ({ id, teamId: null, question, alternatives, answer: `answer ${id}`, related: [], createdBy: null, suggested: false, createdAt: new Date(), updatedAt: new Date() })

t.test('ranking: paraphrases match an entry by any of its phrasings, greetings aside, in Chinese and English', async t => {
  const ranking = new FaqRanking([
    entry('returns', 'How do I return an item?', ['退货怎么办', 'Can I send my order back?', '怎么申请退货']),
    entry('shipping', 'When will my order ship?', ['什么时候发货', '多久发货']),
    entry('invoice', 'Can I get an invoice?', ['能开发票吗', '发票怎么开'])
  ])
  const best = (q: string): { id: string, confidence: number } | undefined => {
    const top = ranking.rank(q, 3)[0]
    return top === undefined ? undefined : { id: top.entry.id, confidence: top.confidence }
  }
  t.match(best('亲，在吗？请问退货要怎么办呀'), { id: 'returns' })
  t.ok(best('亲，在吗？请问退货要怎么办呀')!.confidence >= 0.6, 'greetings do not dilute a clear question')
  t.match(best('Hi, can I send back my order please?'), { id: 'returns', confidence: 1 }, 'word order and politeness do not matter')
  t.match(best('什么时候能发货'), { id: 'shipping' })
  t.ok(best('how can I return the shoes I bought')!.confidence < 0.6, 'half a question is not a sure answer')
  t.equal(best('where is my parcel'), undefined, 'nothing in common, nothing ranked')
  t.equal(ranking.rank('退货 发货 发票', 3).length, 3, 'an entry counts once, however many phrasings match')
  t.same(ranking.rank('', 3), [])
})

t.test('BM25 keeps exactly the best `limit` of many matches, best first', async t => {
  const words = ['refund', 'ship', 'size', 'color', 'invoice', 'return', 'order', 'coupon']
  const docs = Array.from({ length: 500 }, (_, i) => [{ text: Array.from({ length: 1 + (i % 7) }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' '), weight: 1 }])
  const index = new Bm25Index(docs)
  const all = index.search('refund order coupon', 500)
  const top = index.search('refund order coupon', 10)
  t.same(top, all.slice(0, 10))
  t.ok(all.every((r, i) => i === 0 || all[i - 1]!.score > r.score || (all[i - 1]!.score === r.score && all[i - 1]!.index < r.index)))
})

const graph = new FakeGraph()
const callback = new CallbackReceiver()
await graph.listen()
await callback.listen()
t.teardown(async () => { await graph.close(); await callback.close() })

interface Setup { h: TestHub, admin: TestAgent, lead: TestAgent, ana: TestAgent }

const ROBOT = { mode: 'auto', threshold: 0.6, failedTurns: 2, handoff: 'Connecting you to a colleague.', unsure: 'Did you mean:' }

async function setup (t: Test, robot: Record<string, unknown> = ROBOT): Promise<Setup> {
  const h = await startTestHub(t, {
    channels: [
      { id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url, team: 'care', robot },
      messengerChannel(graph, { team: 'care', robot: { ...robot, handoff: '正在为您转接人工客服，请稍候。', unsure: '您是想问：' } })
    ]
  })
  const admin = await h.addAgent({ name: 'Root', role: 'admin' })
  t.equal((await admin.api('POST', '/teams', { id: 'care', name: 'Care' })).status, 201)
  const lead = await h.addAgent({ name: 'Lea', role: 'supervisor', teams: ['care'] })
  const ana = await h.addAgent({ name: 'Ana', teams: ['care'], status: 'online', capacity: 20 })
  return { h, admin, lead, ana }
}

const CSV = `question,answer,alternatives,related
How do I return an item?,"Open your order and choose Return; we refund within 3 days. 打开订单，点击""申请退货""即可。",退货怎么办|Can I send my order back?|怎么申请退货,When will my order ship?
When will my order ship?,We ship within 24 hours of payment. 付款后24小时内发货。,"什么时候发货
多久发货",
Can I get an invoice?,Yes: ask for it in the order notes. 可以开发票，请在订单备注中填写抬头。,能开发票吗|发票怎么开,How do I return an item?
`

async function importCsv (agent: TestAgent, h: TestHub, csv: string, query = '?teamId=care'): Promise<{ status: number, body: any }> {
  const response = await fetch(`${h.url}/api/v1/faq/import${query}`, { method: 'POST', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'text/csv' }, body: csv })
  return { status: response.status, body: await response.json() }
}

const conversationOf = async (response: Response): Promise<string> => ((await response.json()) as { conversationId: string }).conversationId
const repliesTo = (conversationId: string): Array<Record<string, any>> => callback.received.map(r => r.body).filter(b => b.conversationId === conversationId)

t.test('the knowledge base: who manages it, a CSV import that checks every row first, ranked search', async t => {
  const { h, admin, lead, ana } = await setup(t)
  t.match(await ana.api('POST', '/faq', { teamId: 'care', question: 'q', answer: 'a' }), { status: 403, body: { code: 'forbidden', message: /supervisors/ } })
  t.match(await lead.api('POST', '/faq', { question: 'q', answer: 'a' }), { status: 403, body: { message: /Only admins manage the hub-wide FAQ/ } })
  t.match(await lead.api('POST', '/faq', { teamId: 'nope', question: 'q', answer: 'a' }), { status: 403 }, 'not their team')

  const bad = await importCsv(lead, h, 'question,answer,alternatives,related\nHow do I pay?,By card.\nWhat sizes?,\n,Orphan answer\nHow do I pay?,Twice.\nGift wrap?,Yes,,Unknown question?\n')
  t.match(bad, { status: 400, body: { code: 'faq_import_invalid', problems: ['row 3: the answer is empty', 'row 4: the question is empty', 'row 5: the question "How do I pay?" is also on an earlier row', 'row 6: related question "Unknown question?" is neither in this file nor in the FAQ'] } })
  t.equal((await lead.api('GET', '/faq')).body.total, 0, 'nothing of a bad file is imported')
  t.match(await importCsv(lead, h, 'q,a\nx,y\n'), { status: 400, body: { message: /"question" and "answer"/ } })
  t.match(await importCsv(lead, h, 'question,answer\n"unclosed,x\n'), { status: 400, body: { message: /not valid CSV/ } })
  t.match(await importCsv(ana, h, CSV), { status: 403 }, 'agents do not import')

  t.match(await importCsv(lead, h, '\uFEFF' + CSV), { status: 200, body: { created: 3, updated: 0 } }, 'a spreadsheet\'s BOM is fine')
  t.match(await importCsv(lead, h, CSV.replace('We ship within 24 hours', 'We ship within 12 hours')), { status: 200, body: { created: 0, updated: 3 } }, 'importing again updates, it does not duplicate')
  const items = (await ana.api('GET', '/faq')).body.items as Array<Record<string, any>>
  t.equal(items.length, 3)
  const byQuestion = new Map(items.map(e => [e.question, e]))
  const returns = byQuestion.get('How do I return an item?')!
  t.same(returns.alternatives, ['退货怎么办', 'Can I send my order back?', '怎么申请退货'])
  t.same(byQuestion.get('When will my order ship?')!.alternatives, ['什么时候发货', '多久发货'], 'phrasings on several lines of a cell')
  t.match(byQuestion.get('When will my order ship?'), { answer: /12 hours/, teamId: 'care' })
  t.same(returns.related, [byQuestion.get('When will my order ship?')!.id], 'related questions named by their text')

  t.same(((await ana.api('GET', '/faq?q=' + encodeURIComponent('我想退货怎么办'))).body.items as Array<{ question: string }>).map(e => e.question)[0], 'How do I return an item?', 'search ranks as the robot does')
  t.match(await lead.api('POST', '/faq', { teamId: 'care', question: 'how do I return an item', answer: 'dup' }), { status: 409, body: { code: 'faq_question_taken', entryId: returns.id } })
  t.match(await lead.api('POST', '/faq', { teamId: 'care', question: 'Gift wrap?', answer: 'Yes', related: ['nope'] }), { status: 400, body: { code: 'faq_related_unknown' } })
  const hubEntry = await admin.api('POST', '/faq', { question: 'Are you open on Sundays?', answer: 'Yes, 9 to 18.' })
  t.equal(hubEntry.status, 201, 'admins keep the hub-wide FAQ')
  t.match(await lead.api('PATCH', `/faq/${hubEntry.body.id as string}`, { answer: 'x' }), { status: 403 })
  t.match(await lead.api('PATCH', `/faq/${returns.id as string}`, { alternatives: ['退货', '退款'] }), { status: 200, body: { alternatives: ['退货', '退款'] } })
  t.equal((await lead.api('DELETE', `/faq/${byQuestion.get('When will my order ship?')!.id as string}`)).status, 204)
  t.same((await ana.api('GET', '/faq')).body.items.find((e: { id: string }) => e.id === returns.id).related, [], 'a removed entry leaves the related lists')
  t.equal((await ana.api('GET', '/faq')).body.total, 3, 'agents see the hub\'s entries too')
})

t.test('the robot answers a paraphrased question by itself and keeps the conversation; "talk to a human" and "转人工" hand off to a person', async t => {
  const { h, lead, ana } = await setup(t)
  t.equal((await importCsv(lead, h, CSV)).status, 200)
  const store = h.hub.services.store

  // English, on the api channel: answered by the bot, related questions as choices.
  const id = await conversationOf(await h.inbound(inboundBody({ from: { id: 'rob-1', name: 'Rob' }, text: 'Hello! Can I send back my order?' })))
  await until(async () => repliesTo(id).length === 1, 10_000, 'the robot\'s answer')
  t.match(repliesTo(id)[0], { author: { type: 'bot', id: null }, text: /Open your order and choose Return/, choices: [{ label: 'When will my order ship?', payload: /^faq:/ }] })
  t.match(await store.getConversation(id), { status: 'bot', assigneeId: null, queuedAt: null }, 'the robot holds it: nobody is assigned though Ana is online')
  t.match((await ana.api('GET', '/conversations?status=bot')).body.items, [{ id }], 'agents see it under Bot')

  // A related question, tapped.
  await h.inbound(inboundBody({ from: { id: 'rob-1' }, text: 'When will my order ship?', payload: repliesTo(id)[0]!.choices[0].payload }))
  await until(async () => repliesTo(id).length === 2, 10_000, 'the related answer')
  t.match(repliesTo(id)[1], { author: { type: 'bot' }, text: /We ship within 24 hours/ })

  await h.inbound(inboundBody({ from: { id: 'rob-1' }, text: 'ok, let me talk to a human please' }))
  await until(async () => (await store.getConversation(id))?.assigneeId === ana.agent.id, 10_000, 'handed to Ana')
  await until(() => repliesTo(id).length === 3, 10_000, 'the customer told')
  t.match(repliesTo(id).at(-1), { author: { type: 'bot' }, text: 'Connecting you to a colleague.' })
  const before = repliesTo(id).length
  await h.inbound(inboundBody({ from: { id: 'rob-1' }, text: 'how do I return an item?' }))
  await until(async () => (await store.listMessages(id, { limit: 50 })).items.every(m => m.routed), 10_000, 'routed')
  await new Promise(resolve => setTimeout(resolve, 200))
  t.equal(repliesTo(id).length, before, 'once a person has it, the robot stays quiet')

  // Chinese, on Messenger: quick replies for related questions, then 转人工.
  const fb = await messengerCustomerWrote(h, 'psid-fei', '亲，请问退货要怎么办呀？')
  await until(async () => graph.sends.some(c => c.body.recipient?.id === 'psid-fei'), 10_000, 'the Messenger answer')
  const answer = graph.sends.find(c => c.body.recipient?.id === 'psid-fei')!
  t.match(answer.body, { messaging_type: 'RESPONSE', message: { text: /申请退货/, quick_replies: [{ content_type: 'text', title: 'When will my order …', payload: /^faq:/ }] } }, 'a related question as a quick reply, its title cut to Messenger\'s 20 characters')
  t.notOk('tag' in answer.body, 'an automated answer is never tagged')
  t.equal((await store.getConversation(fb))?.status, 'bot')
  await messengerCustomerWrote(h, 'psid-fei', '转人工')
  await until(async () => (await store.getConversation(fb))?.assigneeId === ana.agent.id, 10_000, 'the Messenger customer handed to Ana')
  await until(async () => graph.sends.some(c => c.body.recipient?.id === 'psid-fei' && c.body.message?.text === '正在为您转接人工客服，请稍候。'), 10_000, 'told in Chinese')

  const stats = (await lead.api('GET', '/faq/stats')).body.items as Array<Record<string, any>>
  t.match(stats.find(s => s.channelId === 'api'), { mode: 'auto', asked: 3, answered: 2, hitRate: 2 / 3, handoffs: { total: 1, asked_for_human: 1 } })
  t.match(stats.find(s => s.channelId === 'fb-shop'), { asked: 2, answered: 1, hitRate: 0.5, handoffs: { total: 1, asked_for_human: 1 } })
  t.match(await ana.api('GET', '/faq/stats'), { status: 403 }, 'supervisors see the robot\'s figures')
})

t.test('no answer at all hands off at once; unsure answers offer choices, then a person after the failed turns', async t => {
  const { h, lead, ana } = await setup(t)
  t.equal((await importCsv(lead, h, CSV)).status, 200)
  const store = h.hub.services.store

  const lost = await conversationOf(await h.inbound(inboundBody({ from: { id: 'mars-1' }, text: 'Is it raining on Mars today?' })))
  await until(async () => (await store.getConversation(lost))?.assigneeId === ana.agent.id, 10_000, 'routed at once')
  await until(() => repliesTo(lost).length === 1, 10_000, 'the customer told')
  t.match(repliesTo(lost), [{ text: 'Connecting you to a colleague.' }])

  const vague = await conversationOf(await h.inbound(inboundBody({ from: { id: 'vague-1' }, text: 'the order thing' })))
  await until(async () => repliesTo(vague).length === 1, 10_000, 'an unsure turn')
  t.match(repliesTo(vague)[0], { author: { type: 'bot' }, text: 'Did you mean:', choices: [{ payload: /^faq:/ }] })
  t.equal((await store.getConversation(vague))?.status, 'bot')
  await h.inbound(inboundBody({ from: { id: 'vague-1' }, text: 'the order stuff again' }))
  await until(async () => (await store.getConversation(vague))?.assigneeId === ana.agent.id, 10_000, 'a person after two unsure turns')
  const stats = (await lead.api('GET', '/faq/stats')).body.items.find((s: { channelId: string }) => s.channelId === 'api')
  t.match(stats, { asked: 3, answered: 0, unsure: 1, hitRate: 0, handoffs: { total: 2, no_answer: 1, failed_turns: 1 } })
})

t.test('an agent who answers a conversation the robot holds takes it over', async t => {
  const { h, lead } = await setup(t)
  t.equal((await importCsv(lead, h, CSV)).status, 200)
  const id = await conversationOf(await h.inbound(inboundBody({ from: { id: 'kim-1' }, text: 'can I get an invoice?' })))
  await until(async () => (await h.hub.services.store.getConversation(id))?.status === 'bot', 10_000, 'the robot answered')
  const bo = await h.addAgent({ name: 'Bo', teams: ['care'], status: 'busy' })
  t.equal((await bo.api('POST', `/conversations/${id}/messages`, { text: 'I can help further: which order?' })).status, 202)
  t.match(await h.hub.services.store.getConversation(id), { status: 'assigned', assigneeId: bo.agent.id })
})

t.test('suggestions: the top 3 answers for what the customer asked, best first; adding a customer\'s question and the reply to the FAQ', async t => {
  const { h, lead, ana } = await setup(t, { mode: 'suggest' })
  t.equal((await importCsv(lead, h, CSV)).status, 200)
  const id = await conversationOf(await h.inbound(inboundBody({ from: { id: 'sue-1' }, text: '你好，什么时候发货？能开发票吗？' })))
  await until(async () => (await h.hub.services.store.getConversation(id))?.assigneeId === ana.agent.id, 10_000, 'a person gets it: the robot only suggests')
  t.equal(repliesTo(id).length, 0, 'nothing is sent by itself')
  const suggestions = (await ana.api('GET', `/conversations/${id}/suggestions`)).body
  t.equal(suggestions.mode, 'suggest')
  t.same(suggestions.items.map((e: { question: string }) => e.question), ['When will my order ship?', 'Can I get an invoice?', 'How do I return an item?'])
  t.ok(suggestions.items[0].score >= suggestions.items[1].score && suggestions.items[1].score >= suggestions.items[2].score, 'in rank order')

  const question = (await h.hub.services.store.listMessages(id, { limit: 5 })).items[0]!
  t.match(await ana.api('POST', `/conversations/${id}/messages/${question.id}/faq`, {}), { status: 400, body: { code: 'faq_answer_needed' } })
  t.equal((await ana.api('POST', `/conversations/${id}/messages`, { text: 'Both: we ship within a day, and the invoice comes by email.' })).status, 202)
  const added = await ana.api('POST', `/conversations/${id}/messages/${question.id}/faq`, {})
  t.match(added, { status: 201, body: { teamId: 'care', question: '你好，什么时候发货？能开发票吗？', answer: 'Both: we ship within a day, and the invoice comes by email.', createdBy: ana.agent.id, suggested: true } }, 'any agent adds a question and its reply, as a suggestion')
  t.equal((await ana.api('GET', `/conversations/${id}/suggestions`)).body.items.length, 0, 'answered: nothing left to suggest')
  const other = await conversationOf(await h.inbound(inboundBody({ from: { id: 'sue-2' }, text: '什么时候发货，能开发票吗' })))
  await until(async () => (await h.hub.services.store.getConversation(other))?.assigneeId !== null, 10_000, 'routed')
  t.not((await ana.api('GET', `/conversations/${other}/suggestions`)).body.items[0].id, added.body.id, 'a suggestion waiting for approval answers nobody')
  t.same((await lead.api('GET', '/faq?suggested=true')).body.items.map((e: { id: string }) => e.id), [added.body.id], 'the supervisor sees what waits')
  t.match(await ana.api('POST', `/faq/${added.body.id}/approve`), { status: 403 }, 'an agent cannot approve their own')
  t.match(await lead.api('POST', `/faq/${added.body.id}/approve`), { status: 200, body: { suggested: false } })
  t.equal((await ana.api('GET', `/conversations/${other}/suggestions`)).body.items[0].id, added.body.id, 'approved, the new entry answers the next customer first')
  t.same((await lead.api('GET', '/faq?suggested=true')).body.items, [])

  const off = await startTestHub(t)
  const offId = await conversationOf(await off.inbound(inboundBody({ text: 'when do you ship?' })))
  t.same((await off.api('GET', `/conversations/${offId}/suggestions`)).body, { mode: 'off', items: [] })
})

t.test('an agent hands a conversation back to the robot: it is unassigned, the robot answers the next question, and hands off again when asked', async t => {
  const { h, lead, ana } = await setup(t)
  t.equal((await importCsv(lead, h, CSV)).status, 200)
  const store = h.hub.services.store
  const id = await conversationOf(await h.inbound(inboundBody({ from: { id: 'zoe-1', name: 'Zoe' }, text: 'talk to a human please' })))
  await until(async () => (await store.getConversation(id))?.assigneeId === ana.agent.id, 10_000, 'Ana has it')
  const other = await h.addAgent({ name: 'Ola', teams: ['care'] })
  t.match(await other.api('POST', `/conversations/${id}/robot`), { status: 403 }, 'not another agent\'s conversation')
  const back = await ana.api('POST', `/conversations/${id}/robot`)
  t.match(back, { status: 200, body: { status: 'bot', assigneeId: null } })
  t.equal((await store.getAgent(ana.agent.id))?.activeCount, 0, 'Ana\'s capacity is free again')
  t.match(await ana.api('POST', `/conversations/${id}/robot`), { status: 200, body: { status: 'bot' } }, 'again: nothing changes')
  const before = repliesTo(id).length
  await h.inbound(inboundBody({ from: { id: 'zoe-1' }, text: 'When will my order ship?' }))
  await until(() => repliesTo(id).length > before, 10_000, 'the robot answers')
  t.match(repliesTo(id).at(-1), { author: { type: 'bot' }, text: /We ship within 24 hours/ })
  t.equal((await store.getConversation(id))?.status, 'bot', 'it keeps the conversation')
  await ana.api('POST', `/conversations/${id}/close`)
  t.match(await ana.api('POST', `/conversations/${id}/robot`), { status: 409, body: { code: 'conversation_closed' } })
})

t.test('no robot on the channel: handing back is refused with the reason', async t => {
  const { h, ana } = await setup(t, { ...ROBOT, mode: 'suggest' })
  const id = await conversationOf(await h.inbound(inboundBody({ from: { id: 'max-1' }, text: 'hi' })))
  t.match(await ana.api('POST', `/conversations/${id}/robot`), { status: 409, body: { code: 'robot_off', message: /robot\.mode is suggest/ } })
  t.match((await ana.api('GET', '/channels')).body.items.find((c: { id: string }) => c.id === 'api'), { robot: 'suggest' })
})
