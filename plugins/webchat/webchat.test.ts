import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { runChannelKit } from '../../core/channels/testkit/index.js'
import { startTestHub, type TestHub } from '../../test/helpers/hub.js'
import { VisitorClient } from '../../test/helpers/visitor.js'
import { isOpen } from '../../core/hours.js'
import webchat from './index.js'
import { identityHash } from './visitors.js'

const SECRET = 'identity-secret-0123456789'

async function hubWith (t: Test, settings: Record<string, unknown> = {}): Promise<TestHub> {
  return await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat', ...settings }] })
}

async function visitor (t: Test, hub: TestHub, options: { token?: string, origin?: string } = {}): Promise<VisitorClient> {
  const v = await VisitorClient.connect(hub.url, options)
  t.teardown(() => v.close())
  return v
}

await runChannelKit(t, { definition: webchat, config: {} })

t.test('a visitor and an agent talk: messages, typing both ways, read state, across tabs', async t => {
  const hub = await hubWith(t)
  const stream = await hub.stream()
  const v = await visitor(t, hub)
  const ready = await v.ready()
  t.match(ready, { type: 'ready', title: 'Chat with us', prechatNeeded: false, status: { online: false, reason: 'agents_offline' }, maxTextLength: 5000 })
  t.match(ready.token, /^v_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{32}$/)

  const ack = await v.say('Hi, is the linen shirt in stock?', 'client-msg-0001')
  t.match(ack, { type: 'ack', clientId: 'client-msg-0001', message: { from: 'visitor', text: 'Hi, is the linen shirt in stock?', clientId: 'client-msg-0001' } })
  const created = await stream.next(e => e.type === 'message.created')
  const conversationId = created.conversationId!
  t.equal(created.message!.channelId, 'webchat')

  const tab2 = await visitor(t, hub, { token: v.token })
  const history = await tab2.next(f => f.type === 'history')
  t.same(history.messages.map((m: any) => m.text), ['Hi, is the linen shirt in stock?'], 'another tab sees the conversation')

  v.send({ type: 'typing', on: true })
  t.match(await stream.next(e => e.type === 'conversation.typing'), { conversationId, by: 'contact', on: true }, 'agents see the visitor typing')

  t.equal((await hub.api('POST', `/conversations/${conversationId}/typing`, { on: true })).status, 204)
  t.match(await v.next(f => f.type === 'typing'), { on: true }, 'the visitor sees the agent typing')
  t.match(await tab2.next(f => f.type === 'typing'), { on: true })

  const read = await hub.api('POST', `/conversations/${conversationId}/read`)
  t.equal(read.body.unreadCount, 0)
  t.ok(Date.parse((await v.next(f => f.type === 'seen')).at) >= Date.parse(ack.message.createdAt), 'the visitor sees their message was seen')

  const reply = await hub.api('POST', `/conversations/${conversationId}/messages`, { text: 'Yes, in all sizes.' })
  t.equal(reply.status, 202)
  const got = await v.next(f => f.type === 'message' && f.message.from === 'agent')
  t.match(got.message, { id: reply.body.id, text: 'Yes, in all sizes.' })
  await tab2.next(f => f.type === 'message' && f.message.id === reply.body.id)

  v.send({ type: 'receipt', status: 'read', ids: [reply.body.id] })
  const updated = await stream.next(e => e.type === 'message.updated' && e.message!.id === reply.body.id && e.message!.status === 'read')
  t.ok(updated.message!.readAt, 'the agent sees the reply was read')

  const second = await v.say('Great, thanks')
  t.match(await tab2.next(f => f.type === 'message' && f.message.id === second.message.id), { message: { from: 'visitor', text: 'Great, thanks' } }, 'a visitor message shows in their other tabs')
})

