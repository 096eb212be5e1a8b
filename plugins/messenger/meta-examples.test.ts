import t, { type Test } from 'tap'
import type { Message } from '../../core/model/index.js'
import { runChannelKit } from '../../core/channels/testkit/index.js'
import { FakeGraph } from '../../test/fakes/graph.js'
import { startTestHub, type TestHub } from '../../test/helpers/hub.js'
import { until } from '../../test/queue.contract.js'
import instagram from '../instagram/index.js'

/**
 * Meta's documented example payloads (Messenger Platform webhook reference and the Instagram
 * Messaging webhooks), with their placeholders filled in: every event kind, for both
 * platforms, in one signed batch delivered twice. Each message is stored once; each event does
 * what the README's table says; nothing is answered with anything but 200.
 */

const SECRET = 'app-secret-123456'
const TOKEN = 'page-token'
const PAGE = '111'
const IG = '17841400000000001'
const OUR_APP = '999000'
const PAGE_INBOX = '263902037430900'
const HOUR = 3_600_000
const graph = await FakeGraph.start(t, [TOKEN])
graph.instagramAccounts.add(IG)

const common = { pageAccessToken: TOKEN, appSecret: SECRET, verifyToken: 'v', graphBaseUrl: graph.url, humanAgent: true, maxSendsPerSecond: 1000 }

type Hub = TestHub & { deliver: (body: unknown, channelId?: string) => Promise<Response>, messages: (channelId: string) => Promise<Message[]>, conversationOf: (channelId: string, person: string) => Promise<string> }
async function hub (t: Test): Promise<Hub> {
  graph.calls.length = 0
  const h = await startTestHub(t, {
    channels: [
      { id: 'fb', plugin: 'messenger', pageId: PAGE, handover: { appId: OUR_APP }, ...common },
      { id: 'ig', plugin: 'instagram', accountId: IG, ...common }
    ],
    config: { send: { attempts: 1, backoffMs: 10 } }
  })
  const { store } = h.hub.services
  return {
    ...h,
    deliver: async (body, channelId = 'fb') => await FakeGraph.deliver(`${h.url}/channels/${channelId}/webhook`, SECRET, body),
    messages: async channelId => {
      const out: Message[] = []
      for (const c of (await store.listConversations({ channelId }, { limit: 100 })).items) out.push(...(await store.listMessages(c.id, { limit: 100 })).items)
      return out
    },
    conversationOf: async (channelId, person) => {
      for (const c of (await store.listConversations({ channelId }, { limit: 100 })).items) {
        if ((await store.getContact(c.contactId))?.identities.some(i => i.externalId === person) === true) return c.id
      }
      throw new Error(`no conversation of ${person}`)
    }
  }
}

const now = Date.now()
const ago = (h: number): number => now - h * HOUR
const from = (psid: string, at: number | string, recipient = PAGE) => ({ sender: { id: psid }, recipient: { id: recipient }, timestamp: at })

