import t from 'tap'
import { runChannelKit } from '../../core/channels/testkit/index.js'
import { CallbackReceiver } from '../../test/helpers/callback.js'
import { API_SECRET, inboundBody, startTestHub } from '../../test/helpers/hub.js'
import { until } from '../../test/queue.contract.js'
import api from './index.js'
import { sign, verify } from '../../core/channels/signature.js'

const callback = new CallbackReceiver()
await callback.listen()
t.teardown(async () => { await callback.close() })

await runChannelKit(t, {
  definition: api,
  config: { secret: API_SECRET, callbackUrl: callback.url },
  async deliverInbound (_instance, baseUrl) {
    const raw = JSON.stringify({ messageId: 'kit-1', from: { id: 'kit-customer' }, text: 'hi', timestamp: '2026-11-21T11:59:00Z' })
    const response = await fetch(`${baseUrl}/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, raw) }, body: raw })
    if (response.status !== 200) throw new Error(`inbound answered ${response.status}`)
  },
  failNextSend () { callback.script = [400] }
})

t.test('signatures: HMAC-SHA256 of the raw body, compared in constant time', async t => {
  const body = Buffer.from('{"a":1}')
  // Vector from: printf '{"a":1}' | openssl dgst -sha256 -hmac k
  t.equal(sign('k', body), 'sha256=c3a92ff9e274cdcce27a58c15a78ec6dcbbdbd0038a87e7a11baef2028fd8bff')
  t.ok(verify('k', body, sign('k', body)))
  t.notOk(verify('k', body, sign('other', body)))
  t.notOk(verify('k', Buffer.from('{"a":2}'), sign('k', body)))
  t.notOk(verify('k', body, undefined))
  t.notOk(verify('k', body, 'sha256=short'))
})

t.test('inbound over HTTP', async t => {
  const h = await startTestHub(t, { callbackUrl: callback.url })

  t.test('a signed message is stored before the 200', async t => {
    const body = inboundBody({ from: { id: 'c-100', name: 'Lin', email: 'lin@example.com' }, timestamp: 1795300000000 })
    const response = await h.inbound(body)
    t.equal(response.status, 200)
    const outcome = await response.json() as { messageId: string, conversationId: string, duplicate: boolean }
    t.equal(outcome.duplicate, false)
    const message = await h.hub.services.store.getMessage(outcome.messageId)
    t.match(message, { text: body.text, externalId: body.messageId, channelId: 'api' })
    t.equal(message?.sentAt?.getTime(), 1795300000000, 'the sender\'s timestamp is kept')
    const conversation = await h.api('GET', `/conversations/${outcome.conversationId}`)
    t.match(conversation.body.contact, { name: 'Lin', email: 'lin@example.com', identities: [{ channelId: 'api', externalId: 'c-100' }] })
  })

  t.test('a duplicate webhook is one message', async t => {
    const body = inboundBody()
    const first = await (await h.inbound(body)).json() as { messageId: string, conversationId: string }
    const second = await h.inbound(body)
    t.equal(second.status, 200)
    t.match(await second.json(), { messageId: first.messageId, duplicate: true })
    const messages = await h.api('GET', `/conversations/${first.conversationId}/messages?limit=100`)
    t.equal(messages.body.items.filter((m: { externalId: string }) => m.externalId === body.messageId).length, 1)
  })

  t.test('a bad or missing signature is 401 invalid_signature and stores nothing', async t => {
    const body = inboundBody()
    for (const signature of [null, 'sha256=deadbeef', sign('wrong-secret', JSON.stringify(body))]) {
      const response = await h.inbound(body, { signature })
      t.equal(response.status, 401)
      t.match(await response.json(), { code: 'invalid_signature', message: /HMAC-SHA256/ })
    }
    const all = await h.hub.services.store.listConversations({}, { limit: 100 })
    for (const c of all.items) {
      const page = await h.hub.services.store.listMessages(c.id, { limit: 100 })
      t.notOk(page.items.some(m => m.externalId === body.messageId))
    }
  })

  t.test('a malformed body is 400 naming the field', async t => {
    const cases: Array<[unknown, string]> = [
      [{ from: { id: 'x' }, text: 'hi' }, 'messageId'],
      [{ messageId: 'a', text: 'hi' }, 'from'],
      [{ messageId: 'a', from: {}, text: 'hi' }, 'from.id'],
      [{ messageId: 'a', from: { id: 'x' }, text: 42 }, 'text'],
      [{ messageId: 'a', from: { id: 'x' }, text: 'hi', timestamp: 'yesterday' }, 'timestamp'],
      [{ messageId: 'a', from: { id: 'x' }, text: 'hi', attachments: [{ kind: 'sticker', url: 'u' }] }, 'attachments.0.kind']
    ]
    for (const [body, field] of cases) {
      const response = await h.inbound(body)
      t.equal(response.status, 400, `${field}: 400`)
      const answer = await response.json() as { code: string, field: string }
      t.equal(answer.code, 'invalid_request')
      t.equal(answer.field, field)
    }
    const raw = '{"messageId": '
    const response = await fetch(`${h.url}/channels/api/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, raw) }, body: raw })
    t.match({ status: response.status, body: await response.json() }, { status: 400, body: { code: 'invalid_json' } })
  })

  t.test('an unknown channel is 404', async t => {
    const response = await h.inbound(inboundBody(), { channelId: 'nope' })
    t.equal(response.status, 404)
    t.match(await response.json(), { code: 'not_found' })
  })
})

