import t from 'tap'
import { FakeGraph } from './fakes/graph.js'
import { FakeLibreTranslate } from './fakes/libretranslate.js'
import { CallbackReceiver } from './helpers/callback.js'
import { API_SECRET, inboundBody, startTestHub } from './helpers/hub.js'
import { messengerChannel, messengerCustomerWrote } from './helpers/messenger.js'
import { until } from './queue.contract.js'

const graph = new FakeGraph()
const callback = new CallbackReceiver()
const translator = new FakeLibreTranslate()
await graph.listen()
await callback.listen()
await translator.listen()
t.teardown(async () => { await graph.close(); await callback.close(); await translator.close() })

const channels = [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }, messengerChannel(graph)]

t.test('translation round-trips: the customer\'s Chinese shown in English, the agent\'s English sent in Chinese', async t => {
  const h = await startTestHub(t, { channels, config: { translation: { url: translator.url, apiKey: translator.apiKey } } })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  const fb = await messengerCustomerWrote(h, 'psid-zhou', '你好')
  t.same((await ana.api('GET', `/conversations/${fb}/translation`)).body, { available: true, translation: null })
  t.match(await ana.api('PUT', `/conversations/${fb}/translation`, { agentLanguage: 'en' }), { status: 200, body: { translation: { agentLanguage: 'en', customerLanguage: 'zh' } } }, 'detected from what the customer wrote before it was on')

  await messengerCustomerWrote(h, 'psid-zhou', '我的包裹在哪里？')
  let inbound: { text: string, extras: Record<string, any> | null } | undefined
  await until(async () => {
    inbound = (await h.hub.services.store.listMessages(fb, { limit: 20 })).items.find(m => m.text === '我的包裹在哪里？')
    return inbound?.extras?.translation !== undefined
  }, 10_000, 'the translation')
  t.same(inbound!.extras!.translation, { text: 'Where is my parcel?', from: 'zh', to: 'en' }, 'the original stays; the translation is beside it')
  t.match((await ana.api('GET', `/conversations/${fb}/translation`)).body, { translation: { customerLanguage: 'zh' } }, 'the customer\'s language learnt from their message')

  const sends = graph.sends.length
  const sent = await ana.api('POST', `/conversations/${fb}/messages`, { text: 'Your parcel arrives tomorrow.' })
  t.equal(sent.status, 202)
  t.match(sent.body, { text: '您的包裹明天到。', extras: { original: { text: 'Your parcel arrives tomorrow.', language: 'en' } } })
  await until(() => graph.sends.length === sends + 1, 10_000, 'sent to Messenger')
  t.match(graph.sends.at(-1)!.body, { message: { text: '您的包裹明天到。' } }, 'the customer gets Chinese')

  t.match(await ana.api('POST', `/conversations/${fb}/messages`, { text: 'not my problem' }), { status: 422, body: { code: 'attitude_warning' } }, 'the guards read what the agent wrote')

  t.match(await ana.api('DELETE', `/conversations/${fb}/translation`), { status: 200, body: { translation: null } })
  t.match(await ana.api('PUT', `/conversations/${fb}/translation`, { agentLanguage: 'en' }), { body: { translation: { customerLanguage: 'zh' } } }, 'on again: the customer\'s language is known, not "?"')
  await ana.api('DELETE', `/conversations/${fb}/translation`)
  const plain = await ana.api('POST', `/conversations/${fb}/messages`, { text: 'Thanks!' })
  t.match(plain.body, { text: 'Thanks!' }, 'off: sent as written')
  t.notOk(plain.body.extras?.original, 'nothing translated')
})