/** The Messenger events of the webhook reference, one or more per kind. */
const messengerEvents = [
  { ...from('ann', ago(5)), message: { mid: 'm_text', text: 'Do you ship to Lyon?' } },
  { ...from('ann', ago(5) + 1), message: { mid: 'm_media', attachments: ['image', 'video', 'audio', 'file'].map(type => ({ type, payload: { url: `https://cdn.example/${type}` } })) } },
  { ...from('ann', ago(5) + 2), message: { mid: 'm_reel', attachments: [{ type: 'reel', payload: { url: 'https://cdn.example/reel.mp4', reel_video_id: 1234, title: 'Unboxing' } }] } },
  { ...from('ann', ago(5) + 3), message: { mid: 'm_sticker', sticker_id: 369239263222822, attachments: [{ type: 'image', payload: { url: 'https://cdn.example/like.png', sticker_id: 369239263222822 } }] } },
  { ...from('ann', ago(5) + 4), message: { mid: 'm_product', attachments: [{ type: 'template', payload: { product: { elements: [{ id: '7201', retailer_id: 'MUG-RED', image_url: 'https://cdn.example/mug.jpg', title: 'Red mug', subtitle: '$12.00' }] } } }] } },
  { ...from('ann', ago(5) + 5), message: { mid: 'm_fallback', attachments: [{ type: 'fallback', payload: { url: 'https://blog.example/post', title: 'Our story' } }] } },
  { ...from('ann', ago(4)), message: { mid: 'm_quick', text: 'Red', quick_reply: { payload: 'COLOR_RED' } } },
  { ...from('ann', ago(4) + 1), message: { mid: 'm_quote', text: 'This one, please', reply_to: { mid: 'm_product' } } },
  { ...from('ann', ago(3)), message_edit: { mid: 'm_text', text: 'Do you ship to Lyon and Nice?', num_edit: 1 } },
  { ...from('ann', ago(3) + 1), reaction: { reaction: 'love', emoji: '\u2764\uFE0F', action: 'react', mid: 'm_quick' } },
  { ...from('ann', ago(3) + 2), reaction: { reaction: 'like', emoji: '\uD83D\uDC4D', action: 'react', mid: 'm_media' } },
  { ...from('ann', ago(3) + 3), reaction: { reaction: 'like', action: 'unreact', mid: 'm_media' } },
  { ...from('ann', ago(2)), delivery: { mids: ['m_unknown_out'], watermark: ago(2) } },
  { ...from('ann', ago(2)), read: { watermark: ago(2) } },
  { sender: { id: PAGE }, recipient: { id: 'ann' }, timestamp: ago(1), message: { mid: 'm_echo', is_echo: true, app_id: Number(PAGE_INBOX), text: 'Yes, we ship to all of France.' } },
  // A new customer whose only event is a postback, its timestamp as a string.
  { ...from('bo', String(ago(1))), postback: { mid: 'm_postback', title: 'Get Started', payload: 'GET_STARTED' } },
  { ...from('cy', ago(1)), referral: { ref: 'summer', source: 'SHORTLINK', type: 'OPEN_THREAD' } },
  // A first message after a Click-to-Messenger ad, three days ago.
  { ...from('dee', ago(72)), message: { mid: 'm_ad', text: 'Is the sale still on?', referral: { source: 'ADS', type: 'OPEN_THREAD', ad_id: '6045246247433', ref: 'spring' } } },
  { ...from('eve', ago(72)), message: { mid: 'm_no_ad', text: 'Hello?' } },
  // The checkbox plugin: an opt-in named by user_ref, then the person answers with their PSID.
  { recipient: { id: PAGE }, timestamp: ago(2), optin: { ref: 'order-9', user_ref: 'ref-abc' } },
  { ...from('fay', ago(1)), prior_message: { source: 'checkbox_plugin', identifier: 'ref-abc' }, message: { mid: 'm_after_optin', text: 'Thanks for the receipt' } },
  // The chat plugin's guest: a postback named by user_ref.
  { sender: { user_ref: 'guest-77' }, recipient: { id: PAGE }, timestamp: ago(1), postback: { title: 'Talk to us', payload: 'START' } },
  // Handover protocol: the Page inbox takes Gus's thread; Hal's is passed back to us.
  { ...from('gus', ago(1)), message: { mid: 'm_gus', text: 'Hi' } },
  { ...from('gus', ago(1) + 5), take_thread_control: { previous_owner_app_id: OUR_APP, new_owner_app_id: PAGE_INBOX, metadata: 'taken' } },
  { ...from('hal', ago(1)), message: { mid: 'm_hal', text: 'Hello' } },
  { ...from('hal', ago(1) + 5), pass_thread_control: { previous_owner_app_id: PAGE_INBOX, new_owner_app_id: OUR_APP, metadata: 'yours' } },
  { ...from('hal', ago(1) + 6), request_thread_control: { requested_owner_app_id: PAGE_INBOX, metadata: 'may I?' } },
  { ...from('ann', ago(1)), account_linking: { status: 'linked', authorization_code: 'code' } },
  { ...from('ann', ago(1)), game_play: { game_id: '1', player_id: '2', context_type: 'SOLO', score: 99 } },
  { ...from('ann', ago(1)), response_feedback: { feedback: 'Good response', mid: 'm_echo' } },
  { ...from('ann', ago(1)), messaging_feedback: { feedback_screens: [{ screen_id: 0, questions: {} }] } },
  { ...from('ann', ago(1)), something_meta_adds_later: { x: 1 } }
]
/** Ivy writes while another app (the Page inbox) owns her thread: `standby[]`. */
const standbyEvents = [{ ...from('ivy', ago(1)), message: { mid: 'm_standby', text: 'Anyone there?' } }, { ...from('ivy', ago(1)), read: { watermark: ago(1) } }]

