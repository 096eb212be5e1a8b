import t from 'tap'
import { readMood, ALERT_SCORE, historyCanTip, readMessage } from '../core/mood/index.js'
import { FakeGraph } from './fakes/graph.js'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET, inboundBody, startTestHub } from './helpers/hub.js'
import { messengerChannel, messengerCustomerWrote } from './helpers/messenger.js'
import { until } from './queue.contract.js'

t.test('reading a customer\'s mood: words, emoji, punctuation, capitals, complaining again unanswered', async t => {
  const upset = (text: string, before: string[] = []): boolean => readMood(text, before).score >= ALERT_SCORE
  t.notOk(upset('This is a scam, I want my money back'), 'one angry word alone is not enough')
  t.same(readMood('This is a scam!!! Worst shop ever', []).signals, ['scam', 'worst', 'punctuation'])
  t.ok(upset('垃圾店，骗子！！！'))
  t.ok(upset('还不发货？？？气死我了'))
  t.ok(upset('WHERE IS MY PARCEL I PAID A WEEK AGO 😡'))
  t.ok(upset('this is ridiculous', ['hello?', 'anyone there???']), 'a third unanswered message, now angry')
  for (const calm of ['Hi, where is my order?', '请问什么时候发货？', 'Thanks!!', 'The box arrived a bit dented, could you help?', '谢谢，收到了 👍', 'OK', 'IS IT COTTON']) {
    t.notOk(upset(calm), calm)
  }
  t.notOk(upset('where is it?', ['hello', 'anyone?']), 'asking three times calmly is not anger')
  // The route job reads the unanswered messages only when they could tip the newest over.
  t.notOk(upset('where is it?', ['SCAM!!!', 'worst shop, fraud']), 'a calm message after angry ones raises nothing by itself')
  t.notOk(historyCanTip(readMessage('where is it?')), 'so a calm message needs no history')
  t.ok(historyCanTip(readMessage('this is ridiculous')), 'one angry word might be tipped over')
  t.same(readMood('where is it?', ['hello', 'WHY IS NOBODY ANSWERING ME']).signals, ['repeated'], 'a calm one after unanswered complaints is still marked repeated')
})

const graph = new FakeGraph()
const callback = new CallbackReceiver()
await graph.listen()
await callback.listen()
t.teardown(async () => { await graph.close(); await callback.close() })

t.test('an angry customer raises one mood alert, to the assignee and the team\'s supervisors, and is marked for them', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url, team: 'care' }, messengerChannel(graph, { team: 'care' })] })
  const admin = await h.addAgent({ name: 'Root', role: 'admin' })
  await admin.api('POST', '/teams', { id: 'care', name: 'Care' })
  const ana = await h.addAgent({ name: 'Ana', teams: ['care'], status: 'online', capacity: 10 })
  const lead = await h.addAgent({ name: 'Lea', role: 'supervisor', teams: ['care'], status: 'busy' })
  const bo = await h.addAgent({ name: 'Bo', teams: ['care'], status: 'busy' })
  const [anaStream, leadStream, boStream] = await Promise.all([ana.stream(), lead.stream(), bo.stream()])

  const say = async (text: string): Promise<string> => ((await (await h.inbound(inboundBody({ from: { id: 'cy-1', name: 'Cy' }, text }))).json()) as { conversationId: string }).conversationId
  const id = await say('hello, is my parcel on its way?')
  await until(async () => (await h.hub.services.store.getConversation(id))?.assigneeId === ana.agent.id, 10_000, 'assigned to Ana')
  t.equal((await h.hub.services.store.getConversation(id))?.moodAlertAt, null, 'a calm question raises nothing')
  await say('This is a SCAM!!! worst shop ever, I want my money back')
  const alert = await anaStream.next(e => e.type === 'conversation.mood_alert')
  t.match(alert, { conversationId: id, signals: ['scam', 'worst', 'punctuation'], conversation: { moodAlertAt: String } })
  t.match(await leadStream.next(e => e.type === 'conversation.mood_alert'), { conversationId: id }, 'the team\'s supervisor hears of it')
  await say('I will report you to my bank, fraud!!!')
  await until(async () => (await h.hub.services.store.listMessages(id, { limit: 10 })).items.every(m => m.routed), 10_000, 'routed')
  await new Promise(resolve => setTimeout(resolve, 300))
  t.equal([...anaStream.events].filter(e => e.type === 'conversation.mood_alert').length, 1, 'one alert per conversation')
  t.notOk(boStream.events.some(e => e.type === 'conversation.mood_alert'), 'other agents are not alerted')
  t.same((await lead.api('GET', '/conversations?mood=alert&status=open')).body.items.map((c: { id: string }) => c.id), [id], 'supervisors find upset customers')

  const fb = await messengerCustomerWrote(h, 'psid-li', '垃圾店，骗子！！！还不退钱')
  await until(async () => (await h.hub.services.store.getConversation(fb))?.moodAlertAt !== null, 10_000, 'the Chinese alert')
  t.match(await leadStream.next(e => e.type === 'conversation.mood_alert' && e.conversationId === fb), { signals: ['垃圾', '骗子', '退钱', 'punctuation'] }, 'Chinese on Messenger')
  t.equal((await lead.api('GET', '/conversations?mood=alert&status=open')).body.items.length, 2)
})
