import t, { type Test } from 'tap'
import { validateConfig } from '../../core/config/index.js'
import { sweepDesks } from '../../core/desks/index.js'
import { PluginRegistry } from '../../core/channels/index.js'
import { CallbackReceiver } from '../../test/helpers/callback.js'
import { inboundBody, startTestHub, type TestHub } from '../../test/helpers/hub.js'
import { FakeGraph } from '../../test/fakes/graph.js'
import { FakeLibreTranslate } from '../../test/fakes/libretranslate.js'
import { messengerChannel, messengerCustomerWrote } from '../../test/helpers/messenger.js'
import { until } from '../../test/queue.contract.js'
import { BOT, FakeSlack, type Posted } from '../../test/fakes/slack.js'

const TOKEN = 'xoxb-test-token'
const SECRET = 'slack-signing-secret'
const DESK_CHANNEL = 'C0DESK'
const MESSENGER_CHANNEL = 'C0MESSENGER'

const fake = new FakeSlack(TOKEN, SECRET)
const callback = new CallbackReceiver()
const graph = new FakeGraph()
await fake.listen()
await callback.listen()
await graph.listen()
t.teardown(async () => { await fake.close(); await callback.close(); await graph.close() })

const desk = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'slack', plugin: 'slack', botToken: TOKEN, signingSecret: SECRET, slackChannel: DESK_CHANNEL,
  channels: { 'fb-shop': MESSENGER_CHANNEL }, clientOptions: { slackApiUrl: `${fake.url}/api/` }, ...over
})

async function hubWithDesk (t: Test, over: Record<string, unknown> = {}, config: Record<string, unknown> = {}): Promise<TestHub> {
  return await startTestHub(t, {
    callbackUrl: callback.url,
    channels: [
      { id: 'api', plugin: 'api', secret: 'test-secret-0123456789', callbackUrl: callback.url },
      messengerChannel(graph, { humanAgent: true })
    ],
    config: { desks: [desk(over)], guards: { bannedWords: ['idiot'] }, http: { port: 0, publicUrl: 'https://help.example.com' }, ...config }
  })
}

/** A customer writes on the api channel; resolves with the conversation id. */
async function customerWrites (h: TestHub, text: string, from = { id: 'ann-1', name: 'Ann Lee' }): Promise<string> {
  const response = await h.inbound(inboundBody({ from, text }))
  return ((await response.json()) as { conversationId: string }).conversationId
}

async function threadOf (h: TestHub, conversationId: string): Promise<{ channel: string, ts: string }> {
  let state: string | null = null
  await until(async () => (state = await h.hub.services.store.kvGet('desk:slack', `conv:${conversationId}`)) !== null, 10_000, 'slack thread')
  return JSON.parse(state!) as { channel: string, ts: string }
}

const replyTexts = (ts: string): string[] => fake.replies(ts).map(m => m.text)
/** What the api channel's callback received after the first `from` calls (the receiver is shared; its ids must stay unique). */
const sentAfter = (from: number): Array<Record<string, unknown>> => callback.received.slice(from).map(r => r.body)
const events = (h: TestHub): string => `${h.url}/slack/events`

/** An agent's message in a thread, as the Events API delivers it. */
function threadMessage (user: string, thread: { channel: string, ts: string }, text: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return fake.eventBody({ type: 'message', channel: thread.channel, channel_type: 'channel', user, text, ts: `${Date.now() / 1000}`, thread_ts: thread.ts, ...over })
}

async function messagesOf (h: TestHub, conversationId: string): Promise<Array<{ direction: string, text: string, tag: string | null, extras: { via?: string } | null, author: { id: string | null } }>> {
  return (await h.hub.services.store.listMessages(conversationId, { limit: 100 })).items
}