/** The Instagram Messaging webhook's examples. */
const igEvents = [
  { ...from('ig-ann', ago(3), IG), message: { mid: 'ig_text', text: 'Love this colour' } },
  { ...from('ig-ann', ago(3) + 1, IG), message: { mid: 'ig_image', attachments: [{ type: 'image', payload: { url: 'https://lookaside.example/ig.jpg' } }] } },
  { ...from('ig-ann', ago(3) + 2, IG), message: { mid: 'ig_mention', attachments: [{ type: 'story_mention', payload: { url: 'https://lookaside.example/story' } }] } },
  { ...from('ig-ann', ago(3) + 3, IG), message: { mid: 'ig_story_reply', text: 'Where can I buy it?', reply_to: { story: { url: 'https://lookaside.example/story2', id: '178000' } } } },
  { ...from('ig-ann', ago(3) + 4, IG), message: { mid: 'ig_share', attachments: [{ type: 'share', payload: { url: 'https://www.instagram.com/p/XYZ/' } }] } },
  { ...from('ig-ann', ago(3) + 5, IG), message: { mid: 'ig_reel', attachments: [{ type: 'ig_reel', payload: { url: 'https://lookaside.example/reel.mp4', title: 'New in', reel_video_id: '1790' } }] } },
  { ...from('ig-ann', ago(3) + 6, IG), message: { mid: 'ig_unsupported', is_unsupported: true } },
  { ...from('ig-ann', ago(2), IG), message: { mid: 'ig_gone', text: 'oops wrong chat' } },
  { ...from('ig-ann', ago(2) + 1, IG), message: { mid: 'ig_gone', is_deleted: true } },
  { ...from('ig-ann', ago(2) + 2, IG), reaction: { mid: 'ig_text', action: 'react', reaction: 'love', emoji: '\u2764\uFE0F' } },
  { ...from('ig-ann', ago(2) + 3, IG), postback: { mid: 'ig_postback', title: 'Shipping times', payload: 'ICEBREAKER_SHIPPING' } },
  { ...from('ig-ann', ago(2) + 4, IG), referral: { ref: 'bio-link', source: 'SHORTLINK', type: 'OPEN_THREAD' } },
  { ...from('ig-ann', ago(1), IG), read: { mid: 'ig_unknown_out' } },
  { sender: { id: IG }, recipient: { id: 'ig-ann' }, timestamp: ago(1), message: { mid: 'ig_echo', is_echo: true, text: 'Sent from the Instagram app' } }
]

const pageBatch = { object: 'page', entry: [{ id: PAGE, time: now, messaging: messengerEvents }, { id: PAGE, time: now, standby: standbyEvents }] }
const igBatch = { object: 'instagram', entry: [{ id: IG, time: now, messaging: igEvents }] }

