import t from 'tap'
import { CallbackReceiver } from '../helpers/callback.js'
import { inboundBody, startTestHub } from '../helpers/hub.js'
import { OwnRedis } from '../helpers/own-redis.js'
import { uniquePrefix } from '../helpers/redis.js'
import { until } from '../queue.contract.js'

t.test('with Redis down, a stored reply is answered 202 and sent once Redis is back', async t => {
  const redis = await OwnRedis.start(t)
  const callback = new CallbackReceiver()
  await callback.listen()
  t.teardown(async () => { await callback.close() })
  const h = await startTestHub(t, {
    callbackUrl: callback.url,
    config: {
      queue: { driver: 'bullmq', redis: redis.url, prefix: uniquePrefix('queue-down') },
      recovery: { intervalMs: 300, minAgeMs: 0 }
    }
  })
  const r = await h.inbound(inboundBody({ text: 'where is my parcel?' }))
  const { conversationId } = await r.json() as { conversationId: string }

  redis.down()
  const replies = await Promise.all(['one', 'two', 'three'].map(async text => await h.api('POST', `/conversations/${conversationId}/messages`, { text })))
  t.same(replies.map(x => x.status), [202, 202, 202], 'every stored reply is accepted')
  t.same(replies.map(x => x.body.status), ['pending', 'pending', 'pending'])
  const stored = (await h.api('GET', `/conversations/${conversationId}/messages`)).body.items
  t.same(stored.filter((m: any) => m.direction === 'outbound').map((m: any) => m.text), ['one', 'two', 'three'], 'each is in the store once')

  await redis.up()
  await until(() => callback.received.length >= 3, 20_000, 'the replies to go out once Redis is back')
  await new Promise(resolve => setTimeout(resolve, 1000))
  t.same(callback.received.map(c => c.body.text).sort(), ['one', 'three', 'two'], 'each sent once')
})
