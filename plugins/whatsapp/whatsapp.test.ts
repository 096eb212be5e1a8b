import t, { type Test } from 'tap'
import { runChannelKit } from '../../core/channels/testkit/index.js'
import type { Message } from '../../core/model/index.js'
import { FakeCloud } from '../../test/fakes/whatsapp.js'
import { startTestHub, type TestHub } from '../../test/helpers/hub.js'
import { until } from '../../test/queue.contract.js'
import whatsapp from './index.js'

const SECRET = 'wa-app-secret-123'
const TOKEN = 'system-user-token'
const WABA = '102290129340398'
const PHONE = '106540352242922'
const SECOND = '106540352242999'
const HOUR = 3_600_000
const cloud = await FakeCloud.start(t, [TOKEN])
cloud.templates = [
  { name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.', example: { body_text: [['Ann', '#1042']] } }] },
  { name: 'order_update', language: 'fr', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Bonjour {{1}}, votre commande {{2}} est partie.' }] },
  { name: 'spring_sale', language: 'en_US', status: 'APPROVED', category: 'MARKETING', components: [{ type: 'HEADER', format: 'TEXT', text: 'Sale' }, { type: 'BODY', text: 'Our spring sale starts today.' }] },
  { name: 'draft_promo', language: 'en_US', status: 'PENDING', category: 'MARKETING', components: [{ type: 'BODY', text: 'Not yet' }] },
  { name: 'old_notice', language: 'en_US', status: 'REJECTED', category: 'UTILITY', components: [{ type: 'BODY', text: 'No' }] }
]
cloud.media.set('1013859600285441', { data: Buffer.from('89504e470d0a1a0a', 'hex'), mimeType: 'image/jpeg' })
cloud.media.set('7421', { data: Buffer.from('%PDF-1.4 invoice'), mimeType: 'application/pdf' })

const channel = (id: string, phoneNumberId: string, over: Record<string, unknown> = {}) => ({
  id, plugin: 'whatsapp', phoneNumberId, wabaId: WABA, accessToken: TOKEN, appSecret: SECRET, verifyToken: 'verify-me', graphBaseUrl: cloud.url, ...over
})
/** A `messages` change as Meta's webhook reference shows it, for one business number. */
const change = (value: Record<string, unknown>, phoneNumberId = PHONE) => ({
  field: 'messages',
  value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value }
})
const webhook = (changes: unknown[]) => ({ object: 'whatsapp_business_account', entry: [{ id: WABA, changes }] })
const seconds = (ms: number): string => String(Math.floor(ms / 1000))
const contact = (waId: string, name: string) => ({ contacts: [{ profile: { name }, wa_id: waId }] })

type Hub = TestHub & { deliver: (body: unknown) => Promise<Response>, messages: (channelId?: string) => Promise<Message[]>, conversationOf: (waId: string) => Promise<string> }
async function hub (t: Test, over: Record<string, unknown> = {}): Promise<Hub> {
  cloud.calls.length = 0
  const h = await startTestHub(t, { channels: [channel('wa', PHONE, over), channel('wa-2', SECOND)], config: { send: { attempts: 3, backoffMs: 20 } } })
  const { store } = h.hub.services
  return {
    ...h,
    deliver: async body => await FakeCloud.deliver(`${h.url}/channels/wa/webhook`, SECRET, body),
    messages: async (channelId = 'wa') => {
      const out: Message[] = []
      for (const c of (await store.listConversations({ channelId }, { limit: 100 })).items) out.push(...(await store.listMessages(c.id, { limit: 100 })).items)
      return out
    },
    conversationOf: async waId => {
      for (const c of (await store.listConversations({}, { limit: 100 })).items) {
        if ((await store.getContact(c.contactId))?.identities.some(i => i.externalId === waId) === true) return c.id
      }
      throw new Error(`no conversation of ${waId}`)
    }
  }
}

await runChannelKit(t, {
  definition: whatsapp,
  config: (({ id: _id, plugin: _plugin, ...settings }) => settings)(channel('kit', '555')),
  async deliverInbound (_instance, baseUrl) {
    const response = await FakeCloud.deliver(`${baseUrl}/webhook`, SECRET, webhook([change({ ...contact('15550001111', 'Kit'), messages: [{ from: '15550001111', id: 'wamid.kit', timestamp: seconds(Date.now()), type: 'text', text: { body: 'hi' } }] }, '555')]))
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`)
  },
  failNextSend () { cloud.errors = [{ status: 400, code: 131026, message: 'Message undeliverable' }] }
})

t.test('webhook: verification, signatures, and only WhatsApp webhooks', async t => {
  const h = await hub(t)
  const ok = await fetch(`${h.url}/channels/wa/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444`)
  t.same([ok.status, await ok.text()], [200, '1158201444'])
  t.equal((await fetch(`${h.url}/channels/wa/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status, 403)
  const forged = await FakeCloud.deliver(`${h.url}/channels/wa/webhook`, 'another-secret', webhook([]))
  t.match({ status: forged.status, body: await forged.json() }, { status: 401, body: { code: 'invalid_signature' } })
  t.match(await (await h.deliver({ object: 'page', entry: [] })).json(), { code: 'invalid_request', field: 'object' })
})

t.test("every message type of Meta's webhook reference, two numbers, batched, delivered twice: stored once, media in the file store", async t => {
  const h = await hub(t)
  const at = Date.now() - HOUR
  const wa = '16505551234'
  const batch = webhook([
    change({ ...contact(wa, 'Sheena Nelson'), messages: [
      { from: wa, id: 'wamid.text', timestamp: seconds(at), type: 'text', text: { body: 'Does it come in another color?' } },
      { from: wa, id: 'wamid.image', timestamp: seconds(at + 1000), type: 'image', image: { caption: 'This one', mime_type: 'image/jpeg', sha256: 'x', id: '1013859600285441' } },
      { from: wa, id: 'wamid.doc', timestamp: seconds(at + 2000), type: 'document', document: { filename: 'invoice.pdf', mime_type: 'application/pdf', sha256: 'y', id: '7421' } },
      { from: wa, id: 'wamid.voice', timestamp: seconds(at + 3000), type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'z', id: 'gone-media', voice: true } },
      { from: wa, id: 'wamid.loc', timestamp: seconds(at + 4000), type: 'location', location: { latitude: 37.483307, longitude: 122.148981, name: 'Philz Coffee', address: '101 Forest Ave, Palo Alto, CA 94301' } },
      { from: wa, id: 'wamid.card', timestamp: seconds(at + 5000), type: 'contacts', contacts: [{ name: { formatted_name: 'Barbara J. Johnson' }, phones: [{ phone: '+1 (940) 555-1234', wa_id: '19405551234', type: 'MOBILE' }] }] },
      { from: wa, id: 'wamid.button', timestamp: seconds(at + 6000), type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'rating:5', title: 'Excellent' } } },
      { from: wa, id: 'wamid.list', timestamp: seconds(at + 7000), type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'faq:shipping', title: 'Shipping times', description: 'How long delivery takes' } } },
      { from: wa, id: 'wamid.quick', timestamp: seconds(at + 8000), type: 'button', button: { text: 'Track it', payload: 'TRACK_1042' }, context: { from: '15550783881', id: 'wamid.ours-template' } },
      { from: wa, id: 'wamid.quote', timestamp: seconds(at + 9000), type: 'text', text: { body: 'And in blue?' }, context: { from: wa, id: 'wamid.text' } },
      { from: wa, id: 'wamid.ad', timestamp: seconds(at + 10_000), type: 'text', text: { body: 'Is this still available?' }, referral: { source_url: 'https://fb.me/2ZulEu42P', source_id: '2048', source_type: 'ad', headline: 'Spring collection', body: 'New colors', media_type: 'image', ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ' } },
      { from: wa, id: 'wamid.unsupported', timestamp: seconds(at + 11_000), type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }] },
      { from: wa, id: 'wamid.react', timestamp: seconds(at + 12_000), type: 'reaction', reaction: { message_id: 'wamid.text', emoji: '\uD83D\uDE00' } },
      { from: wa, id: 'wamid.sticker', timestamp: seconds(at + 13_000), type: 'sticker', sticker: { mime_type: 'image/webp', sha256: 's', id: '1013859600285441', animated: false } }
    ] }),
    change({ ...contact('447700900123', 'Priya'), messages: [{ from: '447700900123', id: 'wamid.second', timestamp: seconds(at), type: 'text', text: { body: 'Hello other shop' } }] }, SECOND),
    { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1, message_template_name: 'order_update', message_template_language: 'en_US' } }
  ])
  for (let i = 0; i < 2; i++) t.equal((await h.deliver(batch)).status, 200)
  const byId = new Map((await h.messages()).map(m => [m.externalId, m]))
  const all = (await h.messages()).map(m => m.externalId)
  t.equal(new Set(all).size, all.length, 'each message stored once')
  t.equal(byId.size, 13, 'the reaction is not a message')

  t.match(byId.get('wamid.text'), { text: 'Does it come in another color?', extras: { reaction: { emoji: '\uD83D\uDE00' } } })
  const image = byId.get('wamid.image')!
  t.match(image, { text: 'This one', attachments: [{ kind: 'image', mimeType: 'image/jpeg', size: 8 }] })
  t.match(image.attachments[0]!.url, /^\/files\//, 'downloaded into the hub\'s file store')
  t.match(byId.get('wamid.doc')?.attachments, [{ kind: 'file', name: 'invoice.pdf', mimeType: 'application/pdf' }])
  t.match(byId.get('wamid.voice')?.cards, [{ kind: 'media_unavailable' }], 'media that cannot be fetched does not lose the message')
  t.match(byId.get('wamid.loc')?.cards, [{ kind: 'location', title: 'Philz Coffee', fields: { latitude: '37.483307', address: /Palo Alto/ } }])
  t.match(byId.get('wamid.card')?.cards, [{ kind: 'contact', title: 'Barbara J. Johnson', fields: { phone1: '+1 (940) 555-1234' } }])
  t.match(byId.get('wamid.button'), { text: 'Excellent', extras: { payload: 'rating:5' } })
  t.match(byId.get('wamid.list'), { text: 'Shipping times', extras: { payload: 'faq:shipping' } })
  t.match(byId.get('wamid.quick'), { text: 'Track it', extras: { payload: 'TRACK_1042', quote: { externalId: 'wamid.ours-template', messageId: null } } })
  t.match(byId.get('wamid.quote')?.extras?.quote, { messageId: byId.get('wamid.text')!.id, text: 'Does it come in another color?' })
  t.match(byId.get('wamid.ad')?.cards, [{ kind: 'referral', title: 'Spring collection', url: 'https://fb.me/2ZulEu42P', fields: { ctwaClid: 'ARAkLkA8rmlFeiCktEJQ' } }])
  t.match(byId.get('wamid.unsupported')?.cards, [{ kind: 'unsupported', fields: { type: 'unsupported', reason: 'Message type unknown' } }])
  t.match(byId.get('wamid.sticker')?.attachments, [{ kind: 'image' }])
  const sheena = (await h.api('GET', `/conversations/${await h.conversationOf(wa)}`)).body.contact
  t.match(sheena, { name: 'Sheena Nelson' })
  t.match((await h.hub.services.store.getContact((await h.hub.services.store.getConversation(await h.conversationOf(wa)))!.contactId))!, { phone: '+16505551234' })
  t.same((await h.messages('wa-2')).map(m => m.text), ['Hello other shop'], 'the second number\'s message went to its own channel, from the first one\'s URL')
  t.equal(cloud.calls.filter(c => c.path === '/v24.0/1013859600285441').length, 2, 'media fetched once per message, not again on the redelivery')
})