t.test('a message is stored once however often it is sent; a reconnect gets what was missed', async t => {
  const hub = await hubWith(t)
  const v = await visitor(t, hub)
  await v.ready()
  const first = await v.say('order 42?', 'retry-id-000001')
  const again = await v.say('order 42?', 'retry-id-000001')
  t.equal(again.message.id, first.message.id, 'the resend is acknowledged as the same message')
  const conversations = await hub.api('GET', '/conversations')
  const conversationId = conversations.body.items[0].id
  t.equal((await hub.api('GET', `/conversations/${conversationId}/messages`)).body.items.length, 1)

  v.close()
  await hub.api('POST', `/conversations/${conversationId}/messages`, { text: 'sent while you were away' })
  const back = await visitor(t, hub, { token: v.token })
  const history = await back.next(f => f.type === 'history')
  t.same(history.messages.map((m: any) => [m.from, m.text]), [['visitor', 'order 42?'], ['agent', 'sent while you were away']])

  const stranger = await visitor(t, hub, { token: `${v.token.slice(0, -3)}abc` })
  t.not((await stranger.ready()).token, v.token, 'a forged token gets a new visitor')
  t.same((await stranger.next(f => f.type === 'history')).messages, [])
})

t.test('bad frames get an error frame and the connection goes on; limits say when to retry', async t => {
  const hub = await hubWith(t, { limits: { maxTextLength: 20, messagesPerMinute: 30 } })
  const v = await visitor(t, hub)
  await v.ready()
  v.send('not json')
  t.match(await v.next(f => f.type === 'error'), { code: 'bad_frame', message: 'The frame is not JSON.' })
  v.send({ type: 'shout' })
  t.match(await v.next(f => f.type === 'error' && /Unknown frame type/.test(f.message)), { code: 'bad_frame' })
  v.send({ type: 'message', clientId: 'x', text: 'hi' })
  t.match(await v.next(f => f.type === 'error' && /clientId/.test(f.message)), { code: 'bad_frame' })
  t.match(await v.say('x'.repeat(21)), { type: 'error', code: 'message_too_long', message: 'Messages can be at most 20 characters; split this one.' })
  t.match(await v.say('   '), { code: 'empty_message' })
  t.match(await v.say('see', undefined, { attachments: [{ kind: 'image', url: 'https://evil.example/x.png' }] }), { code: 'invalid_attachment' })
  const results = []
  for (let i = 0; i < 10; i++) results.push(await v.say(`m${i}`))
  const limited = results.find(r => r.type === 'error')
  t.match(limited, { code: 'rate_limited' }, 'a burst past the limit is refused')
  t.ok(limited!.retryAfterMs > 0 && limited!.retryAfterMs <= 10_000, 'with a wait')
  t.equal(v.closed, null, 'still connected after every bad frame')
})

t.test('connections: per IP, blocked visitors, allowed origins', async t => {
  const first = await hubWith(t, { limits: { connectionsPerIp: 2 } })
  const a = await visitor(t, first)
  await a.ready()
  const b = await visitor(t, first, { token: a.token })
  await b.ready()
  const c = await visitor(t, first)
  t.match(await c.next(f => f.type === 'error'), { code: 'too_many_connections' })
  t.equal(await c.closedCode(), 4029, 'closed: come back later')
  b.close()
  await new Promise(resolve => setTimeout(resolve, 200))
  await t.resolves((await visitor(t, first)).ready(), 'a closed connection frees its place')

  const strict = await hubWith(t, { allowedOrigins: ['https://shop.example'], blocked: { ips: ['203.0.113.9'] } })
  const strange = await visitor(t, strict, { origin: 'https://evil.example' })
  t.match(await strange.next(f => f.type === 'error'), { code: 'origin_not_allowed' })
  t.equal(await strange.closedCode(), 4003, 'refused for good: the widget does not retry')
  await t.resolves((await visitor(t, strict, { origin: 'https://shop.example' })).ready(), 'a listed site may embed it')

  const ipBlocked = await hubWith(t, { blocked: { ips: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] } })
  const refused = await visitor(t, ipBlocked)
  t.match(await refused.next(f => f.type === 'error'), { code: 'blocked' })
})

