import t, { type Test } from 'tap'
import { startTestHub, type TestHub } from '../helpers/hub.js'
import { launch, stop, writeConfig } from '../helpers/process.js'
import { VisitorClient } from '../helpers/visitor.js'

async function hubWith (t: Test, settings: Record<string, unknown> = {}): Promise<TestHub> {
  return await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat', ...settings }] })
}

async function visitor (t: Test, hub: TestHub): Promise<VisitorClient> {
  const v = await VisitorClient.connect(hub.url)
  t.teardown(() => v.close())
  await v.ready()
  return v
}

async function upload (hub: TestHub, token: string): Promise<{ attachment: any, link: string }> {
  const r = await fetch(`${hub.url}/channels/webchat/uploads`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'receipt.png', 'x-file-type': 'image/png' }, body: new Uint8Array([0x89, 0x50, 0x4e, 0x47])
  })
  return await r.json() as { attachment: any, link: string }
}

t.test('a visitor attaches only files they uploaded: another visitor\'s file key gets no fresh link', async t => {
  const hub = await hubWith(t)
  const owner = await visitor(t, hub)
  const thief = await visitor(t, hub)
  const { attachment } = await upload(hub, owner.token)
  const before = thief.frames.length
  thief.send({ type: 'message', clientId: 'steal-0001', text: '', attachments: [{ ...attachment, url: attachment.url.split('?')[0] }] })
  t.match(await thief.next(f => f.type === 'error', { from: before }), { code: 'invalid_attachment', clientId: 'steal-0001' })
  t.notOk(thief.frames.slice(before).some(f => JSON.stringify(f).includes('sig=')), 'no signed link came back')
  const ack = await owner.say('', undefined, { attachments: [attachment] })
  t.match(ack.message.attachments[0].url, /\?exp=\d+&sig=/, 'its uploader attaches it')
})

t.test('a receipt moves only the visitor\'s own replies', async t => {
  const hub = await hubWith(t)
  const ann = await visitor(t, hub)
  const bob = await visitor(t, hub)
  await ann.say('hello, I am Ann')
  const [conversation] = (await hub.api('GET', '/conversations')).body.items
  const reply = (await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'hi Ann' })).body
  await ann.next(f => f.type === 'message' && f.message?.text === 'hi Ann')
  bob.send({ type: 'receipt', status: 'read', ids: [reply.id] })
  await new Promise(resolve => setTimeout(resolve, 300))
  t.not((await hub.hub.services.store.getMessage(reply.id))?.status, 'read', 'another visitor cannot mark it read')
  ann.send({ type: 'receipt', status: 'read', ids: [reply.id] })
  await new Promise(resolve => setTimeout(resolve, 300))
  t.equal((await hub.hub.services.store.getMessage(reply.id))?.status, 'read', 'its own visitor can')
})

t.test('every frame kind is rate-limited: a sync flood is refused, and /healthz answers meanwhile', async t => {
  // The hub in its own process, as in production: the flood and the health check come from outside.
  const { file } = writeConfig({ channels: [{ id: 'webchat', plugin: 'webchat', limits: { eventsPerMinute: 60 } }] })
  const hub = await launch(t, 'start', file)
  const flooders = await Promise.all(Array.from({ length: 20 }, async () => {
    const v = await VisitorClient.connect(hub.url)
    t.teardown(() => v.close())
    await v.ready()
    return v
  }))
  const from = flooders.map(v => v.frames.length)
  for (let i = 0; i < 500; i++) for (const v of flooders) v.send({ type: 'sync' })
  // Answered at all while 10,000 frames queue up: how fast is the load benchmarks' business, not a test's.
  t.equal((await fetch(`${hub.url}/healthz`)).status, 200, '/healthz answers during the flood')
  await flooders[0]!.next(f => f.type === 'error' && f.code === 'rate_limited', { from: from[0] })
  await new Promise(resolve => setTimeout(resolve, 1000))
  const histories = flooders.reduce((n, v, i) => n + v.frames.slice(from[i]).filter(f => f.type === 'history').length, 0)
  t.ok(histories <= 20 * 25, `history answers were limited: ${histories} for 10,000 sync frames`)
  await stop(hub)
})
