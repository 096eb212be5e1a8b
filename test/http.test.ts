import { connect } from 'node:net'
import t from 'tap'
import WebSocket from 'ws'
import { inboundBody, startTestHub } from './helpers/hub.js'

t.test('agents API', async t => {
  const h = await startTestHub(t)
  const ids: string[] = []
  for (let i = 0; i < 5; i++) ids.push(((await (await h.inbound(inboundBody({ from: { id: `http-${i}` } }))).json()) as { conversationId: string }).conversationId)

  t.test('every /api/v1 route needs a valid bearer token', async t => {
    for (const token of ['', 'oh_not-a-real-token']) {
      const r = await h.api('GET', '/conversations', undefined, token)
      t.equal(r.status, 401)
      t.match(r.body, { code: 'unauthorized', message: /Bearer/ })
    }
    const r = await fetch(`${h.url}/api/v1/conversations`)
    t.equal(r.status, 401)
  })

  t.test('conversations: newest first, paged by cursor, filtered', async t => {
    const first = await h.api('GET', '/conversations?limit=2')
    t.equal(first.status, 200)
    t.same(first.body.items.map((c: { id: string }) => c.id), [ids[4], ids[3]])
    const second = await h.api('GET', `/conversations?limit=2&cursor=${first.body.nextCursor}`)
    t.same(second.body.items.map((c: { id: string }) => c.id), [ids[2], ids[1]])
    t.equal((await h.api('GET', '/conversations?status=unassigned&channel=api&assignee=none&limit=100')).body.items.length, 5)
    t.equal((await h.api('GET', '/conversations?assignee=me')).body.items.length, 0)
    t.equal((await h.api('GET', '/conversations?channel=other')).body.items.length, 0)
  })

  t.test('bad queries are 400 with the field', async t => {
    t.match(await h.api('GET', '/conversations?status=pending'), { status: 400, body: { code: 'invalid_request', field: 'querystring.status' } })
    t.match(await h.api('GET', '/conversations?limit=1000'), { status: 400, body: { code: 'invalid_request', field: 'querystring.limit' } })
    t.match(await h.api('GET', '/conversations?cursor=bogus'), { status: 400, body: { code: 'invalid_cursor' } })
  })

  t.test('one conversation, with its contact and messages', async t => {
    const r = await h.api('GET', `/conversations/${ids[0]}`)
    t.match(r.body, { id: ids[0], channelId: 'api', contact: { identities: [{ externalId: 'http-0' }] } })
    const messages = await h.api('GET', `/conversations/${ids[0]}/messages`)
    t.equal(messages.body.items.length, 1)
    t.equal(messages.body.nextCursor, null)
  })

  t.test('unknown conversation: 404 not_found everywhere', async t => {
    for (const [method, path, body] of [['GET', '/conversations/nope'], ['GET', '/conversations/nope/messages'], ['GET', '/conversations/nope/reply-policy'], ['POST', '/conversations/nope/messages', { text: 'x' }]] as const) {
      t.match(await h.api(method, path, body), { status: 404, body: { code: 'not_found' } }, `${method} ${path}`)
    }
  })

  t.test('reply body errors name the field; no stack traces', async t => {
    t.match(await h.api('POST', `/conversations/${ids[0]}/messages`, { text: { html: '<b>x</b>' } }), { status: 400, body: { code: 'invalid_request', field: 'body.text' } })
    t.match(await h.api('POST', `/conversations/${ids[0]}/messages`, {}), { status: 400, body: { field: 'body.text' } })
    const raw = await fetch(`${h.url}/api/v1/conversations/${ids[0]}/messages`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: '{"text":' })
    const body = await raw.json() as Record<string, unknown>
    t.match({ status: raw.status, body }, { status: 400, body: { code: 'invalid_json' } })
    t.notOk(JSON.stringify(body).includes('at '), 'no stack')
  })

  t.test('a field a body does not take is a 400 naming it, never dropped unseen', async t => {
    const { body: conversation } = await h.api('GET', `/conversations/${ids[0]}`)
    const contact = await h.api('PATCH', `/contacts/${conversation.contactId}`, { name: 'Ann', attributes: { vip: true } })
    t.match(contact, { status: 400, body: { code: 'invalid_request', field: 'body.attributes', message: /attributes/ } })
    t.equal((await h.api('GET', `/contacts/${conversation.contactId}`)).body.name, null, 'nothing of the request was applied')
    const admin = await h.addAgent({ role: 'admin' })
    t.match(await admin.api('PATCH', `/agents/${h.agent.id}`, { status: 'online' }), { status: 400, body: { code: 'invalid_request', field: 'body.status' } }, 'status has its own route')
  })

  t.test('the stream refuses an unknown token and accepts ?access_token=', async t => {
    const refused = new WebSocket(`${h.url.replace('http', 'ws')}/api/v1/stream`, { headers: { authorization: 'Bearer wrong' } })
    const status = await new Promise<number>(resolve => refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
    t.equal(status, 401)
    const browser = new WebSocket(`${h.url.replace('http', 'ws')}/api/v1/stream?access_token=${h.token}`)
    const first = await new Promise<string>(resolve => browser.once('message', data => resolve(data.toString())))
    t.match(JSON.parse(first), { type: 'ready', agentId: h.agent.id })
    browser.close()
  })
})

t.test('health and readiness', async t => {
  const h = await startTestHub(t)
  t.same(await (await fetch(`${h.url}/healthz`)).json(), { status: 'ok' })
  const ready = await fetch(`${h.url}/readyz`)
  t.same({ status: ready.status, body: await ready.json() }, { status: 200, body: { status: 'ready', checks: { store: 'ok', queue: 'ok', channels: { api: 'ok' } } } })
  await h.hub.services.store.close()
  const down = await fetch(`${h.url}/readyz`)
  t.equal(down.status, 503)
  t.match(await down.json(), { code: 'not_ready', checks: { store: 'unreachable', queue: 'ok' } })
})

t.test('unknown routes are 404 with a sentence', async t => {
  const h = await startTestHub(t)
  const r = await fetch(`${h.url}/nowhere?token=secret`)
  t.equal(r.status, 404)
  t.same(await r.json(), { code: 'not_found', message: 'There is no GET /nowhere on this hub.' })
})

t.test('errors from before routing carry a code too: a bad percent-escape, a malformed request line', async t => {
  const h = await startTestHub(t)
  const bad = await fetch(`${h.url}/api/v1/conversations/%zz`, { headers: { authorization: `Bearer ${h.token}` } })
  t.equal(bad.status, 400)
  t.same(await bad.json(), { code: 'invalid_url', message: 'The URL is not valid: a % must start a %XX escape of two hex digits.' }, 'no Fastify code leaks')
  const raw = await new Promise<string>(resolve => {
    const socket = connect(Number(new URL(h.url).port), '127.0.0.1', () => socket.write('GARBAGE / HTTP/1.1\r\n\r\n'))
    let got = ''
    socket.on('data', d => { got += String(d) })
    socket.on('close', () => resolve(got))
  })
  t.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/)
  t.same(JSON.parse(raw.split('\r\n\r\n')[1]!), { code: 'malformed_request', message: 'The request is not valid HTTP/1.1.' })
})