t.test('outbound to the callback', async t => {
  const h = await startTestHub(t, { callbackUrl: callback.url })
  const { conversationId } = await (await h.inbound(inboundBody({ from: { id: 'cb-customer' } }))).json() as { conversationId: string }
  const send = async (text: string) => (await h.api('POST', `/conversations/${conversationId}/messages`, { text })).body as { id: string }
  const statusOf = async (id: string) => (await h.hub.services.store.getMessage(id))!

  t.test('the reply is POSTed signed, with an idempotency key, and marked sent', async t => {
    callback.received.length = 0
    const message = await send('your parcel left today')
    await until(async () => (await statusOf(message.id)).status === 'sent')
    t.equal(callback.received.length, 1)
    const call = callback.received[0]!
    t.ok(verify(API_SECRET, Buffer.from(call.raw), call.headers['x-omnihub-signature'] as string), 'signed with the channel secret')
    t.equal(call.headers['idempotency-key'], message.id)
    t.match(call.body, { messageId: message.id, conversationId, to: { id: 'cb-customer' }, text: 'your parcel left today', author: { type: 'agent', id: h.agent.id } })
    t.equal((await statusOf(message.id)).externalId, 'cb-1', 'the receiver\'s id is kept')
  })

  t.test('5xx and 429 are retried until the callback accepts', async t => {
    callback.received.length = 0
    callback.script = [503, 429, 200]
    const message = await send('retry')
    await until(async () => (await statusOf(message.id)).status === 'sent')
    t.equal(callback.received.length, 3)
  })

  t.test('a 4xx is final: failed with callback_rejected', async t => {
    callback.received.length = 0
    callback.script = [422]
    const message = await send('refused')
    await until(async () => (await statusOf(message.id)).status === 'failed')
    t.match(await statusOf(message.id), { errorCode: 'callback_rejected', errorMessage: /422/ })
    await new Promise(resolve => setTimeout(resolve, 300))
    t.equal(callback.received.length, 1, 'not retried')
  })

  t.test('no callbackUrl: replies refused with no_callback before anything is stored', async t => {
    const bare = await startTestHub(t)
    const { conversationId } = await (await bare.inbound(inboundBody())).json() as { conversationId: string }
    const r = await bare.api('POST', `/conversations/${conversationId}/messages`, { text: 'hi' })
    t.match(r, { status: 422, body: { code: 'no_callback' } })
    t.match((await bare.api('GET', `/conversations/${conversationId}/reply-policy`)).body, { verdict: 'deny', code: 'no_callback' })
  })
})

t.test('a callback that never answers times out and is retried', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url, timeoutMs: 200 }] })
  const { conversationId } = await (await h.inbound(inboundBody())).json() as { conversationId: string }
  callback.received.length = 0
  callback.script = ['hang', 200]
  const { body } = await h.api('POST', `/conversations/${conversationId}/messages`, { text: 'slow' })
  await until(async () => (await h.hub.services.store.getMessage(body.id))!.status === 'sent')
  t.equal(callback.received.length, 2)
})
