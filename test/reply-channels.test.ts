import t from 'tap'
import { startTestHub } from './helpers/hub.js'
import { VisitorClient } from './helpers/visitor.js'

/** An email channel whose mailbox is not reachable from here: it still knows whom it can reach. */
const mail = { id: 'mail', plugin: 'email', address: 'support@shop.test', imap: { host: '127.0.0.1', port: 9, secure: false, user: 'u', password: 'p', reconnectMinMs: 60_000 }, smtp: { host: '127.0.0.1', port: 9 } }

t.test('the channels a reply can go out on: the conversation\'s own, and email once the visitor left an address, each with its verdict', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat' }, mail] })
  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  await v.say('Can you send me the invoice?')
  const [conversation] = (await h.api('GET', '/conversations')).body.items
  t.match((await h.api('GET', `/conversations/${conversation.id}/reply-channels`)).body.items, [{ channelId: 'webchat', address: null, verdict: { verdict: 'allow' } }], 'no address yet: only the widget')
  v.send({ type: 'profile', email: 'ann@example.com' })
  await v.next(f => f.type === 'profile')
  const options = (await h.api('GET', `/conversations/${conversation.id}/reply-channels`)).body.items
  t.match(options, [{ channelId: 'webchat' }, { channelId: 'mail', address: 'ann@example.com', verdict: { verdict: 'allow' } }])
  t.equal(options.length, 2)
  const sent = await h.api('POST', `/conversations/${conversation.id}/messages`, { text: 'Here it comes by email.', channelId: 'mail' })
  t.match(sent, { status: 202, body: { channelId: 'mail', conversationId: conversation.id } }, 'sent through the chosen one, kept in the same conversation')
  t.match(await h.api('GET', '/conversations/nope/reply-channels'), { status: 404 })
})