t.test('every documented event kind, Messenger and Instagram, in signed batches delivered twice: stored once, each doing what the README says', async t => {
  const h = await hub(t)
  for (let i = 0; i < 2; i++) {
    t.equal((await h.deliver(pageBatch)).status, 200, `page batch, delivery ${i + 1}`)
    // Meta sends both objects to the same app: either channel's URL hands each entry to its account.
    t.equal((await h.deliver(igBatch, i === 0 ? 'ig' : 'fb')).status, 200, `instagram batch, delivery ${i + 1}`)
  }
  const fb = new Map((await h.messages('fb')).map(m => [m.externalId, m]))
  const ig = new Map((await h.messages('ig')).map(m => [m.externalId, m]))
  const ids = [...(await h.messages('fb')), ...(await h.messages('ig'))].map(m => m.externalId)
  t.equal(new Set(ids).size, ids.length, 'nothing stored twice')

  t.match(fb.get('m_text'), { text: 'Do you ship to Lyon and Nice?', extras: { edits: [{ text: 'Do you ship to Lyon?' }], revision: 1 } }, 'message_edit: new text, the earlier kept')
  t.same(fb.get('m_media')?.attachments.map(a => a.kind), ['image', 'video', 'audio', 'file'])
  t.equal(fb.get('m_media')?.extras?.reaction, undefined, 'unreact removes the reaction')
  t.match(fb.get('m_quick'), { extras: { payload: 'COLOR_RED', reaction: { emoji: '\u2764\uFE0F' } } })
  t.match(fb.get('m_reel')?.attachments, [{ kind: 'video', url: 'https://cdn.example/reel.mp4', name: 'Unboxing' }], 'a reel plays as a video')
  t.match(fb.get('m_sticker')?.attachments, [{ kind: 'image', url: 'https://cdn.example/like.png' }])
  t.match(fb.get('m_product')?.cards, [{ kind: 'product', title: 'Red mug', imageUrl: 'https://cdn.example/mug.jpg', fields: { productId: '7201', retailerId: 'MUG-RED', price: '$12.00' } }], 'a product template is a product card')
  t.match(fb.get('m_fallback')?.cards, [{ kind: 'fallback', title: 'Our story', url: 'https://blog.example/post' }])
  t.match(fb.get('m_quote')?.extras?.quote, { messageId: fb.get('m_product')!.id, externalId: 'm_product' }, 'reply_to kept as a quote of the stored message')
  t.match(fb.get('m_echo'), { direction: 'outbound', status: 'sent', text: 'Yes, we ship to all of France.' })
  t.equal([...fb.values()].filter(m => m.cards.some(c => c.kind === 'reaction')).length, 0, 'no reaction became a message')

  const bo = (await h.hub.services.store.getConversation(await h.conversationOf('fb', 'bo')))!
  t.equal(bo.lastInboundAt?.getTime(), ago(1), 'a string timestamp is read')
  t.match((await h.api('GET', `/conversations/${bo.id}/reply-policy`)).body, { verdict: 'allow' }, 'so a customer whose only event is that postback can be answered')
  t.match(fb.get('m_postback')?.cards, [{ kind: 'postback', fields: { payload: 'GET_STARTED' } }])

  t.match((await h.api('GET', `/conversations/${await h.conversationOf('fb', 'dee')}/reply-policy`)).body, { verdict: 'allow' }, 'three days after a first message from an ad: still open')
  t.match((await h.api('GET', `/conversations/${await h.conversationOf('fb', 'eve')}/reply-policy`)).body, { verdict: 'tag_required', tags: ['HUMAN_AGENT'] }, 'without the ad, the standard window closed')

  const fay = await h.conversationOf('fb', 'fay')
  t.equal(fay, await h.conversationOf('fb', 'user_ref:ref-abc'), 'the PSID joined the opt-in\'s user_ref contact')
  t.match((await h.messages('fb')).filter(m => m.conversationId === fay).map(m => m.cards[0]?.kind ?? m.text), ['optin', 'Thanks for the receipt'])
  t.ok(await h.conversationOf('fb', 'user_ref:guest-77'), 'a chat-plugin guest is a contact')

  // Handover: Gus's thread is the Page inbox's now; Hal's came back; Ivy wrote on standby.
  const gus = (await h.api('GET', `/conversations/${await h.conversationOf('fb', 'gus')}/reply-policy`)).body
  t.match(gus, { verdict: 'deny', code: 'thread_owned_elsewhere', message: /Page's own inbox/, actions: [{ id: 'take_thread' }] })
  t.match((await h.api('GET', `/conversations/${await h.conversationOf('fb', 'hal')}/reply-policy`)).body, { verdict: 'allow' }, 'a thread passed to our app is ours')
  t.match(fb.get('m_standby'), { text: 'Anyone there?' }, 'a standby message is stored')
  t.match((await h.api('GET', `/conversations/${await h.conversationOf('fb', 'ivy')}/reply-policy`)).body, { verdict: 'deny', code: 'thread_owned_elsewhere', message: /another app/ })

  t.match(ig.get('ig_text'), { text: 'Love this colour', extras: { reaction: { emoji: '\u2764\uFE0F' } } })
  t.match(ig.get('ig_image')?.attachments, [{ kind: 'image' }])
  t.match(ig.get('ig_mention')?.cards, [{ kind: 'story_mention', url: 'https://lookaside.example/story' }], 'a story mention points at the story, which expires')
  t.match(ig.get('ig_story_reply'), { text: 'Where can I buy it?', cards: [{ kind: 'story_reply', url: 'https://lookaside.example/story2' }] })
  t.match(ig.get('ig_share')?.cards, [{ kind: 'share', url: 'https://www.instagram.com/p/XYZ/' }])
  t.match(ig.get('ig_reel')?.attachments, [{ kind: 'video' }])
  t.match(ig.get('ig_unsupported')?.cards, [{ kind: 'unsupported' }])
  t.match(ig.get('ig_gone'), { text: '', extras: { edits: [{ text: 'oops wrong chat' }] } }, 'an unsent message is emptied, its text kept for agents')
  t.match(ig.get('ig_postback')?.cards, [{ kind: 'postback', fields: { payload: 'ICEBREAKER_SHIPPING' } }])
  t.match(ig.get('ig_echo'), { direction: 'outbound', text: 'Sent from the Instagram app' })
  t.equal(graph.sends.length, 0, 'nothing was answered')
})

t.test('handover: an agent takes the thread from the Page inbox and passes it back', async t => {
  const h = await hub(t)
  await h.deliver({ object: 'page', entry: [{ id: PAGE, time: now, standby: [{ ...from('jo', ago(1)), message: { mid: 'm_jo', text: 'Hello?' } }] }] })
  const id = await h.conversationOf('fb', 'jo')
  t.match(await h.api('POST', `/conversations/${id}/messages`, { text: 'Hi Jo' }), { status: 422, body: { code: 'thread_owned_elsewhere' } }, 'no reply while another app owns it')
  t.match(await h.api('POST', `/conversations/${id}/actions/nope`), { status: 404, body: { code: 'unknown_action', message: /take_thread, pass_thread/ } })
  const taken = await h.api('POST', `/conversations/${id}/actions/take_thread`)
  t.equal(taken.status, 200)
  t.same(taken.body.channelState, {})
  t.match(graph.calls.find(c => c.path.endsWith('/take_thread_control')), { path: `/v24.0/${PAGE}/take_thread_control`, token: TOKEN, body: { recipient: { id: 'jo' } } })
  t.match((await h.api('GET', `/conversations/${id}/reply-policy`)).body, { verdict: 'allow' })
  t.equal((await h.api('POST', `/conversations/${id}/messages`, { text: 'Hi Jo' })).status, 202)
  const passed = await h.api('POST', `/conversations/${id}/actions/pass_thread`)
  t.match(passed.body.channelState, { threadOwner: PAGE_INBOX })
  t.match(graph.calls.find(c => c.path.endsWith('/pass_thread_control')), { body: { recipient: { id: 'jo' }, target_app_id: PAGE_INBOX } })
  t.match((await h.api('GET', `/conversations/${id}/reply-policy`)).body, { code: 'thread_owned_elsewhere', message: /Page's own inbox/ })
  // The Page inbox passes it back, but the handover webhook is lost: Jo's next message arrives in messaging[], so the thread is ours.
  await h.deliver({ object: 'page', entry: [{ id: PAGE, time: now, messaging: [{ ...from('jo', ago(0.5)), message: { mid: 'm_jo2', text: 'Still there?' } }] }] })
  t.match((await h.api('GET', `/conversations/${id}/reply-policy`)).body, { verdict: 'allow' })

  const ig = await h.deliver({ object: 'instagram', entry: [{ id: IG, time: now, standby: [{ ...from('ig-jo', ago(1), IG), message: { mid: 'ig_jo', text: 'hey' } }] }] })
  t.equal(ig.status, 200)
  const igId = await h.conversationOf('ig', 'ig-jo')
  t.match((await h.api('GET', `/conversations/${igId}/reply-policy`)).body, { code: 'thread_owned_elsewhere', message: /set handover/ }, 'without handover in config, the verdict says so and offers nothing')
  t.match(await h.api('POST', `/conversations/${igId}/actions/take_thread`), { status: 502, body: { code: 'handover_off' } })
})

t.test('agents quote a customer\'s message: shown as a quote, sent as reply_to', async t => {
  const h = await hub(t)
  await h.deliver({ object: 'page', entry: [{ id: PAGE, time: now, messaging: [{ ...from('kim', ago(1)), message: { mid: 'm_kim', text: 'Is the mug dishwasher safe?' } }] }] })
  const id = await h.conversationOf('fb', 'kim')
  const [asked] = await h.messages('fb')
  const sent = await h.api('POST', `/conversations/${id}/messages`, { text: 'Yes, it is.', replyTo: asked!.id })
  t.equal(sent.status, 202)
  t.match(sent.body.extras.quote, { messageId: asked!.id, externalId: 'm_kim', text: 'Is the mug dishwasher safe?' })
  await until(async () => (await h.hub.services.store.getMessage(sent.body.id))?.status === 'sent')
  t.match(graph.sends.at(-1)?.body, { recipient: { id: 'kim' }, reply_to: { mid: 'm_kim' }, message: { text: 'Yes, it is.' } })
  t.match(await h.api('POST', `/conversations/${id}/messages`, { text: 'x', replyTo: '01JNOTAMESSAGE000000000000' }), { status: 422, body: { code: 'quote_not_found', field: 'replyTo' } })
})

t.test('Instagram: sent to the account, named from its profile, within its own limits', async t => {
  const h = await hub(t)
  graph.profiles.set('ig-lu', { name: 'Lu Chen', username: 'lu.chen', profile_pic: 'https://lookaside.example/lu.jpg' })
  graph.profiles.set('ig-mo', { username: 'mo_shop', profile_pic: 'https://lookaside.example/mo.jpg' })
  await h.deliver({ object: 'instagram', entry: [{ id: IG, time: now, messaging: [{ ...from('ig-lu', ago(30), IG), message: { mid: 'ig_lu', text: 'hi' } }, { ...from('ig-mo', ago(1), IG), message: { mid: 'ig_mo', text: 'hello' } }] }] }, 'ig')
  const lu = await h.conversationOf('ig', 'ig-lu')
  const mo = await h.conversationOf('ig', 'ig-mo')
  await until(async () => (await h.api('GET', `/conversations/${mo}`)).body.contact?.name === '@mo_shop', 5000, 'profiles')
  t.match((await h.api('GET', `/conversations/${lu}`)).body.contact, { name: 'Lu Chen', avatarUrl: 'https://lookaside.example/lu.jpg' })
  t.same(graph.profileCalls.map(c => c.path).sort(), ['/v24.0/ig-lu', '/v24.0/ig-mo'])

  t.match(await h.api('POST', `/conversations/${mo}/messages`, { text: 'x'.repeat(1001) }), { status: 422, body: { code: 'text_too_long', message: /at most 1000/ } })
  t.match(await h.api('POST', `/conversations/${mo}/messages`, { text: 'the invoice', attachments: [{ kind: 'file', url: 'https://cdn.example/invoice.pdf' }] }), { status: 422, body: { code: 'attachment_unsupported' } })
  t.match((await h.api('GET', `/conversations/${lu}/reply-policy`)).body, { verdict: 'tag_required', tags: ['HUMAN_AGENT'] }, 'after 24 h only HUMAN_AGENT: the retired Messenger tags never applied here')
  const tagged = await h.api('POST', `/conversations/${lu}/messages`, { text: 'Sorry for the wait', tag: 'HUMAN_AGENT' })
  const quick = await h.api('POST', `/conversations/${mo}/messages`, { text: 'Which size?', cards: [{ kind: 'quick_replies', title: '', fields: { s: 'S', m: 'M' } }, { kind: 'product', title: 'Tee', imageUrl: 'https://cdn.example/tee.jpg' }] })
  await until(async () => (await h.hub.services.store.getMessage(quick.body.id))?.status === 'sent' && (await h.hub.services.store.getMessage(tagged.body.id))?.status === 'sent')
  t.match(graph.sends.find(c => c.body.message.text === 'Sorry for the wait'), { path: `/v24.0/${IG}/messages`, body: { recipient: { id: 'ig-lu' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } })
  t.match(graph.sends.filter(c => c.body.recipient.id === 'ig-mo').map(c => c.body.message), [
    { attachment: { type: 'template', payload: { template_type: 'generic', elements: [{ title: 'Tee', image_url: 'https://cdn.example/tee.jpg' }] } } },
    { text: 'Which size?', quick_replies: [{ title: 'S' }, { title: 'M' }] }
  ])
})

t.test('a checkbox-plugin contact is reached by user_ref until their PSID is known', async t => {
  const h = await hub(t)
  await h.deliver({ object: 'page', entry: [{ id: PAGE, time: now, messaging: [{ recipient: { id: PAGE }, timestamp: ago(0.1), optin: { ref: 'cart', user_ref: 'ref-zed' } }] }] })
  const id = await h.conversationOf('fb', 'user_ref:ref-zed')
  const sent = await h.api('POST', `/conversations/${id}/messages`, { text: 'Your order is confirmed' })
  await until(async () => (await h.hub.services.store.getMessage(sent.body.id))?.status === 'sent')
  t.match(graph.sends.at(-1)?.body, { recipient: { user_ref: 'ref-zed' } })
})

await runChannelKit(t, {
  definition: instagram,
  config: { accountId: '17841400000000999', ...common },
  async deliverInbound (_instance, baseUrl) {
    const response = await FakeGraph.deliver(`${baseUrl}/webhook`, SECRET, { object: 'instagram', entry: [{ id: '17841400000000999', time: now, messaging: [{ ...from('kit-ig', now, '17841400000000999'), message: { mid: 'ig_kit', text: 'hi' } }] }] })
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`)
  },
  failNextSend () { graph.errors = [{ status: 400, code: 100, message: 'Invalid parameter' }] }
})
