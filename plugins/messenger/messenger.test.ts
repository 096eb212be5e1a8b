import t, { type Test } from 'tap'
import { runChannelKit } from '../../core/channels/testkit/index.js'
import type { Message } from '../../core/model/index.js'
import { FakeGraph } from '../../test/fakes/graph.js'
import { startTestHub, type TestHub } from '../../test/helpers/hub.js'
import { until } from '../../test/queue.contract.js'
import messenger from './index.js'

const SECRET = 'app-secret-123456'
const TOKEN = 'page-token'
const HOUR = 3_600_000
const graph = await FakeGraph.start(t, [TOKEN])

const channel = (id: string, pageId: string, over: Record<string, unknown> = {}) => ({
  id, plugin: 'messenger', pageId, pageAccessToken: TOKEN, appSecret: SECRET, verifyToken: 'verify-me', graphBaseUrl: graph.url, ...over
})
let seq = 0
const text = (psid: string, body: string, at = Date.now(), pageId = '111') => ({
  sender: { id: psid }, recipient: { id: pageId }, timestamp: at, message: { mid: `mid.${++seq}`, text: body }
})
const payload = (entries: Array<{ pageId?: string, events: unknown[] }>) => ({
  object: 'page', entry: entries.map(e => ({ id: e.pageId ?? '111', time: Date.now(), messaging: e.events }))
})

async function hub (t: Test): Promise<TestHub & { webhook: (body: unknown, channelId?: string) => Promise<Response>, messages: (channelId?: string) => Promise<Message[]> }> {
  graph.calls.length = 0
  graph.errors = []
  const h = await startTestHub(t, {
    channels: [channel('fb-shop', '111', { humanAgent: true, maxSendsPerSecond: 1000 }), channel('fb-outlet', '222', { maxSendsPerSecond: 1000 })],
    config: { send: { attempts: 4, backoffMs: 30 } }
  })
  return {
    ...h,
    webhook: async (body, channelId = 'fb-shop') => await FakeGraph.deliver(`${h.url}/channels/${channelId}/webhook`, SECRET, body),
    messages: async (channelId = 'fb-shop') => {
      const out: Message[] = []
      for (const c of (await h.hub.services.store.listConversations({ channelId }, { limit: 100 })).items) out.push(...(await h.hub.services.store.listMessages(c.id, { limit: 100 })).items)
      return out
    }
  }
}

