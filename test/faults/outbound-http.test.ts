import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { boundedFetch, MAX_RETRY_AFTER_MS, RemoteError, retryAfterMs } from '../../core/remote/index.js'
import { inboundBody, startTestHub } from '../helpers/hub.js'
import { until } from '../queue.contract.js'

/** A remote that answers each request with the next scripted handler; records what it got. */
async function remote (t: Test, handlers: Array<(req: IncomingMessage, res: ServerResponse) => void>): Promise<{ url: string, hits: Array<{ method: string, url: string }> }> {
  const hits: Array<{ method: string, url: string }> = []
  const server = createServer((req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '' })
    req.resume()
    req.on('end', () => { (handlers.shift() ?? ((_q, r) => { r.writeHead(200, { 'content-type': 'application/json' }); r.end('{"id":"ok"}') }))(req, res) })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => await new Promise(resolve => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits }
}

async function replyThrough (t: Test, callbackUrl: string): Promise<{ status: () => Promise<any> }> {
  const h = await startTestHub(t, { callbackUrl })
  const { conversationId } = await (await h.inbound(inboundBody())).json() as { conversationId: string }
  const { body } = await h.api('POST', `/conversations/${conversationId}/messages`, { text: 'your parcel left today' })
  return { status: async () => await h.hub.services.store.getMessage(body.id) }
}

for (const code of [301, 302, 307, 308]) {
  t.test(`a callback answering ${code} is a final callback_redirected; the redirect is never followed`, async t => {
    const elsewhere = await remote(t, [])
    const callback = await remote(t, [(_req, res) => { res.writeHead(code, { location: `${elsewhere.url}/steal` }); res.end() }])
    const reply = await replyThrough(t, `${callback.url}/cb`)
    await until(async () => (await reply.status()).status === 'failed')
    t.match(await reply.status(), { errorCode: 'callback_redirected', errorMessage: new RegExp(`answered ${code}, a redirect`) })
    t.same(elsewhere.hits, [], 'nothing reached the redirect\'s target')
    t.equal(callback.hits.length, 1, 'not retried')
  })
}

t.test('a callback answer larger than the hub reads is a final callback_too_large', async t => {
  const callback = await remote(t, [(_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(`{"id":"${'x'.repeat(2 * 1024 * 1024)}"}`) }])
  const reply = await replyThrough(t, `${callback.url}/cb`)
  await until(async () => (await reply.status()).status === 'failed')
  t.match(await reply.status(), { errorCode: 'callback_too_large' })
})

for (const code of [408, 425]) {
  t.test(`${code} is retryable: the reply is sent on the next try`, async t => {
    const callback = await remote(t, [(_req, res) => { res.writeHead(code); res.end() }])
    const reply = await replyThrough(t, `${callback.url}/cb`)
    await until(async () => (await reply.status()).status === 'sent')
    t.equal(callback.hits.length, 2)
  })
}

t.test('Retry-After as an HTTP date is waited out', async t => {
  const callback = await remote(t, [(_req, res) => { res.writeHead(503, { 'retry-after': new Date(Date.now() + 1500).toUTCString() }); res.end() }])
  const reply = await replyThrough(t, `${callback.url}/cb`)
  await until(() => callback.hits.length === 1)
  await new Promise(resolve => setTimeout(resolve, 400))
  t.equal(callback.hits.length, 1, 'the hub waits as asked rather than its own 50 ms backoff')
  await until(async () => (await reply.status()).status === 'sent', 10_000)
  t.equal(callback.hits.length, 2)
})

t.test('retryAfterMs reads both forms of Retry-After and caps them', async t => {
  const now = new Date('2026-12-01T10:00:00Z')
  t.equal(retryAfterMs('120', now), 120_000, 'delay-seconds')
  t.equal(retryAfterMs('Tue, 01 Dec 2026 10:00:30 GMT', now), 30_000, 'an HTTP-date')
  t.equal(retryAfterMs('Tue, 01 Dec 2026 09:59:00 GMT', now), undefined, 'a date already past')
  t.equal(retryAfterMs('99999999999999999999', now), MAX_RETRY_AFTER_MS, 'a huge delay is capped')
  t.equal(retryAfterMs('soon', now), undefined, 'unreadable')
  t.equal(retryAfterMs('-5', now), undefined, 'negative')
  t.equal(retryAfterMs(null, now), undefined, 'absent')
})

t.test('a library\'s calls (Slack\'s client) go through the same limits: no redirect, a capped answer, a bounded Retry-After', async t => {
  const elsewhere = await remote(t, [])
  const slack = await remote(t, [
    (_req, res) => { res.writeHead(302, { location: `${elsewhere.url}/api/chat.postMessage` }); res.end() },
    (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ ok: true, padding: 'x'.repeat(64 * 1024) })) },
    (_req, res) => { res.writeHead(429, { 'retry-after': '999999999', 'content-type': 'application/json' }); res.end('{"ok":false,"error":"ratelimited"}') },
    (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}') }
  ])
  const bounded = boundedFetch('Slack', 16 * 1024)
  const call = async (): Promise<Response> => await bounded(`${slack.url}/api/chat.postMessage`, { method: 'POST', body: '{}' })
  await t.rejects(call(), { name: 'RemoteError', failure: 'redirected' })
  t.same(elsewhere.hits, [], 'the redirect was not followed')
  const large = await call().catch((err: unknown) => err)
  t.ok(large instanceof RemoteError && large.failure === 'too_large', 'a 64 KiB answer past a 16 KiB cap is refused')
  const limited = await call()
  t.equal(limited.headers.get('retry-after'), String(MAX_RETRY_AFTER_MS / 1000), 'the library is told to wait 15 minutes at most')
  t.same(await (await call()).json(), { ok: true }, 'an ordinary answer reaches the library as it was')
})