t.test('on the api channel: an explicit customer language, and a translation service that fails', async t => {
  const h = await startTestHub(t, { channels, config: { translation: { url: translator.url, apiKey: translator.apiKey } } })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  const { conversationId } = await (await h.inbound(inboundBody({ from: { id: 'kim-1', name: 'Kim' }, text: 'Can I return it?' }))).json() as { conversationId: string }
  await ana.api('PUT', `/conversations/${conversationId}/translation`, { agentLanguage: 'zh', customerLanguage: 'en' })
  const from = callback.received.length
  const sent = await ana.api('POST', `/conversations/${conversationId}/messages`, { text: '可以，7天内。' })
  t.match(sent.body, { text: 'Yes, within 7 days.', extras: { original: { text: '可以，7天内。', language: 'zh' } } })
  await until(() => callback.received.length > from, 10_000, 'the callback')
  t.match(callback.received.at(-1)!.body, { text: 'Yes, within 7 days.' })

  const { conversationId: silent } = await (await h.inbound(inboundBody({ from: { id: 'lee-1' }, text: '', attachments: [{ kind: 'image', url: 'https://cdn.example/photo.png' }] }))).json() as { conversationId: string }
  t.match(await ana.api('PUT', `/conversations/${silent}/translation`, { agentLanguage: 'zh' }), { body: { translation: { customerLanguage: null } } }, 'a customer who sent only a photo: nothing to detect from')
  t.match(await ana.api('POST', `/conversations/${silent}/messages`, { text: '你好' }), { status: 409, body: { code: 'customer_language_unknown' } })

  translator.failures = [500]
  t.match(await ana.api('POST', `/conversations/${conversationId}/messages`, { text: '好的' }), { status: 503, body: { code: 'translation_unavailable', message: /answered 500/ } }, 'a reply is not sent untranslated')
  translator.failures = [500]
  await h.inbound(inboundBody({ from: { id: 'kim-1', name: 'Kim' }, text: 'still there?' }))
  await until(async () => (await h.hub.services.store.listMessages(conversationId, { limit: 20 })).items.some(m => m.text === 'still there?' && m.routed), 10_000, 'delivered')
  const untranslated = (await h.hub.services.store.listMessages(conversationId, { limit: 20 })).items.find(m => m.text === 'still there?')!
  t.equal(untranslated.extras?.translation, undefined, 'a customer message is delivered untranslated rather than lost')
})

t.test('without a translation service, the feature says so', async t => {
  const h = await startTestHub(t, { channels })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  const { conversationId } = await (await h.inbound(inboundBody({ from: { id: 'lee-1', name: 'Lee' }, text: 'hi' }))).json() as { conversationId: string }
  t.same((await ana.api('GET', `/conversations/${conversationId}/translation`)).body, { available: false, translation: null })
  t.match(await ana.api('PUT', `/conversations/${conversationId}/translation`, { agentLanguage: 'en' }), { status: 409, body: { code: 'translation_not_configured', message: /translation\.url/ } })
})

t.test('one message translated on demand, translation off: kept beside it and announced; repeated, it is not translated twice', async t => {
  const h = await startTestHub(t, { channels, config: { translation: { url: translator.url, apiKey: translator.apiKey } } })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  const stream = await ana.stream()
  const { conversationId, messageId } = await (await h.inbound(inboundBody({ from: { id: 'wu-1', name: 'Wu' }, text: '可以退货吗？' }))).json() as { conversationId: string, messageId: string }
  const calls = translator.calls.length
  const translated = await ana.api('POST', `/messages/${messageId}/translation`, { to: 'en' })
  t.match(translated, { status: 200, body: { id: messageId, text: '可以退货吗？', extras: { translation: { text: 'Can I return it?', from: 'zh', to: 'en' } } } })
  t.match(await stream.next(e => e.type === 'message.updated' && e.message?.id === messageId), { conversationId })
  await ana.api('POST', `/messages/${messageId}/translation`, { to: 'en' })
  t.equal(translator.calls.length, calls + 1, 'asked of the service once')
  t.equal((await ana.api('GET', `/conversations/${conversationId}/translation`)).body.translation, null, 'the conversation\'s translation stays off')
  t.match(await ana.api('POST', `/messages/${messageId}/translation`, { to: 'english' }), { status: 400, body: { code: 'invalid_request' } })
  t.match(await (await h.addAgent({ name: 'Out', teams: ['elsewhere'] })).api('POST', `/messages/${messageId}/translation`, { to: 'en' }), { status: 200 }, 'every-agent conversations are everyone\'s')
  t.match(await ana.api('POST', '/messages/nope/translation', { to: 'en' }), { status: 404 })
})