t.test('statuses: delivered and read move the message; a failure carries Meta\'s code in the hub\'s words; a rate limit is sent again', async t => {
  const h = await hub(t)
  const wa = '16505550001'
  await h.deliver(webhook([change({ ...contact(wa, 'Omar'), messages: [{ from: wa, id: 'wamid.in1', timestamp: seconds(Date.now()), type: 'text', text: { body: 'hi' } }] })]))
  const id = await h.conversationOf(wa)
  const sent = await h.api('POST', `/conversations/${id}/messages`, { text: 'Hello Omar, see https://shop.example/track' })
  await until(async () => (await h.hub.services.store.getMessage(sent.body.id))?.status === 'sent')
  t.match(cloud.sends.at(-1), { path: `/v24.0/${PHONE}/messages`, token: TOKEN, body: { messaging_product: 'whatsapp', to: wa, type: 'text', text: { body: 'Hello Omar, see https://shop.example/track', preview_url: true } } })
  const wamid = (await h.hub.services.store.getMessage(sent.body.id))!.externalId!
  const status = (s: string, extra: Record<string, unknown> = {}) => change({ statuses: [{ id: wamid, status: s, timestamp: seconds(Date.now()), recipient_id: wa, ...extra }] })
  await h.deliver(webhook([status('delivered')]))
  t.equal((await h.hub.services.store.getMessage(sent.body.id))?.status, 'delivered')
  await h.deliver(webhook([status('read')]))
  t.equal((await h.hub.services.store.getMessage(sent.body.id))?.status, 'read')

  const other = await h.api('POST', `/conversations/${id}/messages`, { text: 'one more' })
  await until(async () => (await h.hub.services.store.getMessage(other.body.id))?.status === 'sent')
  const otherWamid = (await h.hub.services.store.getMessage(other.body.id))!.externalId!
  await h.deliver(webhook([change({ statuses: [{ id: otherWamid, status: 'failed', timestamp: seconds(Date.now()), recipient_id: wa, errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'Recipient is not a valid WhatsApp user' } }] }] })]))
  t.match(await h.hub.services.store.getMessage(other.body.id), { status: 'failed', errorCode: 'undeliverable', errorMessage: /not be on WhatsApp.*Recipient is not a valid WhatsApp user \(code 131026\)/ })

  const busy = await h.api('POST', `/conversations/${id}/messages`, { text: 'during a burst' })
  await until(async () => (await h.hub.services.store.getMessage(busy.body.id))?.status === 'sent')
  const before = cloud.sends.length
  const busyWamid = (await h.hub.services.store.getMessage(busy.body.id))!.externalId!
  await h.deliver(webhook([change({ statuses: [{ id: busyWamid, status: 'failed', timestamp: seconds(Date.now()), recipient_id: wa, errors: [{ code: 130429, title: 'Rate limit hit' }] }] })]))
  await until(async () => cloud.sends.length === before + 1 && (await h.hub.services.store.getMessage(busy.body.id))?.status === 'sent', 10_000, 'sent again')
  t.equal((await h.hub.services.store.getMessage(busy.body.id))?.extras?.resends, 1)

  cloud.errors = [{ status: 400, code: 132015, message: 'Template is paused' }]
  const paused = await h.api('POST', `/conversations/${id}/messages`, { text: 'x' })
  await until(async () => (await h.hub.services.store.getMessage(paused.body.id))?.status === 'failed')
  t.match(await h.hub.services.store.getMessage(paused.body.id), { errorCode: 'template_paused', errorMessage: /paused this template/ })
})

