import t from 'tap'
import { sign } from '../../core/channels/signature.js'
import { CallbackReceiver } from '../helpers/callback.js'
import { API_SECRET } from '../helpers/hub.js'
import { launch, stop, writeConfig } from '../helpers/process.js'
import { cleanedPrefix, REDIS_URL } from '../helpers/redis.js'
import { AgentStream } from '../helpers/stream.js'
import { until } from '../queue.contract.js'

const ADMIN = 'worker-kill-admin-token-0123456789'

t.test('a worker killed with -9 mid-send: another worker takes the job over within seconds and the reply is sent, marked sent once', async t => {
  const callback = new CallbackReceiver()
  await callback.listen()
  // The first try reaches the customer's system and never gets its answer: the worker dies there.
  callback.script = ['hang']
  t.teardown(async () => { await callback.close() })
  const prefix = cleanedPrefix(t, 'worker-kill')
  // The lock and stall settings are the defaults; recovery is slowed so only BullMQ's takeover can resend.
  const { file } = writeConfig({
    queue: { driver: 'bullmq', redis: REDIS_URL, prefix },
    workers: { inHub: false },
    recovery: { intervalMs: 600_000 },
    channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }]
  })
  const env = { OMNIHUB_ADMIN_TOKEN: ADMIN }
  const [hub, doomed] = await Promise.all([launch(t, 'start', file, env), launch(t, 'worker', file, env)])
  const agent = await AgentStream.connect(hub.url, ADMIN)
  t.teardown(() => agent.close())

  const raw = JSON.stringify({ messageId: 'kill-1', from: { id: 'kill-customer' }, text: 'is it shipped?' })
  const inbound = await fetch(`${hub.url}/channels/api/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, raw) }, body: raw })
  const { conversationId } = await inbound.json() as { conversationId: string }
  const reply = await fetch(`${hub.url}/api/v1/conversations/${conversationId}/messages`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'it left today' })
  })
  t.equal(reply.status, 202)
  const { id: replyId } = await reply.json() as { id: string }

  await until(() => callback.received.length === 1, 15_000, 'the first try at the callback')
  doomed.child.kill('SIGKILL')
  await new Promise(resolve => doomed.child.once('exit', resolve))
  const killedAt = Date.now()
  const heir = await launch(t, 'worker', file, env)
  // BullMQ's own settings (a 30 s lock, checked every 30 s) took 60–91 s here.
  await until(() => callback.received.length === 2, 15_000, 'the job to be taken over by the new worker')
  t.comment(`resent ${Date.now() - killedAt} ms after the kill`)
  t.same(callback.received.map(c => c.headers['idempotency-key']), [replyId, replyId], 'both tries carry the reply\'s idempotency key, so the customer\'s system keeps one')

  await agent.next(e => e.type === 'message.updated' && e.message?.id === replyId && e.message.status === 'sent', 10_000)
  await new Promise(resolve => setTimeout(resolve, 500))
  t.equal(agent.events.filter(e => e.type === 'message.updated' && e.message?.id === replyId && e.message.status === 'sent').length, 1, 'the agent sees it sent once')
  t.equal(callback.received.length, 2, 'no third try')
  await Promise.all([stop(hub), stop(heir)])
})
