import t from 'tap'
import { sign } from '../../core/channels/signature.js'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'

/** A signed api-channel POST of raw bytes, as a channel that sent them would. */
async function postRaw (url: string, raw: Buffer): Promise<{ status: number, body: any }> {
  const response = await fetch(`${url}/channels/api/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, raw) }, body: new Uint8Array(raw) })
  return { status: response.status, body: await response.json() }
}

t.test('invalid UTF-8 is refused with invalid_encoding, and ids differing in one invalid byte are not merged', async t => {
  const h = await startTestHub(t)
  for (const byte of [0xff, 0xfe, 0xc3]) {
    const raw = Buffer.concat([Buffer.from('{"messageId":"m-'), Buffer.from([byte]), Buffer.from('","from":{"id":"c1"},"text":"hi"}')])
    t.match(await postRaw(h.url, raw), { status: 400, body: { code: 'invalid_encoding', message: /not valid UTF-8/ } })
  }
  t.equal((await h.hub.services.store.listConversations({}, { limit: 10 })).items.length, 0, 'nothing was stored')
  const ok = await postRaw(h.url, Buffer.from(JSON.stringify(inboundBody({ text: '你好 — ok' }))))
  t.equal(ok.status, 200, 'valid UTF-8, Chinese included, goes through')
  const { conversationId } = ok.body
  const reply = await fetch(`${h.url}/api/v1/conversations/${conversationId}/messages`, {
    method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])
  })
  t.equal(reply.status, 400)
  t.match(await reply.json(), { code: 'invalid_encoding' }, 'the agents\' API refuses it too')
})

t.test('an inbound time outside 2000..tomorrow is refused with the field named; nothing is stored', async t => {
  const h = await startTestHub(t)
  for (const timestamp of [1e16, 0, '1999-12-31T23:59:59Z', Date.now() + 3 * 86_400_000]) {
    const r = await h.inbound(inboundBody({ timestamp }))
    t.equal(r.status, 400, `timestamp ${timestamp}`)
    t.match(await r.json(), { code: 'invalid_request', field: 'timestamp', message: /timestamp: must be a time between 2000-01-01 and a day from now/ })
  }
  t.equal((await h.hub.services.store.listConversations({}, { limit: 10 })).items.length, 0)
  const now = await h.inbound(inboundBody({ timestamp: Date.now() - 1000 }))
  t.equal(now.status, 200)
  const { conversationId } = await now.json() as { conversationId: string }
  t.ok((await h.hub.services.store.getConversation(conversationId))?.lastInboundAt instanceof Date, 'the reply window runs from it')
})

t.test('attachment URLs are http(s), not link-local, or the hub\'s own files', async t => {
  const h = await startTestHub(t, { callbackUrl: 'http://127.0.0.1:9/callback' })
  const { conversationId } = await (await h.inbound(inboundBody())).json() as { conversationId: string }
  for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/', 'data:text/html,<script>x</script>']) {
    t.match(await h.api('POST', `/conversations/${conversationId}/messages`, { text: 'see this', attachments: [{ kind: 'file', url }] }),
      { status: 400, body: { code: 'invalid_request', field: 'body.attachments.0.url' } }, `a reply with ${url.split(':')[0]}`)
    const inbound = await h.inbound(inboundBody({ attachments: [{ kind: 'image', url }] }))
    t.equal(inbound.status, 400, `an inbound message with ${url.split(':')[0]}`)
    t.match(await inbound.json(), { field: 'attachments.0.url' })
  }
  const messages = (await h.api('GET', `/conversations/${conversationId}/messages`)).body.items
  t.equal(messages.length, 1, 'none of them was stored')
  t.match(await h.api('POST', `/conversations/${conversationId}/messages`, { text: 'ok', attachments: [{ kind: 'image', url: 'https://cdn.example.com/a.png' }] }), { status: 202 })
})

t.test('the agents\' API validates bodies strictly: no coercion, unknown fields named', async t => {
  const h = await startTestHub(t, { callbackUrl: 'http://127.0.0.1:9/callback' })
  const { conversationId } = await (await h.inbound(inboundBody())).json() as { conversationId: string }
  t.match(await h.api('POST', `/conversations/${conversationId}/messages`, { text: 1 }), { status: 400, body: { code: 'invalid_request', field: 'body.text' } }, 'a number is not text')
  t.match(await h.api('PUT', `/conversations/${conversationId}/tags`, { tags: 'vip' }), { status: 400, body: { code: 'invalid_request', field: 'body.tags' } }, 'a string is not a list')
  t.match(await h.api('POST', `/conversations/${conversationId}/messages`, { text: 'hi', urgent: true }),
    { status: 400, body: { code: 'invalid_request', field: 'body.urgent', message: 'body.urgent: not a field this route takes (see /docs)' } }, 'an unknown field is named, not dropped')
  t.match(await h.api('PATCH', '/agents/me', { welcome: 'hi', role: 'admin' }), { status: 400, body: { field: 'body.role' } }, 'nor is a field another route takes')
  const messages = (await h.api('GET', `/conversations/${conversationId}/messages?limit=10`)).body.items
  t.equal(messages.length, 1, 'nothing was stored; a query string still reads numbers')
  t.same((await h.hub.services.store.getConversation(conversationId))?.tags, [])
})