t.test('a blocked visitor is refused, on the socket and for uploads', async t => {
  const path = join(mkdtempSync(join(tmpdir(), 'omnihub-webchat-')), 'hub.db')
  const store = { store: { driver: 'sqlite', path } }
  const before = await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat' }], config: store })
  const v = await visitor(t, before)
  const { token, visitorId } = await v.ready()
  v.close()
  await before.hub.stop()
  const after = await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat', blocked: { visitors: [visitorId] } }], config: store })
  const again = await visitor(t, after, { token })
  t.match(await again.next(f => f.type === 'error'), { code: 'blocked', message: 'This chat is not available.' })
  const upload = await fetch(`${after.url}/channels/webchat/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'x-file-type': 'image/png' }, body: new Uint8Array([1]) })
  t.equal(upload.status, 401)
  await t.resolves((await visitor(t, after)).ready(), 'other visitors are welcome')
})

t.test('the pre-chat form is checked by the hub, and what it asks lands on the contact', async t => {
  const hub = await hubWith(t, { preChat: { name: 'optional', email: 'required', phone: 'optional' } })
  const v = await visitor(t, hub)
  t.match(await v.ready(), { prechatNeeded: true, prechat: { name: 'optional', email: 'required', phone: 'optional' } })
  t.match(await v.say('hello?'), { code: 'prechat_required' })
  let from = v.frames.length
  v.send({ type: 'profile', prechat: true, name: 'Ann', email: 'not-an-email', phone: '12' })
  t.match(await v.next(f => f.type === 'error', { from }), { code: 'invalid_profile', fields: { email: 'invalid', phone: 'invalid' } })
  from = v.frames.length
  v.send({ type: 'profile', prechat: true, name: 'Ann' })
  t.match(await v.next(f => f.type === 'error', { from }), { code: 'invalid_profile', fields: { email: 'required' } })
  v.send({ type: 'profile', prechat: true, name: 'Ann Lee', email: 'ann@example.com', phone: '+86 138 0000 0000' })
  t.match(await v.next(f => f.type === 'profile'), { prechatNeeded: false, email: 'ann@example.com' })
  await v.say('hello!')
  const [conversation] = (await hub.api('GET', '/conversations')).body.items
  const contact = (await hub.api('GET', `/contacts/${conversation.contactId}`)).body
  t.match(contact, { name: 'Ann Lee', email: 'ann@example.com', phone: '+86 138 0000 0000' })

  const reload = await visitor(t, hub, { token: v.token })
  t.equal((await reload.ready()).prechatNeeded, false, 'asked once per visitor')
})

t.test('away: the visitor leaves an email, and the contact can be answered by email', async t => {
  const hub = await hubWith(t, { statusCheckMs: 200 })
  const v = await visitor(t, hub)
  t.match(await v.ready(), { status: { online: false }, offlineEmail: true, email: null })
  await v.say('anyone there?')
  v.send({ type: 'profile', email: 'bob@example.com' })
  t.match(await v.next(f => f.type === 'profile'), { email: 'bob@example.com' })
  const [conversation] = (await hub.api('GET', '/conversations')).body.items
  t.equal((await hub.api('GET', `/contacts/${conversation.contactId}`)).body.email, 'bob@example.com', 'the email channel answers contacts at their email')

  await hub.addAgent({ name: 'Mei', status: 'online' })
  const status = await v.next(f => f.type === 'status')
  t.match(status.status, { online: true, reason: null }, 'the bubble turns online when an agent does')
})

t.test('identity: setUser needs a valid hash when the channel has a secret', async t => {
  const hub = await hubWith(t, { identitySecret: SECRET })
  const v = await visitor(t, hub)
  await v.ready()
  v.send({ type: 'identify', userId: 'u-42', name: 'Mallory', hash: identityHash('wrong-secret-000000', 'u-42') })
  t.match(await v.next(f => f.type === 'error'), { code: 'identity_unverified' })
  await v.say('I am anonymous')
  const [anonymous] = (await hub.api('GET', '/conversations')).body.items
  const anonContact = (await hub.api('GET', `/contacts/${anonymous.contactId}`)).body
  t.match(anonContact.identities[0].externalId, /^v_/, 'still the anonymous visitor')
  t.equal(anonContact.name, null, 'nothing from the refused identity was kept')

  v.send({ type: 'identify', userId: 'u-42', name: 'Ann', email: 'ann@example.com', hash: identityHash(SECRET, 'u-42') })
  t.match(await v.next(f => f.type === 'identified'), { userId: 'u-42', verified: true })
  await v.say('now as myself')
  const contacts = new Set((await hub.api('GET', '/conversations')).body.items.map((c: any) => c.contactId))
  t.equal(contacts.size, 2, 'the known user is their own contact')

  // The same user on another device sees their conversation.
  const phone = await visitor(t, hub)
  await phone.ready()
  const from = phone.frames.length
  phone.send({ type: 'identify', userId: 'u-42', hash: identityHash(SECRET, 'u-42') })
  const history = await phone.next(f => f.type === 'history', { from })
  t.same(history.messages.map((m: any) => m.text), ['now as myself'])
})

t.test('browsing trail and attributes reach the contact record', async t => {
  const hub = await hubWith(t)
  const v = await visitor(t, hub)
  await v.ready()
  v.send({ type: 'page', url: 'https://shop.example/', title: 'Shop', referrer: 'https://search.example/?q=linen' })
  v.send({ type: 'page', url: 'https://shop.example/p/linen-shirt', title: 'Linen shirt' })
  v.send({ type: 'attributes', attributes: { plan: 'gold', cartValue: 199 } })
  await v.say('question about this shirt')
  const [conversation] = (await hub.api('GET', '/conversations')).body.items
  const contact = (await hub.api('GET', `/contacts/${conversation.contactId}`)).body
  t.match(contact.browsing.firstVisit, { url: 'https://shop.example/', title: 'Shop', referrer: 'https://search.example/?q=linen' })
  t.same(contact.browsing.recentPages.map((p: any) => p.title), ['Linen shirt', 'Shop'])
  t.same(contact.attributes, { plan: 'gold', cartValue: 199 })
})

t.test('attachments: uploaded with limits, served by signed links only', async t => {
  const hub = await hubWith(t, { attachments: { maxBytes: 2048, types: ['image/*', 'application/pdf'] } })
  const v = await visitor(t, hub)
  const { token } = await v.ready()
  const upload = async (body: Buffer, type: string, auth = token) => await fetch(`${hub.url}/channels/webchat/uploads`, {
    method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent('photo 1.png'), 'x-file-type': type, origin: 'https://shop.example' }, body: new Uint8Array(body)
  })
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
  t.match(await (await upload(png, 'text/html')).json(), { code: 'file_type_not_allowed' })
  t.equal((await upload(Buffer.alloc(4096), 'image/png')).status, 413)
  t.equal((await upload(png, 'image/png', 'nope')).status, 401)
  const ok = await upload(png, 'image/png')
  t.equal(ok.status, 201)
  t.equal(ok.headers.get('access-control-allow-origin'), 'https://shop.example')
  const { attachment, link } = await ok.json() as { attachment: any, link: string }
  t.match(attachment, { kind: 'image', name: 'photo 1.png', mimeType: 'image/png', size: png.length })
  t.match(link, /^\/files\/[0-9a-f]{40}\/photo%201\.png\?exp=\d+&sig=/)
  t.same(Buffer.from(await (await fetch(hub.url + link)).arrayBuffer()), png)
  const plain = attachment.url.split('?')[0]
  t.match(await (await fetch(hub.url + plain)).json(), { code: 'file_link_invalid' }, 'the plain URL is not a link')
  t.equal((await fetch(hub.url + link.replace(/exp=\d+/, 'exp=9999999999'))).status, 403, 'a changed expiry breaks the signature')

  const ack = await v.say('', undefined, { attachments: [attachment] })
  t.match(ack.message.attachments[0].url, /\?exp=\d+&sig=/, 'the visitor gets a signed link back')
  const [conversation] = (await hub.api('GET', '/conversations')).body.items
  const [message] = (await hub.api('GET', `/conversations/${conversation.id}/messages`)).body.items
  t.equal((await fetch(hub.url + message.attachments[0].url)).status, 200, 'so do agents')
  const stored = await hub.hub.services.store.getMessage(message.id)
  t.equal(stored!.attachments[0]!.url, plain, 'the message keeps the plain URL')
})

t.test('the queue: the visitor hears their place in line, then who took the conversation', async t => {
  const hub = await hubWith(t)
  const v = await visitor(t, hub)
  await v.ready()
  await v.say('hello')
  t.match(await v.next(f => f.type === 'queue'), { position: 1 })
  await hub.addAgent({ name: 'Mei Chen', status: 'online' })
  t.match(await v.next(f => f.type === 'assigned'), { agent: { name: 'Mei Chen' } })
  const again = await visitor(t, hub, { token: v.token })
  t.match(await again.next(f => f.type === 'history'), { agent: { name: 'Mei Chen' }, queuePosition: null }, 'a reload still shows who serves them')
})

t.test('places in line: a customer joining at the back moves nobody ahead; one taken from the front moves everyone behind', async t => {
  const hub = await hubWith(t)
  const visitors = []
  for (const text of ['first', 'second', 'third']) {
    const v = await visitor(t, hub)
    await v.ready()
    await v.say(text)
    visitors.push(v)
  }
  const places = (v: VisitorClient): number[] => v.frames.filter(f => f.type === 'queue').map(f => f.position as number)
  for (const [i, v] of visitors.entries()) await v.next(f => f.type === 'queue' && f.position === i + 1)
  // Past the announcer's window (250 ms): had joins re-announced the line, the first would have heard again.
  await new Promise(resolve => setTimeout(resolve, 600))
  t.same(visitors.map(places), [[1], [2], [3]], 'each heard their own place once')
  await hub.addAgent({ name: 'Mei Chen', status: 'online', capacity: 1 })
  await visitors[0]!.next(f => f.type === 'assigned')
  await visitors[1]!.next(f => f.type === 'queue' && f.position === 1)
  await visitors[2]!.next(f => f.type === 'queue' && f.position === 2)
  t.same(visitors.slice(1).map(v => places(v).at(-1)), [1, 2], 'the first taken: the others moved up')
})

t.test('the widget script, the demo page, and settings checked at start-up', async t => {
  const hub = await hubWith(t)
  const script = await fetch(`${hub.url}/channels/webchat/widget.js`)
  t.equal(script.status, 200)
  t.match(script.headers.get('content-type'), /javascript/)
  const etag = script.headers.get('etag')!
  t.equal((await fetch(`${hub.url}/channels/webchat/widget.js`, { headers: { 'if-none-match': etag } })).status, 304)
  const demo = await fetch(`${hub.url}/demo`)
  t.equal(demo.url, `${hub.url}/channels/webchat/demo`)
  t.match(await demo.text(), /<script src="\/channels\/webchat\/widget.js" async><\/script>/)

  const off = await hubWith(t, { demo: false })
  t.equal((await fetch(`${off.url}/demo`)).status, 404, 'no demo when switched off')

  const { validateConfig } = await import('../../core/config/index.js')
  const { PluginRegistry } = await import('../../core/channels/index.js')
  t.throws(() => validateConfig({ channels: [{ id: 'w', plugin: 'webchat', businessHours: { timezone: 'Mars/Olympus', days: { mon: ['18:00-09:00'] } } }] }, PluginRegistry.of([webchat as never]), {}), {
    code: 'config_invalid',
    problems: ['channels[0].businessHours.timezone: "Mars/Olympus" is not a time zone; use an IANA name such as Asia/Shanghai or Europe/Berlin', 'channels[0].businessHours.days.mon: 18:00-09:00 ends before it starts']
  })
})

t.test('business hours are read in their time zone', async t => {
  const hours = { timezone: 'Asia/Shanghai', days: { mon: ['09:00-12:00', '13:00-18:00'] } }
  t.ok(isOpen(hours, new Date('2026-11-23T01:30:00Z')), 'Monday 09:30 in Shanghai')
  t.notOk(isOpen(hours, new Date('2026-11-23T04:30:00Z')), 'Monday 12:30: lunch')
  t.notOk(isOpen(hours, new Date('2026-11-23T10:00:00Z')), 'Monday 18:00: closed')
  t.notOk(isOpen(hours, new Date('2026-11-24T01:30:00Z')), 'Tuesday: no hours, closed')
  t.ok(isOpen(undefined, new Date()), 'no hours: always open')
})
