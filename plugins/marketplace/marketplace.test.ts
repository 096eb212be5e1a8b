import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { runChannelKit } from '../../core/channels/testkit/index.js'
import { CREDENTIALS, FakeMarketplace, SENSITIVE, type BuyerMessage, type Market } from '../../test/fakes/marketplaces.js'
import { startTestHub, type TestHub } from '../../test/helpers/hub.js'
import { freePort } from '../../test/helpers/process.js'
import { eventually } from '../../test/inbox/browser.js'
import marketplace from './index.js'

/** Each shipped profile against its marketplace's fake: pushes in, replies out, catch-up, response-time alerts. */

let seq = 0
const buyerMessage = (over: Partial<BuyerMessage> = {}): BuyerMessage => ({ id: `m-${++seq}`, conversation: 'conv-1', buyer: '880001', buyerName: 'Lin Mei', text: 'Is this in stock?', at: Date.now(), ...over })

async function hubFor (t: Test, market: Market, fake: FakeMarketplace, where: { port: number, db: string }): Promise<TestHub> {
  return await startTestHub(t, {
    channels: [{ id: market, plugin: 'marketplace', profile: market, ...CREDENTIALS, apiBaseUrl: fake.url, pushUrl: `http://127.0.0.1:${where.port}/channels/${market}/push`, catchUp: { intervalMs: 0 } }],
    config: { http: { host: '127.0.0.1', port: where.port }, store: { driver: 'sqlite', path: where.db } }
  })
}

const place = (): { port: number, db: string } => ({ port: 0, db: join(mkdtempSync(join(tmpdir(), 'omnihub-market-')), 'hub.db') })

/** What each marketplace's send call must look like. */
const expectedSend: Record<Market, { text: (conversation: string, buyer: string, text: string) => Record<string, unknown>, product: (conversation: string, buyer: string, id: string) => Record<string, unknown> }> = {
  'tiktok-shop': {
    text: (c, _b, text) => ({ method: 'POST', path: `/customer_service/202309/conversations/${c}/messages`, body: { type: 'TEXT', content: JSON.stringify({ content: text }) }, query: { app_key: CREDENTIALS.appKey, shop_cipher: CREDENTIALS.shopId, sign: /^[0-9a-f]{64}$/ }, headers: { 'x-tts-access-token': CREDENTIALS.accessToken } }),
    product: (c, _b, id) => ({ path: `/customer_service/202309/conversations/${c}/messages`, body: { type: 'PRODUCT_CARD', content: JSON.stringify({ product_id: id }) } })
  },
  shopee: {
    text: (_c, b, text) => ({ method: 'POST', path: '/api/v2/sellerchat/send_message', body: { to_id: Number(b), message_type: 'text', content: { text } }, query: { partner_id: CREDENTIALS.appKey, shop_id: CREDENTIALS.shopId, access_token: CREDENTIALS.accessToken, sign: /^[0-9a-f]{64}$/ } }),
    product: (_c, b, id) => ({ path: '/api/v2/sellerchat/send_message', body: { to_id: Number(b), message_type: 'item', content: { item_id: Number(id) } } })
  },
  lazada: {
    text: (c, _b, text) => ({ method: 'POST', path: '/rest/im/message/send', query: { session_id: c, template_id: '1', txt: text, app_key: CREDENTIALS.appKey, sign_method: 'sha256', access_token: CREDENTIALS.accessToken, sign: /^[0-9A-F]{64}$/ } }),
    product: (c, _b, id) => ({ path: '/rest/im/message/send', query: { session_id: c, template_id: '10006', item_id: id } })
  }
}

runChannelKit(t, { definition: marketplace, config: { profile: 'shopee', ...CREDENTIALS, apiBaseUrl: 'http://127.0.0.1:9' } })

