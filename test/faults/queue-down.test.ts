import t, { type Test } from 'tap'
import { CallbackReceiver } from '../helpers/callback.js'
import { inboundBody, startTestHub, type TestHub } from '../helpers/hub.js'
import { OwnRedis } from '../helpers/own-redis.js'
import { uniquePrefix } from '../helpers/redis.js'
import { until } from '../queue.contract.js'

/** A hub on BullMQ over a Redis of the test's own, its recovery sweep quick, replies going to a callback. */
async function hubOnOwnRedis (t: Test): Promise<{ redis: OwnRedis, callback: CallbackReceiver, h: TestHub }> {
  const redis = await OwnRedis.start(t)
  const callback = new CallbackReceiver()
  await callback.listen()
  t.teardown(async () => { await callback.close() })
  const h = await startTestHub(t, {
    callbackUrl: callback.url,
    config: { queue: { driver: 'bullmq', redis: redis.url, prefix: uniquePrefix('queue-down') }, recovery: { intervalMs: 300, minAgeMs: 0 } }
  })
  return { redis, callback, h }
}

t.test('with Redis down, a stored reply is answered 202 and sent once Redis is back', async t => {
  const { redis, callback, h } = await hubOnOwnRedis(t)
  const r = await h.inbound(inboundBody({ text: 'where is my parcel?' }))
  const { conversationId } = await r.json() as { conversationId: string }

  redis.down()
  const started = Date.now()
  const webhook = await h.inbound(inboundBody({ messageId: 'while-down', text: 'hello?' }))
  t.equal(webhook.status, 503, 'a webhook while Redis is down: stored, and the channel is asked to deliver again')
  t.match(await webhook.json(), { code: 'queue_unavailable' })
  t.ok(Date.now() - started < 3000, `answered within the second the hub waits for Redis, not after its reconnects (${Date.now() - started} ms)`)
  const replies = await Promise.all(['one', 'two', 'three'].map(async text => await h.api('POST', `/conversations/${conversationId}/messages`, { text })))
  t.same(replies.map(x => x.status), [202, 202, 202], 'every stored reply is accepted')
  t.same(replies.map(x => x.body.status), ['pending', 'pending', 'pending'])
  const stored = (await h.api('GET', `/conversations/${conversationId}/messages`)).body.items
  t.same(stored.filter((m: any) => m.direction === 'outbound').map((m: any) => m.text), ['one', 'two', 'three'], 'each is in the store once')

  await redis.up()
  await until(() => callback.received.length >= 3, 20_000, 'the replies to go out once Redis is back')
  const redelivered = await h.inbound(inboundBody({ messageId: 'while-down', text: 'hello?' }))
  t.match({ status: redelivered.status, body: await redelivered.json() }, { status: 200, body: { duplicate: true } }, 'its redelivery is the stored message, now routed')
  await new Promise(resolve => setTimeout(resolve, 1000))
  t.same(callback.received.map(c => c.body.text).sort(), ['one', 'three', 'two'], 'each sent once')
})

t.test('with Redis hung (it accepts and never answers), webhooks get their 503 and replies their 202 within about a second', async t => {
  const { redis, callback, h } = await hubOnOwnRedis(t)
  const { conversationId } = await (await h.inbound(inboundBody())).json() as { conversationId: string }
  redis.freeze()
  t.teardown(() => redis.thaw())
  let started = Date.now()
  const webhook = await h.inbound(inboundBody({ messageId: 'while-hung' }))
  t.equal(webhook.status, 503)
  t.ok(Date.now() - started < 3000, `the webhook's 503 came in ${Date.now() - started} ms`)
  started = Date.now()
  const reply = await h.api('POST', `/conversations/${conversationId}/messages`, { text: 'still here' })
  t.equal(reply.status, 202)
  t.ok(Date.now() - started < 3000, `the reply's 202 came in ${Date.now() - started} ms`)
  redis.thaw()
  await until(() => callback.received.some(c => c.body.text === 'still here'), 20_000, 'the reply to go out once Redis answers')
})
