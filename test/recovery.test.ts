import t from 'tap'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET } from './helpers/hub.js'
import { sign } from '../core/channels/signature.js'
import { freePort, launch, stop, writeConfig } from './helpers/process.js'
import { until } from './queue.contract.js'

const ADMIN = 'recovery-admin-token-0123456789'
const api = async (url: string, path: string, init: RequestInit = {}): Promise<any> =>
  await (await fetch(`${url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...init.headers } })).json()

t.test('a reply pending when the hub is killed is sent after restart, once', async t => {
  // The callback's port is closed at first: every send fails with a retryable error.
  const port = await freePort()
  const { file } = writeConfig({
    send: { attempts: 50, backoffMs: 200 },
    channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: `http://127.0.0.1:${port}/cb` }]
  })
  const first = await launch(t, 'start', file, { OMNIHUB_ADMIN_TOKEN: ADMIN })
  const raw = JSON.stringify({ messageId: 'crash-1', from: { id: 'crash-customer' }, text: 'is it shipped?' })
  const { conversationId } = await (await fetch(`${first.url}/channels/api/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(API_SECRET, raw) }, body: raw })).json() as { conversationId: string }
  const reply = await api(first.url, `/conversations/${conversationId}/messages`, { method: 'POST', body: JSON.stringify({ text: 'yes, this morning' }) })
  t.equal(reply.status, 'pending')
  await new Promise(resolve => setTimeout(resolve, 500)) // a few failed tries
  await stop(first, 'SIGKILL')

  const callback = new CallbackReceiver()
  await callback.listen(port)
  t.teardown(async () => { await callback.close() })
  const second = await launch(t, 'start', file, { OMNIHUB_ADMIN_TOKEN: ADMIN })
  await until(() => callback.received.length === 1, 15_000, 'the pending reply to arrive')
  await until(async () => (await api(second.url, `/conversations/${conversationId}/messages`)).items.some((m: any) => m.id === reply.id && m.status === 'sent'), 10_000, 'sent status')
  t.equal(callback.received[0]?.body.messageId, reply.id)
  t.equal(callback.received[0]?.body.text, 'yes, this morning')
  await new Promise(resolve => setTimeout(resolve, 500))
  t.equal(callback.received.length, 1, 'sent once')
  await stop(second)
})