await runChannelKit(t, {
  definition: messenger,
  config: (({ id: _id, plugin: _plugin, ...settings }) => settings)(channel('kit', '999')),
  async deliverInbound (_instance, baseUrl) {
    const response = await FakeGraph.deliver(`${baseUrl}/webhook`, SECRET, payload([{ pageId: '999', events: [{ sender: { id: 'kit-psid' }, recipient: { id: '999' }, timestamp: Date.now(), message: { mid: 'mid.kit', text: 'hi' } }] }]))
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`)
  },
  failNextSend () { graph.errors = [{ status: 400, code: 100, message: 'Invalid parameter' }] }
})

t.test('webhook verification handshake', async t => {
  const h = await hub(t)
  const ok = await fetch(`${h.url}/channels/fb-shop/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444`)
  t.same([ok.status, await ok.text()], [200, '1158201444'])
  const wrong = await fetch(`${h.url}/channels/fb-shop/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`)
  t.equal(wrong.status, 403)
  t.match(await wrong.json(), { code: 'verification_failed' })
})

t.test('a bad signature is 401 and stores nothing', async t => {
  const h = await hub(t)
  const body = payload([{ events: [text('psid-x', 'hello')] }])
  for (const signature of ['sha256=00', 'sha1=abc', '']) {
    const r = await FakeGraph.deliver(`${h.url}/channels/fb-shop/webhook`, SECRET, body, signature)
    t.equal(r.status, 401)
  }
  const forged = await FakeGraph.deliver(`${h.url}/channels/fb-shop/webhook`, 'other-app-secret', body)
  t.match({ status: forged.status, body: await forged.json() }, { status: 401, body: { code: 'invalid_signature' } })
  t.same(await h.messages(), [])
  t.equal((await h.webhook({ object: 'whatsapp_business_account', entry: [] })).status, 400, 'not a Messenger Platform webhook')
})

t.test('a batch: 3 entries × 2 events are 6 messages, once each, even redelivered; other Pages routed or skipped', async t => {
  const h = await hub(t)
  const body = payload([0, 1, 2].map(i => ({ events: [text(`psid-${i}`, `first ${i}`), text(`psid-${i}`, `second ${i}`)] })))
  t.equal((await h.webhook(body)).status, 200)
  t.equal((await h.messages()).length, 6)
  t.equal((await h.webhook(body)).status, 200, 'Meta redelivers')
  const stored = await h.messages()
  t.equal(stored.length, 6)
  t.same(stored.map(m => m.text).sort(), ['first 0', 'first 1', 'first 2', 'second 0', 'second 1', 'second 2'])
  const mixed = payload([{ pageId: '222', events: [text('psid-o', 'for the outlet', Date.now(), '222')] }, { pageId: '333', events: [text('psid-u', 'unknown page', Date.now(), '333')] }])
  t.equal((await h.webhook(mixed)).status, 200, 'unknown Pages are acknowledged')
  t.same((await h.messages('fb-outlet')).map(m => m.text), ['for the outlet'], 'another Page of the app reaches its own channel')
  t.equal((await h.messages()).length, 6)
})

t.test('inbound kinds: attachments, quick replies, postbacks, referrals; a reaction marks the message it reacts to', async t => {
  const h = await hub(t)
  const now = Date.now()
  await h.webhook(payload([{ events: [
    { sender: { id: 'kinds' }, recipient: { id: '111' }, timestamp: now - 5 * HOUR, message: { mid: 'mid.att', attachments: ['image', 'video', 'audio', 'file'].map(type => ({ type, payload: { url: `https://cdn.example/${type}` } })) } },
    { sender: { id: 'kinds' }, recipient: { id: '111' }, timestamp: now - 4 * HOUR, message: { mid: 'mid.qr', text: 'Yes please', quick_reply: { payload: 'CONFIRM_ORDER' } } },
    { sender: { id: 'kinds' }, recipient: { id: '111' }, timestamp: now - 3 * HOUR, postback: { mid: 'mid.pb', title: 'Track my order', payload: 'TRACK' } },
    { sender: { id: 'kinds' }, recipient: { id: '111' }, timestamp: now - 2 * HOUR, referral: { ref: 'spring-sale', source: 'ADS', type: 'OPEN_THREAD', ad_id: '6045246247433' } },
    { sender: { id: 'kinds' }, recipient: { id: '111' }, timestamp: now - HOUR, reaction: { reaction: 'love', emoji: '❤️', action: 'react', mid: 'mid.att' } }
  ] }]))
  const byId = new Map((await h.messages()).map(m => [m.externalId, m]))
  t.same(byId.get('mid.att')?.attachments.map(a => a.kind), ['image', 'video', 'audio', 'file'])
  t.match(byId.get('mid.qr'), { text: 'Yes please', cards: [{ kind: 'quick_reply', fields: { payload: 'CONFIRM_ORDER' } }] })
  t.match(byId.get('mid.pb'), { text: 'Track my order', cards: [{ kind: 'postback', fields: { payload: 'TRACK' } }] })
  t.match([...byId.values()].find(m => m.cards[0]?.kind === 'referral'), { cards: [{ title: 'Came from an ad', fields: { ref: 'spring-sale', adId: '6045246247433' } }] })
  t.match(byId.get('mid.att')?.extras, { reaction: { emoji: '❤️' } }, 'the reaction is on the message, not a message of its own')
  t.equal(byId.size, 4)
  const conversation = (await h.hub.services.store.getConversation([...byId.values()][0]!.conversationId))!
  t.equal(conversation.lastInboundAt?.getTime(), now - 2 * HOUR, 'the referral opened the window; the reaction did not move it')
})