t.test('a customer conversation through the window: free text inside it, a template outside it, the answer reopening it', async t => {
  let now = Date.now()
  const h = await startTestHub(t, { clock: () => new Date(now), channels: [channel('wa', PHONE)], config: { send: { attempts: 2, backoffMs: 20 } } })
  const deliver = async (body: unknown): Promise<void> => { t.equal((await FakeCloud.deliver(`${h.url}/channels/wa/webhook`, SECRET, body)).status, 200) }
  const wa = '16505557777'
  await deliver(webhook([change({ ...contact(wa, 'Ann Lee'), messages: [{ from: wa, id: 'wamid.ann1', timestamp: seconds(now), type: 'text', text: { body: 'Where is order 1042?' } }] })]))
  let id = ''
  await until(async () => {
    id = (await h.hub.services.store.listConversations({ channelId: 'wa' }, { limit: 1 })).items[0]?.id ?? ''
    return id !== ''
  })
  t.match((await h.api('GET', `/conversations/${id}/reply-policy`)).body, { verdict: 'allow' })
  const inside = await h.api('POST', `/conversations/${id}/messages`, { text: 'It left today.' })
  t.equal(inside.status, 202)

  now += 25 * HOUR
  const policy = (await h.api('GET', `/conversations/${id}/reply-policy`)).body
  t.match(policy, { verdict: 'deny', code: 'template_required', message: /25 hours ago.*only an approved template/ })
  t.same(policy.templates.map((x: { name: string, language: string, category: string }) => `${x.name}/${x.language}/${x.category}`), ['order_update/en_US/UTILITY', 'order_update/fr/UTILITY', 'spring_sale/en_US/MARKETING'], 'approved ones only, with the category that decides the cost')
  t.same(policy.templates[0].parameters, ['{{1}} e.g. Ann', '{{2}} e.g. #1042'])
  t.match(await h.api('POST', `/conversations/${id}/messages`, { text: 'Any news?' }), { status: 422, body: { code: 'template_required' } }, 'a plain reply is refused')
  t.match(await h.api('POST', `/conversations/${id}/messages`, { text: '', template: { name: 'order_update', language: 'en_US', parameters: ['Ann'] } }), { status: 422, body: { code: 'template_parameter_missing', message: /parameter \{\{2\}\}/, field: 'template' } })
  t.match(await h.api('POST', `/conversations/${id}/messages`, { text: '', template: { name: 'order_update', language: 'de', parameters: ['Ann', '#1042'] } }), { status: 422, body: { code: 'template_unknown', message: /en_US, fr/ } })
  t.match(await h.api('POST', `/conversations/${id}/messages`, { text: '', template: { name: 'draft_promo', language: 'en_US', parameters: [] } }), { status: 422, body: { code: 'template_unknown' } }, 'a pending template is not offered or sent')
  const listed = await h.api('GET', `/conversations/${id}/templates?refresh=true`)
  t.equal(listed.body.items.length, 3)

  const sent = await h.api('POST', `/conversations/${id}/messages`, { text: '', template: { name: 'order_update', language: 'en_US', parameters: ['Ann', '#1042'] } })
  t.equal(sent.status, 202)
  t.match(sent.body, { text: 'Hi Ann, your order #1042 has shipped.', extras: { template: { name: 'order_update', language: 'en_US', parameters: ['Ann', '#1042'] } } }, 'stored as the customer reads it')
  await until(async () => (await h.hub.services.store.getMessage(sent.body.id))?.status === 'sent')
  t.match(cloud.sends.at(-1)?.body, { to: wa, type: 'template', template: { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }, { type: 'text', text: '#1042' }] }] } })

  await deliver(webhook([change({ ...contact(wa, 'Ann Lee'), messages: [{ from: wa, id: 'wamid.ann2', timestamp: seconds(now), type: 'text', text: { body: 'Thanks!' } }] })]))
  await until(async () => (await h.hub.services.store.getConversation(id))?.lastInboundAt?.getTime() === Math.floor(now / 1000) * 1000)
  t.match((await h.api('GET', `/conversations/${id}/reply-policy`)).body, { verdict: 'allow' }, 'the answer reopened the window')
  t.equal((await h.api('POST', `/conversations/${id}/messages`, { text: 'You are welcome.' })).status, 202)
})