for (const market of ['tiktok-shop', 'shopee', 'lazada'] as const) {
  t.test(`${market}: push in, replies out, duplicates, bad signatures, refusals`, async t => {
    const fake = await new FakeMarketplace(market).start()
    t.teardown(async () => { await fake.stop() })
    const where = { ...place(), port: await freePort() }
    const hub = await hubFor(t, market, fake, where)
    const pushUrl = `${hub.url}/channels/${market}/push`
    const messages = async (): Promise<any[]> => {
      const conversations = (await hub.api('GET', '/conversations?status=open')).body.items
      return conversations.length === 0 ? [] : (await hub.api('GET', `/conversations/${conversations[0].id}/messages`)).body.items
    }

    // A product card from the buyer: stored with the buyer and shown as a card.
    const card = buyerMessage({ text: undefined, product: { id: '1001', title: 'Linen shirt', image: 'https://img.example/1001.jpg', price: '199.00' } })
    t.equal(await fake.buyerWrites(card, pushUrl), 200)
    const [conversation] = (await hub.api('GET', '/conversations?status=open')).body.items
    t.match(conversation, { channelId: market, contact: { name: market === 'lazada' ? null : 'Lin Mei' } })
    const contact = (await hub.api('GET', `/contacts/${conversation.contactId}`)).body
    t.same(contact.identities.map((i: any) => [i.channelId, i.externalId]), [[market, '880001']], 'the buyer, by their marketplace id')
    t.match((await messages())[0], { direction: 'inbound', cards: [{ kind: 'product', id: '1001', title: 'Linen shirt' }] })
    if (market !== 'shopee') t.match((await messages())[0].cards[0], { imageUrl: 'https://img.example/1001.jpg', fields: { price: '199.00' } })

    // The same push again (at-least-once delivery): one message.
    t.equal(await fake.push(fake.pushBody(card), pushUrl), 200)
    t.equal((await messages()).length, 1, 'a redelivered push is stored once')

    // A bad signature: 401 and nothing stored.
    const forged = buyerMessage({ text: 'forged' })
    t.equal(await fake.buyerWrites(forged, pushUrl, { signature: 'f'.repeat(64) }), 401)
    const unsigned = await fetch(pushUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fake.pushBody(forged)) })
    t.match(await unsigned.json(), { code: 'invalid_signature' })
    t.equal((await messages()).length, 1, 'nothing stored')
    const malformed = '{"hello":1}'
    const bad = await fetch(pushUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: fake.signPush(malformed, pushUrl) }, body: malformed })
    t.match({ status: bad.status, body: await bad.json() }, { status: 400, body: { code: 'invalid_push' } }, 'signed but not a push: 400 with the reason')

    // An order card too.
    await fake.buyerWrites(buyerMessage({ text: undefined, order: { id: '240101ABC', status: 'SHIPPED' } }), pushUrl)
    t.match((await messages()).at(-1), { cards: [{ kind: 'order', id: '240101ABC', fields: { status: 'SHIPPED' } }] })

    // The agent's text and product card reach the marketplace in its exact request shape.
    const stream = await hub.stream()
    const reply = await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'Yes, size M is in stock.', cards: [{ kind: 'product', id: '1001', title: 'Linen shirt' }] })
    t.equal(reply.status, 202)
    await stream.next(e => e.type === 'message.updated' && e.message?.id === reply.body.id && e.message?.status === 'sent')
    t.equal(fake.sends.length, 2, 'text and card are two marketplace messages')
    t.match(fake.sends[0], expectedSend[market].text('conv-1', '880001', 'Yes, size M is in stock.'))
    t.match(fake.sends[1], expectedSend[market].product('conv-1', '880001', '1001'))

    // The marketplace pushes the seller's messages too: echoes of the hub's own sends are not
    // stored again; what the seller wrote in the marketplace's workbench is kept as outbound.
    const stored = (await messages()).length
    const prefix = { 'tiktok-shop': 'tt', shopee: 'sp', lazada: 'lz' }[market]
    for (const id of [`${prefix}-1`, `${prefix}-2`]) {
      t.equal(await fake.push(fake.sellerPush({ id, conversation: 'conv-1', buyer: '880001', text: 'echo', at: Date.now() }), pushUrl), 200)
    }
    t.equal((await messages()).length, stored, 'echoes of both parts are skipped')
    await fake.push(fake.sellerPush({ id: 'workbench-1', conversation: 'conv-1', buyer: '880001', text: 'Sent from the seller app', at: Date.now() }), pushUrl)
    t.match((await messages()).at(-1), { direction: 'outbound', text: 'Sent from the seller app', status: 'sent' })

    // The marketplace's content filter: content_rejected with its reason; nothing retried.
    const rejected = await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: `我们不${SENSITIVE}` })
    const failed = await stream.next(e => e.type === 'message.updated' && e.message?.id === rejected.body.id && e.message?.status === 'failed')
    t.match(failed.message, { errorCode: 'content_rejected', errorMessage: /rejected the content: .*sensitive/i })
    t.equal(fake.sends.length, 3, 'tried once: a refusal is final')
    t.equal((await messages()).length, stored + 2)

    // What the marketplace cannot carry is refused before it is stored.
    t.match(await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'x', cards: [{ kind: 'coupon', id: 'C1', title: '10% off' }] }), { status: 422, body: { code: 'card_unsupported' } })
    t.match(await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'x', cards: [{ kind: 'product', title: 'no id' }] }), { status: 422, body: { code: 'card_needs_id' } })
    t.match(await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'x'.repeat(2500) }), { status: 422, body: { code: 'text_too_long' } })
  })

  t.test(`${market}: pushes lost while the hub was down come back through catch-up`, async t => {
    const fake = await new FakeMarketplace(market).start()
    t.teardown(async () => { await fake.stop() })
    const where = { ...place(), port: await freePort() }
    const first = await hubFor(t, market, fake, where)
    const pushUrl = `${first.url}/channels/${market}/push`
    t.equal(await fake.buyerWrites(buyerMessage({ conversation: 'conv-9', buyer: '880009', text: 'first, while up' }), pushUrl), 200)
    await first.hub.stop()

    t.equal(await fake.buyerWrites(buyerMessage({ conversation: 'conv-9', buyer: '880009', text: 'while the hub was down' }), pushUrl), 0, 'the push could not be delivered')
    t.equal(await fake.buyerWrites(buyerMessage({ conversation: 'conv-10', buyer: '880010', text: 'a new buyer, also while down' }), pushUrl), 0)

    const second = await hubFor(t, market, fake, where)
    const texts = await eventually('the lost messages', async () => {
      const all: string[] = []
      for (const c of (await second.api('GET', '/conversations?status=open')).body.items) {
        all.push(...(await second.api('GET', `/conversations/${c.id}/messages`)).body.items.map((m: any) => m.text))
      }
      return all.length >= 3 && all.sort()
    })
    t.same(texts, ['a new buyer, also while down', 'first, while up', 'while the hub was down'], 'recovered once each, nothing twice')
    if (market === 'shopee') t.same(fake.lost, [], 'the lost pushes were confirmed as taken')
  })
}