t.test('echoes: stored as outbound, never sent again; our own echoes not doubled', async t => {
  const h = await hub(t)
  await h.webhook(payload([{ events: [text('echo-buyer', 'hi shop')] }]))
  await h.webhook(payload([{ events: [
    { sender: { id: '111' }, recipient: { id: 'echo-buyer' }, timestamp: Date.now(), message: { mid: 'mid.from-page-inbox', is_echo: true, app_id: 1234, text: 'Answered from the Page inbox' } },
    { sender: { id: '111' }, recipient: { id: 'echo-buyer' }, timestamp: Date.now(), message: { mid: 'mid.ours', is_echo: true, text: 'x', metadata: 'omnihub:01ABC' } }
  ] }]))
  const stored = await h.messages()
  t.match(stored.find(m => m.externalId === 'mid.from-page-inbox'), { direction: 'outbound', status: 'sent', text: 'Answered from the Page inbox' })
  t.notOk(stored.some(m => m.externalId === 'mid.ours'))
  await new Promise(resolve => setTimeout(resolve, 200))
  t.equal(graph.sends.length, 0, 'nothing was sent to Meta')
})

t.test('replies: RESPONSE inside 24 h, deliveries and reads update statuses', async t => {
  const h = await hub(t)
  await h.webhook(payload([{ events: [text('buyer-24', 'where is my order?', Date.now() - 2 * HOUR)] }]))
  const [conversation] = (await h.hub.services.store.listConversations({ channelId: 'fb-shop' }, { limit: 1 })).items
  const policy = await h.api('GET', `/conversations/${conversation!.id}/reply-policy`)
  t.match(policy.body, { verdict: 'allow' })
  t.equal(new Date(policy.body.windowClosesAt).getTime(), conversation!.lastInboundAt!.getTime() + 24 * HOUR)
  const stream = await h.stream()
  const reply = await h.api('POST', `/conversations/${conversation!.id}/messages`, { text: 'It ships today.' })
  t.equal(reply.status, 202)
  await until(async () => (await h.hub.services.store.getMessage(reply.body.id))?.status === 'sent')
  t.match(graph.sends[0], { path: '/v24.0/111/messages', token: TOKEN, body: { recipient: { id: 'buyer-24' }, messaging_type: 'RESPONSE', message: { text: 'It ships today.', metadata: `omnihub:${reply.body.id}` } } })
  t.notOk('tag' in graph.sends[0]!.body)
  const mid = (await h.hub.services.store.getMessage(reply.body.id))!.externalId!
  await h.webhook(payload([{ events: [{ sender: { id: 'buyer-24' }, recipient: { id: '111' }, delivery: { mids: [mid], watermark: Date.now() } }] }]))
  t.equal((await h.hub.services.store.getMessage(reply.body.id))?.status, 'delivered')
  await h.webhook(payload([{ events: [{ sender: { id: 'buyer-24' }, recipient: { id: '111' }, timestamp: Date.now(), read: { watermark: Date.now() } }] }]))
  t.equal((await h.hub.services.store.getMessage(reply.body.id))?.status, 'read')
  await stream.next(e => e.type === 'message.updated' && e.message?.id === reply.body.id && e.message?.status === 'read')
  t.pass('agents see it read')
})