t.test('outbound kinds: media by link or upload, buttons and lists, product cards, quotes, read marks and typing', async t => {
  const h = await hub(t)
  const wa = '16505552222'
  await h.deliver(webhook([change({ ...contact(wa, 'Bea'), messages: [{ from: wa, id: 'wamid.bea', timestamp: seconds(Date.now()), type: 'text', text: { body: 'Photo of the label?' } }] })]))
  const id = await h.conversationOf(wa)
  const [asked] = await h.messages()
  const send = async (body: Record<string, unknown>): Promise<Array<Record<string, any>>> => {
    const before = cloud.sends.length
    const r = await h.api('POST', `/conversations/${id}/messages`, body)
    t.equal(r.status, 202, JSON.stringify(r.body))
    await until(async () => (await h.hub.services.store.getMessage(r.body.id))?.status === 'sent')
    return cloud.sends.slice(before).map(c => c.body)
  }
  t.match(await send({ text: 'Here it is', attachments: [{ kind: 'image', url: 'https://cdn.example/label.jpg' }], replyTo: asked!.id }), [{ type: 'image', image: { link: 'https://cdn.example/label.jpg', caption: 'Here it is' }, context: { message_id: 'wamid.bea' } }], 'one image, captioned, quoting the customer')
  const upload = await fetch(`${h.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'invoice.pdf', 'x-file-type': 'application/pdf' }, body: Buffer.from('%PDF-1.4') })
  const { attachment } = await upload.json() as { attachment: Record<string, unknown> }
  t.match(await send({ text: 'and the invoice', attachments: [attachment] }), [{ type: 'document', document: { id: /^media_/, caption: 'and the invoice', filename: 'invoice.pdf' } }], 'a hub file is uploaded to WhatsApp first')
  t.match(await send({ text: 'Which colour?', cards: [{ kind: 'product', title: 'Linen shirt', imageUrl: 'https://cdn.example/shirt.jpg', url: 'https://shop.example/shirt', fields: { price: '€49' } }] }), [
    { type: 'interactive', interactive: { type: 'cta_url', header: { type: 'image', image: { link: 'https://cdn.example/shirt.jpg' } }, body: { text: 'Linen shirt\n€49' }, action: { name: 'cta_url', parameters: { display_text: 'Open', url: 'https://shop.example/shirt' } } } },
    { type: 'text', text: { body: 'Which colour?', preview_url: false } }
  ], 'a product card as an interactive message with its link')

  // The hub's own messages with choices: buttons up to three, a list above.
  const conversation = (await h.hub.services.store.getConversation(id))!
  const { sendAutomated } = await import('../../core/pipeline/automated.js')
  const before = cloud.sends.length
  await sendAutomated(h.hub.services, conversation, { kind: 'rating_invitation', text: 'How did we do?', choices: [1, 2, 3].map(n => ({ label: `${n} ★`, payload: `rating:${n}` })) })
  await sendAutomated(h.hub.services, conversation, { kind: 'faq', text: 'Related questions', choices: [1, 2, 3, 4].map(n => ({ label: `Question ${n}`, payload: `faq:${n}` })) })
  await until(async () => cloud.sends.length === before + 2)
  t.match(cloud.sends[before]?.body.interactive, { type: 'button', body: { text: 'How did we do?' }, action: { buttons: [{ type: 'reply', reply: { id: 'rating:1', title: '1 ★' } }, {}, {}] } })
  t.match(cloud.sends[before + 1]?.body.interactive, { type: 'list', action: { sections: [{ rows: [{ id: 'faq:1' }, {}, {}, {}] }] } })

  const instance = h.hub.services.channels.get('wa')!.instance
  await instance.read!(conversation, new Date())
  t.match(cloud.reads.at(-1)?.body, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.bea' })
  t.equal(cloud.reads.at(-1)?.body.typing_indicator, undefined)
  await instance.typing!(conversation, (await h.hub.services.store.getContact(conversation.contactId))!, true)
  t.match(cloud.reads.at(-1)?.body, { status: 'read', message_id: 'wamid.bea', typing_indicator: { type: 'text' } })
})

t.test('templates that cannot be read are said to be unread, not missing; the channel shows the refused token', async t => {
  let now = Date.now()
  const h = await startTestHub(t, { clock: () => new Date(now), channels: [channel('wa', PHONE, { accessToken: 'revoked-token' })] })
  const wa = '16505558888'
  await FakeCloud.deliver(`${h.url}/channels/wa/webhook`, SECRET, webhook([change({ ...contact(wa, 'Cy'), messages: [{ from: wa, id: 'wamid.cy', timestamp: seconds(now), type: 'text', text: { body: 'hello' } }] })]))
  let id = ''
  await until(async () => { id = (await h.hub.services.store.listConversations({ channelId: 'wa' }, { limit: 1 })).items[0]?.id ?? ''; return id !== '' })
  now += 30 * HOUR
  t.match(await h.api('GET', `/conversations/${id}/templates?refresh=true`), { status: 502, body: { code: 'channel_auth_failed' } })
  t.match((await h.api('GET', `/conversations/${id}/reply-policy`)).body, { code: 'template_required', message: /could not be read from WhatsApp \(channel_auth_failed\)/, templates: [] })
  t.match(await (await fetch(`${h.url}/readyz`)).json(), { checks: { channels: { wa: 'unhealthy: channel_auth_failed' } } }, 'the refused token shows in /readyz')
})

t.test('the customer\'s number tells their country, kept on the contact unless an agent set another', async t => {
  const h = await hub(t)
  const wa = '8613800138000'
  t.equal((await h.deliver(webhook([change({ ...contact(wa, 'Wang Fang'), messages: [{ from: wa, id: 'wamid.cn1', timestamp: seconds(Date.now()), type: 'text', text: { body: '你好' } }] })]))).status, 200)
  let id = ''
  await until(async () => { id = await h.conversationOf(wa).catch(() => ''); return id !== '' })
  const { contactId } = (await h.hub.services.store.getConversation(id))!
  await until(async () => (await h.hub.services.store.getContact(contactId))?.country === 'CN')
  t.match(await h.hub.services.store.getContact(contactId), { country: 'CN', phone: `+${wa}` })
})