t.test('a fourth marketplace is one profile file: no change anywhere else', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-profile-'))
  const file = join(dir, 'acme-mall.mjs')
  writeFileSync(file, `
import { createHmac } from 'node:crypto'
const sig = (secret, raw) => createHmac('sha256', secret).update(raw).digest('hex')
export default {
  name: 'acme-mall', title: 'Acme Mall', ackDeadlineMs: 1000, limits: { maxTextLength: 500, cards: ['product'] },
  verifyPush: (push, c) => push.headers['x-acme-signature'] === sig(c.appSecret, push.raw),
  parsePush: (body) => body.events.map(e => ({ conversationRef: e.chat, message: { externalId: e.id, from: { externalId: e.buyer, name: e.nick }, text: e.text, sentAt: new Date(e.ts) } })),
  async send (api, out, c) {
    const { body } = await api({ method: 'POST', path: '/v1/chats/' + out.conversationRef + '/messages', headers: { 'x-acme-token': c.accessToken }, body: out.part.type === 'text' ? { text: out.part.text } : { product: out.part.card.id } })
    return body.id
  },
  async catchUp () { return { messages: [], cursor: null, more: false } }
}
`)
  const sent: any[] = []
  const { createServer } = await import('node:http')
  const acme = createServer((request, response) => {
    let raw = ''
    request.on('data', chunk => { raw += chunk })
    request.on('end', () => { sent.push({ path: request.url, token: request.headers['x-acme-token'], body: JSON.parse(raw) }); response.end(JSON.stringify({ id: `acme-${sent.length}` })) })
  })
  await new Promise<void>(resolve => acme.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { acme.close() })
  const hub = await startTestHub(t, { channels: [{ id: 'acme', plugin: 'marketplace', profile: file, shopId: 's1', appKey: 'k', appSecret: 'acme-secret-1', accessToken: 'tok', apiBaseUrl: `http://127.0.0.1:${(acme.address() as { port: number }).port}`, catchUp: { intervalMs: 0 } }] })
  const body = JSON.stringify({ events: [{ id: 'e1', chat: 'chat-7', buyer: 'u7', nick: 'Kai', text: 'Hello Acme', ts: Date.now() }] })
  const { createHmac } = await import('node:crypto')
  const pushed = await fetch(`${hub.url}/channels/acme/push`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-acme-signature': createHmac('sha256', 'acme-secret-1').update(body).digest('hex') }, body })
  t.equal(pushed.status, 200)
  const [conversation] = (await hub.api('GET', '/conversations?status=open')).body.items
  t.match(conversation, { channelId: 'acme', contact: { name: 'Kai' }, lastMessage: { text: 'Hello Acme' } })
  const stream = await hub.stream()
  const reply = await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'Hi Kai', cards: [{ kind: 'product', id: 'p9', title: 'Kettle' }] })
  await stream.next(e => e.type === 'message.updated' && e.message?.id === reply.body.id && e.message?.status === 'sent')
  t.same(sent, [{ path: '/v1/chats/chat-7/messages', token: 'tok', body: { text: 'Hi Kai' } }, { path: '/v1/chats/chat-7/messages', token: 'tok', body: { product: 'p9' } }])
  t.match(await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'x', cards: [{ kind: 'order', id: 'o1', title: 'Order' }] }), { status: 422, body: { code: 'card_unsupported', message: /Acme Mall cannot send a "order" card; it sends product cards/ } })
})

t.test('config: an unknown profile or time zone is a start-up error that says so', async t => {
  const problems = marketplace.validate!({ profile: 'ebay', shopId: 's', appKey: 'k', appSecret: 'secret-123', accessToken: 't', apiBaseUrl: 'https://x', pushUrl: '', timeoutMs: 1000, catchUp: { intervalMs: 0, maxPages: 1 } })
  t.same(problems, ['profile: no marketplace profile "ebay"; use tiktok-shop, shopee, lazada or a path to a profile file'])
})
