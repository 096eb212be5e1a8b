import t from 'tap'
import { sign } from '../core/channels/signature.js'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET } from './helpers/hub.js'
import { launch, stop, writeConfig } from './helpers/process.js'
import { cleanedPrefix, REDIS_URL } from './helpers/redis.js'
import { AgentStream } from './helpers/stream.js'
import { until } from './queue.contract.js'

const ADMIN = 'scale-out-admin-token-0123456789'

t.test('two hubs and a worker share one Redis: events reach every agent, each job runs once', async t => {
  const callback = new CallbackReceiver()
  await callback.listen()
  t.teardown(async () => { await callback.close() })
  const prefix = cleanedPrefix(t, 'scale')
  const { file } = writeConfig({
    queue: { driver: 'bullmq', redis: REDIS_URL, prefix },
    workers: { inHub: false },
    channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }]
  })
  const env = { OMNIHUB_ADMIN_TOKEN: ADMIN }
  const [hubA, hubB, worker] = await Promise.all([launch(t, 'start', file, env), launch(t, 'start', file, env), launch(t, 'worker', file, env)])
  const onA = await AgentStream.connect(hubA.url, ADMIN)
  const onB = await AgentStream.connect(hubB.url, ADMIN)
  t.teardown(() => { onA.close(); onB.close() })

  // Customers write to hub B; the agent watches hub A.
  const conversations = new Set<string>()
  for (let i = 0; i < 20; i++) {
    const raw = JSON.stringify({ messageId: `scale-${i}`, from: { id: `scale-customer-${i % 4}` }, text: `question ${i}` })
    const response = await fetch(`${hubB.url}/channels/api/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, raw) }, body: raw })
    conversations.add(((await response.json()) as { conversationId: string }).conversationId)
  }
  await until(() => onA.events.filter(e => e.type === 'message.created').length >= 20, 20_000, '20 messages on hub A')
  const seen = onA.events.filter(e => e.type === 'message.created').map(e => e.message?.externalId)
  t.same([...new Set(seen)].sort(), Array.from({ length: 20 }, (_, i) => `scale-${i}`).sort(), 'every message ingested on B reached the agent on A')
  t.equal(conversations.size, 4)

  // Agents reply through both hubs; the worker sends; each reply reaches the customer once.
  const replies: string[] = []
  for (const [i, conversationId] of [...conversations].entries()) {
    for (const hub of [hubA, hubB]) {
      const response = await fetch(`${hub.url}/api/v1/conversations/${conversationId}/messages`, {
        method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: `answer ${i}` })
      })
      t.equal(response.status, 202)
      replies.push(((await response.json()) as { id: string }).id)
    }
  }
  await until(() => callback.received.length >= replies.length, 20_000, 'all replies at the callback')
  await until(() => onB.events.filter(e => e.type === 'message.updated' && e.message?.status === 'sent').length >= replies.length, 10_000, 'sent statuses on hub B')
  await new Promise(resolve => setTimeout(resolve, 500))
  const delivered = callback.received.map(r => r.body.messageId as string)
  t.equal(delivered.length, replies.length, 'no reply was sent twice')
  t.same([...delivered].sort(), [...replies].sort())
  await Promise.all([stop(hubA), stop(hubB), stop(worker)])
})