t.test('HTTP mode: threads out, replies in, under the same rules as the inbox', async t => {
  const h = await hubWithDesk(t)
  const ana = await h.addAgent({ name: 'Ana', email: 'ana@shop.example', status: 'online' })
  fake.emails.set('UANA', 'ana@shop.example')

  const id = await customerWrites(h, 'Where is my <order>? @channel')
  const thread = await threadOf(h, id)
  const parent = fake.messages.get(thread.ts)!
  t.equal(parent.channel, DESK_CHANNEL, 'posted to the desk channel')
  t.equal(parent.thread_ts, undefined, 'as a top-level message')
  const blocks = JSON.stringify(parent.blocks)
  t.match(blocks, /Ann Lee/, 'the contact')
  t.match(blocks, /api \(api\)/, 'the channel')
  t.match(blocks, /Where is my &lt;order&gt;\?/, 'the first message, escaped so it cannot link or ping')
  t.match(blocks, new RegExp(`https://help.example.com/inbox/#/c/${id}`), 'a link to the inbox')
  t.match(blocks, /omnihub_assign/, 'an assign button')

  t.test('later customer messages are thread replies, in order', async t => {
    for (const text of ['second', 'third', 'fourth']) await customerWrites(h, text)
    await until(() => fake.replies(thread.ts).length === 3, 10_000, 'three replies')
    t.same(replyTexts(thread.ts), ['*Ann Lee*: second', '*Ann Lee*: third', '*Ann Lee*: fourth'])
    t.equal(fake.parents(DESK_CHANNEL).length, 1, 'one parent for the conversation')
  })

  t.test('an agent\'s thread reply reaches the customer through the conversation\'s channel', async t => {
    const from = callback.received.length
    const response = await fake.sendEvent(events(h), threadMessage('UANA', thread, 'It ships <https://track.example/1|today>, &lt;promise&gt;'))
    t.equal(response.status, 200)
    await until(() => sentAfter(from).length === 1, 10_000, 'the reply at the api callback')
    t.match(sentAfter(from)[0], { conversationId: id, text: 'It ships today (https://track.example/1), <promise>', author: { type: 'agent', id: ana.agent.id } })
    const stored = (await messagesOf(h, id)).filter(m => m.direction === 'outbound')
    t.equal(stored.length, 1)
    t.same(stored[0]!.extras, { via: 'slack' }, 'kept as written from the desk')
    await customerWrites(h, 'thanks')
    await until(() => fake.replies(thread.ts).length === 4, 10_000, 'the next customer message')
    t.notOk(replyTexts(thread.ts).some(text => text.includes('It ships')), 'the agent\'s own reply is not echoed into the thread')
  })

  t.test('a reply from the inbox shows in the thread', async t => {
    const before = fake.replies(thread.ts).length
    const r = await ana.api('POST', `/conversations/${id}/messages`, { text: 'also from the inbox' })
    t.equal(r.status, 202)
    await until(() => fake.replies(thread.ts).length === before + 1, 10_000, 'the inbox reply in the thread')
    t.match(replyTexts(thread.ts).at(-1), /^:speech_balloon: \*Ana\* replied: also from the inbox$/)
  })

  t.test('attachments show as links: the customer\'s as they are, the hub\'s signed for people outside it', async t => {
    const before = fake.replies(thread.ts).length
    await h.inbound(inboundBody({ from: { id: 'ann-1', name: 'Ann Lee' }, text: 'photo of the box', attachments: [{ kind: 'image', url: 'https://cdn.example/box.jpg', name: 'box.jpg' }] }))
    await until(() => fake.replies(thread.ts).length === before + 1, 10_000, 'the photo')
    t.equal(replyTexts(thread.ts).at(-1), '*Ann Lee*: photo of the box\n:paperclip: <https://cdn.example/box.jpg|box.jpg>')
    const upload = await fetch(`${h.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${ana.token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'label.pdf', 'x-file-type': 'application/pdf' }, body: Buffer.from('%PDF-1.4 label') })
    const { attachment } = await upload.json() as { attachment: { url: string } }
    await ana.api('POST', `/conversations/${id}/messages`, { text: 'your label', attachments: [attachment] })
    await until(() => fake.replies(thread.ts).length === before + 2, 10_000, 'the label')
    const link = /<(https:\/\/help\.example\.com\/files\/[^|]+)\|label\.pdf>/.exec(replyTexts(thread.ts).at(-1)!)?.[1]
    t.ok(link !== undefined && link.includes('sig='), 'an absolute, signed link at the public URL')
    const opened = await fetch(link!.replace('https://help.example.com', h.url))
    t.equal(await opened.text(), '%PDF-1.4 label', 'the link opens the file')
  })

  t.test('files shared in Slack are not sent, and the agent is told; the text still goes', async t => {
    const from = callback.received.length
    const ephemerals = fake.ephemerals.length
    await fake.sendEvent(events(h), threadMessage('UANA', thread, 'see attached', { subtype: 'file_share', files: [{ id: 'F1', name: 'x.png' }] }))
    await until(() => sentAfter(from).length === 1, 10_000, 'the text')
    t.match(sentAfter(from)[0], { text: 'see attached', attachments: [] })
    t.match(fake.ephemerals.slice(ephemerals).map(e => e.text), [/Files from Slack are not sent/])
  })

  t.test(';code sends the agent\'s quick phrase, filled in for this customer', async t => {
    t.equal((await ana.api('POST', '/phrases', { code: 'hi', title: 'Hello', text: 'Hi {contact.name}, {agent.name} here.' })).status, 201)
    const from = callback.received.length
    await fake.sendEvent(events(h), threadMessage('UANA', thread, ';hi'))
    await until(() => sentAfter(from).length === 1, 10_000, 'the phrase')
    t.match(sentAfter(from)[0], { text: 'Hi Ann Lee, Ana here.' })
    const ephemerals = fake.ephemerals.length
    await fake.sendEvent(events(h), threadMessage('UANA', thread, ';nope'))
    await until(() => fake.ephemerals.length === ephemerals + 1, 10_000, 'the answer')
    t.match(fake.ephemerals.at(-1)!.text, /Not sent to the customer: you have no quick phrase ;nope/)
  })

  t.test('a banned word is refused to that agent only, with the reason, and nothing is sent', async t => {
    const from = callback.received.length
    const before = (await messagesOf(h, id)).length
    const ephemerals = fake.ephemerals.length
    await fake.sendEvent(events(h), threadMessage('UANA', thread, 'you idiot'))
    await until(() => fake.ephemerals.length === ephemerals + 1, 10_000, 'the ephemeral refusal')
    const refusal = fake.ephemerals.at(-1)!
    t.match(refusal, { channel: DESK_CHANNEL, user: 'UANA', thread_ts: thread.ts })
    t.match(refusal.text, /Not sent to the customer: .*idiot/)
    t.equal((await messagesOf(h, id)).length, before, 'nothing stored')
    t.equal(sentAfter(from).length, 0, 'nothing sent')
  })

  t.test('a reply that reads as dismissive is held for that agent, with "Send anyway"', async t => {
    const from = callback.received.length
    const ephemerals = fake.ephemerals.length
    await fake.sendEvent(events(h), threadMessage('UANA', thread, 'Not my problem, ask the courier.'))
    await until(() => fake.ephemerals.length === ephemerals + 1, 10_000, 'the warning')
    const held = fake.ephemerals.at(-1)!
    t.match(held.text, /may read as dismissive to the customer \(not my problem\)\. Edit it, or send it as written with the button\./)
    const button = (held.blocks!.find(b => b.type === 'actions') as { elements: Array<{ action_id: string, value: string, text: { text: string } }> }).elements[0]!
    t.equal(button.text.text, 'Send anyway')
    t.equal(sentAfter(from).length, 0, 'held')
    await fake.sendAction(events(h), fake.actionBody({ user: 'UANA', channel: thread.channel, messageTs: '1.2', threadTs: thread.ts, actionId: button.action_id, value: button.value, ephemeral: true }))
    await until(() => sentAfter(from).length === 1, 10_000, 'sent as written')
    t.match(sentAfter(from)[0], { text: 'Not my problem, ask the courier.' })
    await until(() => fake.responses.some(r => /Sent as written/.test(String(r.text))), 10_000, 'the warning replaced')
  })

  t.test('note: becomes an internal note', async t => {
    const from = callback.received.length
    await fake.sendEvent(events(h), threadMessage('UANA', thread, 'Note: VIP, refund if late'))
    await until(async () => (await messagesOf(h, id)).some(m => m.direction === 'note'), 10_000, 'the note')
    const note = (await messagesOf(h, id)).find(m => m.direction === 'note')!
    t.equal(note.text, 'VIP, refund if late')
    t.equal(note.author.id, ana.agent.id)
    await new Promise(resolve => setTimeout(resolve, 300))
    t.equal(sentAfter(from).length, 0, 'a note never reaches the customer')
  })

  t.test('an unmapped Slack user is told how to link, and their text is not sent', async t => {
    const before = (await messagesOf(h, id)).length
    const ephemerals = fake.ephemerals.length
    fake.emails.set('USTRANGER', 'stranger@elsewhere.example')
    await fake.sendEvent(events(h), threadMessage('USTRANGER', thread, 'I can help!'))
    await until(() => fake.ephemerals.length === ephemerals + 1, 10_000, 'the explanation')
    const told = fake.ephemerals.at(-1)!
    t.equal(told.user, 'USTRANGER')
    t.match(told.text, /stranger@elsewhere\.example/, 'names the email Slack has')
    t.match(told.text, /users.*USTRANGER/, 'shows the config mapping that links them')
    t.equal((await messagesOf(h, id)).length, before, 'nothing stored')
  })

  t.test('a retried event is one reply', async t => {
    const from = callback.received.length
    const body = threadMessage('UANA', thread, 'only once please')
    await fake.sendEvent(events(h), body)
    await fake.sendEvent(events(h), body, { retryNum: 1 })
    await fake.sendEvent(events(h), body, { retryNum: 2 })
    await until(() => sentAfter(from).length >= 1, 10_000, 'the reply')
    await new Promise(resolve => setTimeout(resolve, 500))
    t.equal(sentAfter(from).length, 1, 'sent once')
    t.equal((await messagesOf(h, id)).filter(m => m.text === 'only once please').length, 1, 'stored once')
  })

  t.test('the app\'s own messages and other bots are ignored', async t => {
    const before = (await messagesOf(h, id)).length
    await fake.sendEvent(events(h), threadMessage(BOT.userId, thread, 'posted by the desk itself', { bot_id: BOT.botId }))
    await fake.sendEvent(events(h), threadMessage('UOTHER', thread, 'a bot', { subtype: 'bot_message', bot_id: 'B0OTHER' }))
    await fake.sendEvent(events(h), threadMessage('UANA', thread, 'edited', { subtype: 'message_changed' }))
    await new Promise(resolve => setTimeout(resolve, 400))
    t.equal((await messagesOf(h, id)).length, before)
  })

  t.test('an upset customer shows on the parent', async t => {
    await customerWrites(h, 'This is a SCAM!!! worst shop ever')
    await until(() => JSON.stringify(fake.messages.get(thread.ts)!.blocks).includes('The customer seems upset'), 10_000, 'the parent marked')
  })

  t.test('buttons: assign to me, close and reopen change the conversation and the parent', async t => {
    const click = async (actionId: string): Promise<Response> =>
      await fake.sendAction(events(h), fake.actionBody({ user: 'UANA', channel: thread.channel, messageTs: thread.ts, actionId, value: id }))
    t.equal((await click('omnihub_assign')).status, 200)
    await until(async () => (await h.hub.services.store.getConversation(id))?.assigneeId === ana.agent.id, 10_000, 'assigned')
    await until(() => JSON.stringify(fake.messages.get(thread.ts)!.blocks).includes('Assigned to *Ana*'), 10_000, 'parent shows the assignee')
    await click('omnihub_close')
    await until(async () => (await h.hub.services.store.getConversation(id))?.status === 'closed', 10_000, 'closed')
    await until(() => JSON.stringify(fake.messages.get(thread.ts)!.blocks).includes('omnihub_reopen'), 10_000, 'parent offers reopen')
    t.match(JSON.stringify(fake.messages.get(thread.ts)!.blocks), /Closed/)
    await click('omnihub_reopen')
    await until(async () => (await h.hub.services.store.getConversation(id))?.status !== 'closed', 10_000, 'reopened')
    await until(() => JSON.stringify(fake.messages.get(thread.ts)!.blocks).includes('omnihub_close'), 10_000, 'parent offers close again')
  })

  t.test('a button pressed by an unmapped user does nothing but explain', async t => {
    const before = await h.hub.services.store.getConversation(id)
    const ephemerals = fake.ephemerals.length
    await fake.sendAction(events(h), fake.actionBody({ user: 'USTRANGER', channel: thread.channel, messageTs: thread.ts, actionId: 'omnihub_close', value: id }))
    await until(() => fake.ephemerals.length === ephemerals + 1, 10_000, 'the explanation')
    t.equal((await h.hub.services.store.getConversation(id))?.status, before?.status)
  })

  t.test('a 429 from Slack is waited out for Retry-After, and the thread is posted once', async t => {
    fake.rateLimit('chat.postMessage', 1, 1)
    const calls = fake.callsOf('chat.postMessage').length
    const other = await customerWrites(h, 'rate limited hello', { id: 'bo-2', name: 'Bo Zhang' })
    const otherThread = await threadOf(h, other)
    const tries = fake.callsOf('chat.postMessage').slice(calls)
    t.equal(tries.length, 2, 'tried twice')
    t.ok(tries[1]!.at - tries[0]!.at >= 1000, `the retry waited for Retry-After (${tries[1]!.at - tries[0]!.at} ms)`)
    t.equal(fake.parents(DESK_CHANNEL).filter((m: Posted) => JSON.stringify(m.blocks).includes('Bo Zhang')).length, 1, 'one parent')
    t.ok(fake.messages.has(otherThread.ts))
  })
})

t.test('a Slack user mapped in config is that agent, whatever their Slack email', async t => {
  const h = await hubWithDesk(t, { users: { UBO: 'bo@shop.example' } })
  const bo = await h.addAgent({ name: 'Bo', email: 'bo@shop.example' })
  fake.emails.set('UBO', 'bo.personal@gmail.example')
  const id = await customerWrites(h, 'hello mapped', { id: 'mapped-1', name: 'Cy' })
  const thread = await threadOf(h, id)
  const from = callback.received.length
  const infoCalls = fake.callsOf('users.info').length
  await fake.sendEvent(events(h), threadMessage('UBO', thread, 'hi from Bo'))
  await until(() => sentAfter(from).length === 1, 10_000, 'the mapped reply')
  t.match(sentAfter(from)[0], { text: 'hi from Bo', author: { id: bo.agent.id } })
  t.equal(fake.callsOf('users.info').length, infoCalls, 'no profile lookup needed')

  t.equal(bo.agent.status, 'offline', 'Bo works only from Slack')
  await fake.sendAction(events(h), fake.actionBody({ user: 'UBO', channel: thread.channel, messageTs: thread.ts, actionId: 'omnihub_assign', value: id }))
  await until(async () => (await h.hub.services.store.getConversation(id))?.assigneeId === bo.agent.id, 10_000, 'assigned to Bo')
  t.equal((await h.hub.services.store.getAgent(bo.agent.id))?.status, 'online', 'taking a conversation from Slack brings an offline agent online')
})

t.test('Messenger\'s closed window: the refusal offers the allowed tags, and a click sends with the tag', async t => {
  const h = await hubWithDesk(t)
  const ana = await h.addAgent({ name: 'Ana', email: 'ana@shop.example', status: 'online' })
  fake.emails.set('UANA', 'ana@shop.example')
  const conversationId = await messengerCustomerWrote(h, 'psid-dee', 'is my refund coming?', 30)
  const thread = await threadOf(h, conversationId)
  t.equal(thread.channel, MESSENGER_CHANNEL, 'the hub channel\'s own Slack channel')

  const sends = graph.sends.length
  const ephemerals = fake.ephemerals.length
  await fake.sendEvent(events(h), threadMessage('UANA', thread, 'Your refund is on its way'))
  await until(() => fake.ephemerals.length === ephemerals + 1, 10_000, 'the tag choice')
  const choice = fake.ephemerals.at(-1)!
  t.match(choice.text, /30 hours ago/, 'why: the window')
  const buttons = (choice.blocks!.find(b => b.type === 'actions') as { elements: Array<{ action_id: string, value: string, text: { text: string } }> }).elements
  t.same(buttons.map(b => b.text.text), ['Send with HUMAN_AGENT'])
  t.equal(graph.sends.length, sends, 'nothing sent yet')

  const press = fake.actionBody({ user: 'UANA', channel: thread.channel, messageTs: '1.1', threadTs: thread.ts, actionId: buttons[0]!.action_id, value: buttons[0]!.value, ephemeral: true })
  await fake.sendAction(events(h), press)
  await until(() => graph.sends.length === sends + 1, 10_000, 'sent with the tag')
  t.match(graph.sends.at(-1)!.body, { recipient: { id: 'psid-dee' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Your refund is on its way' } })
  t.match((await messagesOf(h, conversationId)).find(m => m.direction === 'outbound'), { tag: 'HUMAN_AGENT', author: { id: ana.agent.id } })
  await until(() => fake.responses.length > 0, 10_000, 'the choice replaced')
  t.match(fake.responses.at(-1), { replace_original: true, text: /Sent with tag HUMAN_AGENT/ })

  await fake.sendAction(events(h), press)
  await new Promise(resolve => setTimeout(resolve, 400))
  t.equal(graph.sends.length, sends + 1, 'a second click does not send again')
})

t.test('a reply written in Slack that the channel refuses later is reported in its thread', async t => {
  const h = await hubWithDesk(t)
  await h.addAgent({ name: 'Ana', email: 'ana@shop.example', status: 'online' })
  fake.emails.set('UANA', 'ana@shop.example')
  const thread = await threadOf(h, await messengerCustomerWrote(h, 'psid-eve', 'hi', 1))
  graph.errors = [{ status: 400, code: 551, message: 'This person isn\'t available right now.' }]
  t.teardown(() => { graph.errors = [] })
  await fake.sendEvent(events(h), threadMessage('UANA', thread, 'this will bounce'))
  await until(() => replyTexts(thread.ts).some(text => text.startsWith(':warning: Not delivered')), 10_000, 'the failure in the thread')
  t.match(replyTexts(thread.ts).find(text => text.startsWith(':warning:')), /isn't available right now.*retry it from the inbox/)
})

t.test('translation on: the thread shows the customer\'s words translated, and a reply from Slack goes out in their language', async t => {
  const translator = new FakeLibreTranslate()
  await translator.listen()
  t.teardown(async () => { await translator.close() })
  const h = await hubWithDesk(t, {}, { translation: { url: translator.url, apiKey: translator.apiKey } })
  const ana = await h.addAgent({ name: 'Ana', email: 'ana@shop.example', status: 'online' })
  fake.emails.set('UANA', 'ana@shop.example')
  const id = await customerWrites(h, '你好', { id: 'zh-1', name: 'Zhou' })
  const thread = await threadOf(h, id)
  await ana.api('PUT', `/conversations/${id}/translation`, { agentLanguage: 'en' })
  await customerWrites(h, '我的包裹在哪里？', { id: 'zh-1', name: 'Zhou' })
  await until(() => fake.replies(thread.ts).length === 1, 10_000, 'the translated message')
  t.equal(replyTexts(thread.ts)[0], '*Zhou*: 我的包裹在哪里？\n:globe_with_meridians: _zh → en:_ Where is my parcel?')
  const from = callback.received.length
  await fake.sendEvent(events(h), threadMessage('UANA', thread, 'Your parcel arrives tomorrow.'))
  await until(() => sentAfter(from).length === 1, 10_000, 'the reply')
  t.match(sentAfter(from)[0], { text: '您的包裹明天到。' })
})

t.test('a Slack channel the bot is not in: /readyz says so, the job stops, and the next message gets through once fixed', async t => {
  const h = await hubWithDesk(t, { slackChannel: 'C0NOTIN' })
  fake.notInChannel.add('C0NOTIN')
  t.teardown(() => { fake.notInChannel.delete('C0NOTIN') })
  const tries = (): number => fake.callsOf('chat.postMessage').filter(c => c.args.channel === 'C0NOTIN').length
  const id = await customerWrites(h, 'hello?', { id: 'nic-1', name: 'Nic' })
  const ready = async (): Promise<any> => await (await fetch(`${h.url}/readyz`)).json()
  await until(async () => (await ready()).checks.desks?.slack === 'unhealthy: slack_not_in_channel', 10_000, 'the desk unhealthy')
  await new Promise(resolve => setTimeout(resolve, 300))
  const tried = tries()
  // The first retry of a failed relay job would come 2 s after it failed.
  await new Promise(resolve => setTimeout(resolve, 2500))
  t.equal(tries(), tried, 'not retried: only an admin can mend it')
  t.equal((await ready()).status, 'ready', 'the hub still serves the other channels')
  fake.notInChannel.delete('C0NOTIN')
  await customerWrites(h, 'anyone there?', { id: 'nic-1', name: 'Nic' })
  const thread = await threadOf(h, id)
  const parent = fake.messages.get(thread.ts)!
  t.match(JSON.stringify(parent.blocks), /hello\?/, 'the thread starts at the first message')
  await until(() => fake.replies(thread.ts).length === 1, 10_000, 'the second message')
  t.same(replyTexts(thread.ts), ['*Nic*: anyone there?'])
  await until(async () => (await ready()).checks.desks.slack === 'ok', 10_000, 'healthy again')
})

t.test('a Slack API address that redirects: /readyz says so with a code, and nothing follows the redirect', async t => {
  const h = await hubWithDesk(t, { slackChannel: 'C0MOVED' })
  fake.redirecting.add('C0MOVED')
  t.teardown(() => { fake.redirecting.delete('C0MOVED') })
  await customerWrites(h, 'redirected hello', { id: 'rd-1', name: 'Rae' })
  const ready = async (): Promise<any> => await (await fetch(`${h.url}/readyz`)).json()
  await until(async () => (await ready()).checks.desks?.slack === 'unhealthy: slack_redirected', 15_000, 'the desk unhealthy')
  t.equal(fake.calls.filter(c => c.method.startsWith('moved/')).length, 0, 'the redirect\'s target got nothing')
})

t.test('what no process heard (a message stored while events were lost) reaches Slack by the sweep', async t => {
  const h = await hubWithDesk(t)
  const s = h.hub.services
  const { conversation } = await s.store.recordInbound({
    channelId: 'api', teamId: null, externalId: 'unheard-1', contact: { externalId: 'quiet-1', name: 'Quinn' }, text: 'did anyone hear me?', attachments: [], cards: [], sentAt: new Date()
  }, new Date())
  await new Promise(resolve => setTimeout(resolve, 300))
  t.equal(await s.store.kvGet('desk:slack', `conv:${conversation.id}`), null, 'no event, no thread yet')
  await sweepDesks(s, s.desks, new Date())
  const thread = await threadOf(h, conversation.id)
  t.match(JSON.stringify(fake.messages.get(thread.ts)!.blocks), /did anyone hear me\?/)
})

t.test('scale-out (BullMQ, Redis events): one thread, replies in order, each posted once', async t => {
  const h = await startTestHub(t, {
    queue: 'bullmq',
    callbackUrl: callback.url,
    config: { desks: [desk({ slackChannel: 'C0SCALE' })] }
  })
  const first = await customerWrites(h, 'one', { id: 'scale-1', name: 'Sol' })
  for (const text of ['two', 'three', 'four', 'five', 'six']) await customerWrites(h, text, { id: 'scale-1', name: 'Sol' })
  const thread = await threadOf(h, first)
  await until(() => fake.replies(thread.ts).length >= 5, 15_000, 'five replies')
  await new Promise(resolve => setTimeout(resolve, 500))
  t.same(replyTexts(thread.ts), ['two', 'three', 'four', 'five', 'six'].map(text => `*Sol*: ${text}`))
  t.equal(fake.parents('C0SCALE').length, 1)
})

t.test('requests Slack did not sign are refused before any work', async t => {
  const h = await hubWithDesk(t)
  const body = fake.eventBody({ type: 'message', channel: DESK_CHANNEL, user: 'UANA', text: 'x', ts: '1.2', thread_ts: '1.1' })
  const forged = await fake.sendEvent(events(h), body, { secret: 'not-the-secret' })
  t.equal(forged.status, 401)
  t.match(await forged.json(), { code: 'invalid_signature', message: /signing secret/ })
  const stale = await fake.sendEvent(events(h), body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })
  t.equal(stale.status, 401, 'older than 5 minutes')
  const unsigned = await fetch(events(h), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  t.equal(unsigned.status, 401)
  const garbage = await fetch(events(h), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' })
  t.equal(garbage.status, 401, 'unsigned garbage is refused as unsigned')
  const signedGarbage = await fake.sendEvent(events(h), [] as unknown as Record<string, unknown>)
  t.equal(signedGarbage.status, 400)
  t.match(await signedGarbage.json(), { code: 'invalid_payload' })
  const challenge = await fake.sendEvent(events(h), { type: 'url_verification', challenge: 'abc123', token: 'x' })
  t.same(await challenge.json(), { challenge: 'abc123' }, 'Slack\'s URL check is answered')
})

t.test('Socket Mode: events arrive over the WebSocket the hub opens', async t => {
  const h = await hubWithDesk(t, { socketMode: true, appToken: fake.appToken, signingSecret: undefined })
  const ana = await h.addAgent({ name: 'Ana', email: 'ana@shop.example', status: 'online' })
  fake.emails.set('UANA', 'ana@shop.example')
  await until(() => fake.socketConnections === 1, 10_000, 'the socket')
  t.equal((await fetch(events(h), { method: 'POST', body: '{}' })).status, 404, 'no HTTP endpoint in Socket Mode')
  const id = await customerWrites(h, 'over the socket', { id: 'sock-1', name: 'Sam' })
  const thread = await threadOf(h, id)
  const from = callback.received.length
  const envelope = fake.sendSocket('events_api', threadMessage('UANA', thread, 'answered over the socket'))
  await until(() => sentAfter(from).length === 1, 10_000, 'the reply')
  t.match(sentAfter(from)[0], { text: 'answered over the socket', author: { id: ana.agent.id } })
  t.ok(fake.socketAcks.includes(envelope), 'the envelope was acknowledged')
  const assign = fake.sendSocket('interactive', fake.actionBody({ user: 'UANA', channel: thread.channel, messageTs: thread.ts, actionId: 'omnihub_assign', value: id }))
  await until(async () => (await h.hub.services.store.getConversation(id))?.assigneeId === ana.agent.id, 10_000, 'assigned over the socket')
  await until(() => fake.socketAcks.includes(assign), 10_000, 'the button acknowledged')
})

t.test('config: each mode needs its secret, somewhere to post, and an id of its own', async t => {
  const registry = await PluginRegistry.load()
  const problemsOf = (block: Record<string, unknown>): string[] => {
    try {
      validateConfig({ desks: [block] }, registry, {})
      return []
    } catch (err) {
      return (err as { problems: string[] }).problems
    }
  }
  t.same(problemsOf(desk()), [])
  t.same(problemsOf(desk({ signingSecret: undefined })), ['desks[0].signingSecret: required in HTTP mode (the app\'s Signing Secret), or set socketMode: true with an appToken'])
  t.same(problemsOf(desk({ socketMode: true })), ['desks[0].appToken: required with socketMode: true (an xapp- token with connections:write)'])
  t.same(problemsOf(desk({ slackChannel: undefined, channels: {} })), ['desks[0].slackChannel: required unless teams or channels name a Slack channel (conversations would have nowhere to go)'])
  t.match(problemsOf(desk({ slackChannel: '#support' })), [/desks\[0\]\.slackChannel/])
  t.match(problemsOf(desk({ botToken: 'xoxp-user-token' })), [/desks\[0\]\.botToken/])
  t.match(problemsOf(desk({ id: 'api' })), [/desks\[0\]\.id: "api" is a path the hub itself serves/])
  t.match(problemsOf(desk({ plugin: 'teams' })), [/desks\[0\]\.plugin: unknown plugin "teams" \(available: slack\)/])
  t.same(problemsOf({ ...desk({ botToken: '${SLACK_BOT_TOKEN}' }), enabled: false }), [], 'a disabled desk may wait for its secrets')
})

t.test('the FAQ\'s suggested answers under a customer\'s question go with a click; Ask for rating from the parent, the score shown on it', async t => {
  const h = await startTestHub(t, {
    callbackUrl: callback.url,
    channels: [{ id: 'api', plugin: 'api', secret: 'test-secret-0123456789', callbackUrl: callback.url, robot: { mode: 'suggest' } }],
    config: { desks: [desk()], http: { port: 0, publicUrl: 'https://help.example.com' } }
  })
  const admin = await h.addAgent({ name: 'Root', role: 'admin' })
  const entry = (await admin.api('POST', '/faq', { question: 'When will my order ship?', alternatives: ['什么时候发货'], answer: 'Within 24 hours of payment. 付款后24小时内发货。' })).body as { id: string }
  const ana = await h.addAgent({ name: 'Ana', email: 'ana@shop.example', status: 'online' })
  fake.emails.set('UANA', 'ana@shop.example')
  const before = callback.received.length

  const id = await customerWrites(h, '请问什么时候发货？', { id: 'faq-fei', name: 'Fei' })
  const thread = await threadOf(h, id)
  await until(() => fake.replies(thread.ts).some(m => m.text.startsWith(':bulb:')), 10_000, 'suggestions in the thread')
  const suggestion = fake.replies(thread.ts).find(m => m.text.startsWith(':bulb:'))!
  const button = (suggestion.blocks!.find(b => b.type === 'actions') as { elements: Array<{ action_id: string, value: string, text: { text: string } }> }).elements[0]!
  t.match(button, { text: { text: 'Send 1: When will my order ship?' }, value: `${id}|${entry.id}` })
  await fake.sendAction(events(h), fake.actionBody({ user: 'UANA', channel: thread.channel, messageTs: suggestion.ts, threadTs: thread.ts, actionId: button.action_id, value: button.value }))
  await until(() => sentAfter(before).some(b => b.text === 'Within 24 hours of payment. 付款后24小时内发货。'), 10_000, 'the answer at the customer')
  t.match(sentAfter(before).find(b => String(b.text).startsWith('Within 24 hours')), { author: { type: 'agent', id: ana.agent.id } }, 'as Ana\'s reply')
  await until(() => replyTexts(thread.ts).some(x => x.includes('*Ana* replied') && x.includes('Within 24 hours')), 10_000, 'the thread shows it as Ana\'s reply')

  t.match(JSON.stringify(fake.messages.get(thread.ts)!.blocks), /omnihub_rate/, 'the parent offers to ask for a rating')
  await fake.sendAction(events(h), fake.actionBody({ user: 'UANA', channel: thread.channel, messageTs: thread.ts, actionId: 'omnihub_rate', value: id }))
  await until(() => sentAfter(before).some(b => (b.choices as unknown[] | undefined)?.length === 5), 10_000, 'the invitation')
  const invitation = sentAfter(before).find(b => (b.choices as unknown[] | undefined)?.length === 5)!
  t.match(invitation, { author: { type: 'bot' }, text: /https:\/\/help\.example\.com\/rate\// })
  await h.inbound(inboundBody({ from: { id: 'faq-fei' }, text: '★★★★★', payload: (invitation.choices as Array<{ payload: string }>)[4]!.payload }))
  await until(() => JSON.stringify(fake.messages.get(thread.ts)!.blocks).includes('Rated ★★★★★'), 10_000, 'the parent shows the rating')
  t.notMatch(JSON.stringify(fake.messages.get(thread.ts)!.blocks), /omnihub_rate/, 'no more asking once rated')
})