t.test('after 24 h: HUMAN_AGENT with the permission, denied without; after 7 days denied; retired tags refused', async t => {
  const h = await hub(t)
  await h.webhook(payload([{ events: [text('late-buyer', 'anyone?', Date.now() - 30 * HOUR)] }]))
  await h.webhook(payload([{ pageId: '222', events: [text('outlet-buyer', 'hello?', Date.now() - 30 * HOUR, '222')] }]), 'fb-outlet')
  await h.webhook(payload([{ events: [text('old-buyer', 'last week', Date.now() - 8 * 24 * HOUR)] }]))
  const idOf = async (channelId: string, psid: string) => {
    for (const c of (await h.hub.services.store.listConversations({ channelId }, { limit: 100 })).items) {
      if ((await h.hub.services.store.getContact(c.contactId))?.identities.some(i => i.externalId === psid) === true) return c.id
    }
    throw new Error(`no conversation for ${psid}`)
  }
  const late = await idOf('fb-shop', 'late-buyer')
  const policy = await h.api('GET', `/conversations/${late}/reply-policy`)
  t.match(policy.body, { verdict: 'tag_required', tags: ['HUMAN_AGENT'], code: 'outside_window', message: /30 hours ago/ })
  const last = (await h.hub.services.store.getConversation(late))!.lastInboundAt!.getTime()
  t.equal(new Date(policy.body.windowClosesAt).getTime(), last + 7 * 24 * HOUR, 'open for a human agent until 7 days')
  t.match(await h.api('POST', `/conversations/${late}/messages`, { text: 'Sorry for the wait' }), { status: 422, body: { code: 'tag_required', tags: ['HUMAN_AGENT'] } })
  const tagged = await h.api('POST', `/conversations/${late}/messages`, { text: 'Sorry for the wait', tag: 'HUMAN_AGENT' })
  t.equal(tagged.status, 202)
  await until(async () => (await h.hub.services.store.getMessage(tagged.body.id))?.status === 'sent')
  t.match(graph.sends.at(-1)?.body, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Sorry for the wait' } })

  const retired = await h.api('POST', `/conversations/${late}/messages`, { text: 'Your order shipped', tag: 'POST_PURCHASE_UPDATE' })
  t.match(retired, { status: 422, body: { code: 'tag_retired', message: /2026-04-27/ } })

  const outlet = await idOf('fb-outlet', 'outlet-buyer')
  t.match((await h.api('GET', `/conversations/${outlet}/reply-policy`)).body, { verdict: 'deny', code: 'window_closed', message: /no human agent permission/ })
  t.match(await h.api('POST', `/conversations/${outlet}/messages`, { text: 'hi', tag: 'HUMAN_AGENT' }), { status: 422, body: { code: 'window_closed' } }, 'the tag needs the permission')

  const old = await idOf('fb-shop', 'old-buyer')
  t.match(await h.api('POST', `/conversations/${old}/messages`, { text: 'hi', tag: 'HUMAN_AGENT' }), { status: 422, body: { code: 'window_closed', message: /8 days ago/ } }, 'not even with the tag')
  t.match((await h.api('GET', `/conversations/${old}/reply-policy`)).body, { verdict: 'deny', code: 'window_closed', message: /8 days ago/ })
})

t.test('Send API errors are classified by code, retried or final as Meta documents', async t => {
  const h = await hub(t)
  await h.webhook(payload([{ events: [text('err-buyer', 'hi')] }]))
  const [conversation] = (await h.hub.services.store.listConversations({ channelId: 'fb-shop' }, { limit: 1 })).items
  const attempt = async (errors: typeof graph.errors) => {
    graph.errors = errors
    graph.calls.length = 0
    const { body } = await h.api('POST', `/conversations/${conversation!.id}/messages`, { text: 'try' })
    await until(async () => ['sent', 'failed'].includes((await h.hub.services.store.getMessage(body.id))!.status), 10_000, 'a final status')
    return { message: (await h.hub.services.store.getMessage(body.id))!, calls: graph.sends.length }
  }
  const finals: Array<[string, typeof graph.errors[number], string]> = [
    ['outside the window', { status: 400, code: 10, subcode: 2018278 }, 'window_closed'],
    ['person unavailable (551)', { status: 400, code: 551 }, 'recipient_unavailable'],
    ['person unavailable (200/1545041)', { status: 400, code: 200, subcode: 1545041 }, 'recipient_unavailable'],
    ['attachment too large', { status: 400, code: 100, subcode: 2018109 }, 'attachment_too_large'],
    ['another invalid parameter', { status: 400, code: 100 }, 'graph_rejected']
  ]
  for (const [what, error, code] of finals) {
    const { message, calls } = await attempt([error])
    t.match(message, { status: 'failed', errorCode: code }, what)
    t.equal(calls, 1, `${what}: not retried`)
  }
  const retried: Array<[string, typeof graph.errors[number]]> = [
    ['temporary (1200)', { status: 500, code: 1200 }], ['unexpected (2)', { status: 500, code: 2 }], ['rate limit (4)', { status: 400, code: 4 }],
    ['rate limit (613)', { status: 400, code: 613 }], ['HTTP 429 with Retry-After', { status: 429, retryAfter: 1 }], ['HTTP 503', { status: 503 }]
  ]
  for (const [what, error] of retried) {
    const { message, calls } = await attempt([error])
    t.match(message, { status: 'sent' }, `${what}: sent after a retry`)
    t.equal(calls, 2, what)
  }
})

t.test('an expired token fails the message, marks the channel unhealthy and tells agents; a success heals it', async t => {
  const h = await hub(t)
  await h.webhook(payload([{ events: [text('tok-buyer', 'hi')] }]))
  const [conversation] = (await h.hub.services.store.listConversations({ channelId: 'fb-shop' }, { limit: 1 })).items
  const stream = await h.stream()
  graph.validTokens.delete(TOKEN)
  const { body } = await h.api('POST', `/conversations/${conversation!.id}/messages`, { text: 'hello' })
  await until(async () => (await h.hub.services.store.getMessage(body.id))?.status === 'failed')
  t.match(await h.hub.services.store.getMessage(body.id), { errorCode: 'channel_auth_failed', errorMessage: /access token/ })
  t.match(await stream.next(e => e.type === 'channel.health'), { channelId: 'fb-shop', ok: false, code: 'channel_auth_failed' })
  const ready = await (await fetch(`${h.url}/readyz`)).json() as { checks: { channels: Record<string, string> } }
  t.same(ready.checks.channels, { 'fb-shop': 'unhealthy: channel_auth_failed', 'fb-outlet': 'ok' })
  graph.validTokens.add(TOKEN)
  const again = await h.api('POST', `/conversations/${conversation!.id}/messages`, { text: 'hello again' })
  await until(async () => (await h.hub.services.store.getMessage(again.body.id))?.status === 'sent')
  t.match(await stream.next(e => e.type === 'channel.health' && e.ok === true), { channelId: 'fb-shop' })
  t.equal(((await (await fetch(`${h.url}/readyz`)).json()) as { checks: { channels: Record<string, string> } }).checks.channels['fb-shop'], 'ok')
})

t.test('profiles: fetched once and cached; a failing lookup never blocks ingest', async t => {
  const h = await hub(t)
  graph.profiles.set('named', { first_name: 'Lin', last_name: 'Wei', profile_pic: 'https://cdn.example/lin.jpg', locale: 'zh_TW', timezone: 8 })
  await h.webhook(payload([{ events: [text('named', 'one'), text('named', 'two')] }]))
  await until(async () => (await h.messages()).length === 2)
  const contactId = (await h.hub.services.store.getConversation((await h.messages())[0]!.conversationId))!.contactId
  await until(async () => (await h.hub.services.store.getContact(contactId))?.name === 'Lin Wei', 10_000, 'the name')
  t.match(await h.hub.services.store.getContact(contactId), { avatarUrl: 'https://cdn.example/lin.jpg', language: null, timeZone: null }, 'no locale asked for without profileLocale (the app may not read it)')
  await h.webhook(payload([{ events: [text('named', 'three')] }]))
  await new Promise(resolve => setTimeout(resolve, 200))
  t.equal(graph.profileCalls.length, 1, 'looked up once')
  graph.profileStatus = 500
  t.teardown(() => { graph.profileStatus = 200 })
  const r = await h.webhook(payload([{ events: [text('nameless', 'hi')] }]))
  t.equal(r.status, 200)
  t.ok((await h.messages()).some(m => m.text === 'hi'), 'stored anyway')
})

t.test('limits, quick replies, attachments by URL, typing, and the per-Page send rate', async t => {
  const h = await hub(t)
  await h.webhook(payload([{ events: [text('misc', 'hi')] }]))
  const [conversation] = (await h.hub.services.store.listConversations({ channelId: 'fb-shop' }, { limit: 1 })).items
  const id = conversation!.id
  t.match(await h.api('POST', `/conversations/${id}/messages`, { text: 'x'.repeat(2001) }), { status: 422, body: { code: 'text_too_long', message: /2001 characters.*at most 2000/ } }, 'refused above 2,000 characters, not split')
  graph.calls.length = 0
  const card = await h.api('POST', `/conversations/${id}/messages`, { text: '', cards: [{ kind: 'product', title: 'Mug', imageUrl: 'https://cdn.example/mug.jpg', url: 'https://shop.example/mug', fields: { price: '$12' } }] })
  await until(async () => (await h.hub.services.store.getMessage(card.body.id))?.status === 'sent')
  t.same(graph.sends[0]?.body.message.attachment, { type: 'template', payload: { template_type: 'generic', elements: [{ title: 'Mug', subtitle: '$12', image_url: 'https://cdn.example/mug.jpg', default_action: { type: 'web_url', url: 'https://shop.example/mug' }, buttons: [{ type: 'web_url', url: 'https://shop.example/mug', title: 'Open' }] }] } }, 'a card goes as a generic template')
  graph.calls.length = 0
  const quick = await h.api('POST', `/conversations/${id}/messages`, { text: 'Did that help?', cards: [{ kind: 'quick_replies', title: '', fields: { yes: 'Yes', no: 'No' } }] })
  await until(async () => (await h.hub.services.store.getMessage(quick.body.id))?.status === 'sent')
  t.same(graph.sends[0]?.body.message.quick_replies, [{ content_type: 'text', title: 'Yes', payload: 'Yes' }, { content_type: 'text', title: 'No', payload: 'No' }])
  graph.calls.length = 0
  const photo = await h.api('POST', `/conversations/${id}/messages`, { text: 'Here it is', attachments: [{ kind: 'image', url: 'https://cdn.example/parcel.jpg' }] })
  await until(async () => (await h.hub.services.store.getMessage(photo.body.id))?.status === 'sent')
  t.same(graph.sends.map(c => c.body.message.attachment?.payload?.url ?? c.body.message.text), ['https://cdn.example/parcel.jpg', 'Here it is'], 'the attachment, then the text')

  // A file on the hub's own (private) network: Meta cannot fetch it, so it is uploaded.
  graph.calls.length = 0
  const local = await h.api('POST', `/conversations/${id}/messages`, { text: '', attachments: [{ kind: 'file', url: `${h.url}/docs/json`, name: 'invoice.json' }] })
  await until(async () => (await h.hub.services.store.getMessage(local.body.id))?.status === 'sent', 10_000, 'uploaded and sent')
  t.match(graph.uploads.at(-1), /filename="invoice\.json"/)
  t.match(graph.sends.at(-1)?.body.message.attachment, { type: 'file', payload: { attachment_id: `att_${graph.uploads.length}` } })

  const instance = h.hub.services.channels.get('fb-shop')!.instance
  const contact = (await h.hub.services.store.getContact(conversation!.contactId))!
  graph.calls.length = 0
  await instance.typing!(conversation!, contact, true)
  t.match(graph.calls[0]?.body, { recipient: { id: 'misc' }, sender_action: 'typing_on' })

  const slow = await startTestHub(t, { channels: [channel('fb-slow', '444', { maxSendsPerSecond: 10 })], config: { send: { attempts: 1, backoffMs: 10 } } })
  await FakeGraph.deliver(`${slow.url}/channels/fb-slow/webhook`, SECRET, payload([{ pageId: '444', events: [text('rate', 'hi', Date.now(), '444')] }]))
  const [c] = (await slow.hub.services.store.listConversations({ channelId: 'fb-slow' }, { limit: 1 })).items
  graph.calls.length = 0
  const started = Date.now()
  for (let i = 0; i < 4; i++) await slow.api('POST', `/conversations/${c!.id}/messages`, { text: `burst ${i}` })
  await until(() => graph.sends.length === 4, 10_000, 'four sends')
  t.ok(Date.now() - started >= 290, 'four sends at 10/s take at least 300 ms: spaced, not bursted')
})

t.test('with profileLocale, the customer\'s language, country and time zone come with their name', async t => {
  graph.calls.length = 0
  const h = await startTestHub(t, { channels: [channel('fb-shop', '111', { profileLocale: true })] })
  graph.profiles.set('traveller', { first_name: 'Mei', last_name: 'Lin', profile_pic: 'https://cdn.example/mei.jpg', locale: 'zh_CN', timezone: 8 })
  t.equal((await FakeGraph.deliver(`${h.url}/channels/fb-shop/webhook`, SECRET, payload([{ events: [text('traveller', '你好')] }]))).status, 200)
  let contactId = ''
  await until(async () => {
    const [conversation] = (await h.hub.services.store.listConversations({ channelId: 'fb-shop' }, { limit: 1 })).items
    contactId = conversation?.contactId ?? ''
    return contactId !== '' && (await h.hub.services.store.getContact(contactId))?.name === 'Mei Lin'
  }, 10_000, 'the profile')
  t.match(await h.hub.services.store.getContact(contactId), { language: 'zh', country: 'CN', timeZone: 'Etc/GMT-8' }, 'UTC+8 as IANA counts it')
})
