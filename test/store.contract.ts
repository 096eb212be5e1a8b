import type { Test } from 'tap'
import type { InboundRecord, Store } from '../core/store/index.js'

/** The behaviour every Store driver must have; run by store-<driver>.test.ts. */
export function storeContract (t: Test, makeStore: () => Promise<Store>): void {
  let store: Store
  t.beforeEach(async () => {
    store = await makeStore()
    await store.open()
  })
  t.afterEach(async () => { await store.close() })

  const T0 = new Date('2026-11-01T10:00:00Z')
  const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000)
  const inbound = (externalId: string, over: Partial<InboundRecord> = {}): InboundRecord => ({
    channelId: 'web', externalId, contact: { externalId: 'cust-1', name: 'Ann' }, text: `text ${externalId}`,
    attachments: [], cards: [], sentAt: T0, ...over
  })

  t.test('an inbound message creates contact, identity and conversation', async t => {
    const r = await store.recordInbound(inbound('m1', { contact: { externalId: 'cust-1', name: 'Ann', email: 'ann@example.com' } }), T0)
    t.equal(r.duplicate, false)
    t.equal(r.conversationCreated, true)
    t.match(r.message, { direction: 'inbound', text: 'text m1', externalId: 'm1', status: 'delivered', routed: false, author: { type: 'contact' } })
    t.match(r.conversation, { channelId: 'web', status: 'unassigned', unreadCount: 1, assigneeId: null })
    t.equal(r.conversation.lastInboundAt?.getTime(), T0.getTime())
    const contact = await store.getContact(r.conversation.contactId)
    t.match(contact, { name: 'Ann', email: 'ann@example.com', tags: [], attributes: {} })
    t.same(contact?.identities.map(i => [i.channelId, i.externalId]), [['web', 'cust-1']])
  })

  t.test('the same channel + external id twice is one message', async t => {
    const first = await store.recordInbound(inbound('m1'), T0)
    const again = await store.recordInbound(inbound('m1', { text: 'changed on redelivery' }), at(5))
    t.equal(again.duplicate, true)
    t.equal(again.message.id, first.message.id)
    t.equal(again.message.text, 'text m1', 'the stored message is unchanged')
    t.equal(again.conversation.unreadCount, 1, 'counters are not bumped twice')
    const page = await store.listMessages(first.conversation.id, { limit: 10 })
    t.equal(page.items.length, 1)
  })

  t.test('the same external id on another channel is another message', async t => {
    const a = await store.recordInbound(inbound('m1'), T0)
    const b = await store.recordInbound(inbound('m1', { channelId: 'shop' }), T0)
    t.equal(b.duplicate, false)
    t.not(b.message.id, a.message.id)
    t.not(b.conversation.id, a.conversation.id, 'a conversation belongs to one channel')
  })

  t.test('concurrent deliveries of one message store it once', async t => {
    const results = await Promise.all(Array.from({ length: 10 }, async () => await store.recordInbound(inbound('race'), T0)))
    t.equal(results.filter(r => !r.duplicate).length, 1)
    t.equal(new Set(results.map(r => r.message.id)).size, 1)
    t.equal(new Set(results.map(r => r.conversation.id)).size, 1)
  })

  t.test('a returning customer continues the open conversation, with counters', async t => {
    const first = await store.recordInbound(inbound('m1'), T0)
    const second = await store.recordInbound(inbound('m2', { sentAt: at(60), contact: { externalId: 'cust-1', name: 'Someone else', phone: '+8613800000000' } }), at(61))
    t.equal(second.conversation.id, first.conversation.id)
    t.equal(second.conversationCreated, false)
    t.equal(second.conversation.unreadCount, 2)
    t.equal(second.conversation.lastInboundAt?.getTime(), at(60).getTime(), 'window runs from the channel timestamp')
    t.equal(second.conversation.lastActivityAt.getTime(), at(61).getTime())
    const contact = await store.getContact(first.conversation.contactId)
    t.equal(contact?.name, 'Ann', 'a known name is not overwritten by the channel')
    t.equal(contact?.phone, '+8613800000000', 'a missing field is filled')
  })

  t.test('a late, older message does not move lastInboundAt back', async t => {
    await store.recordInbound(inbound('new', { sentAt: at(100) }), at(100))
    const late = await store.recordInbound(inbound('old', { sentAt: at(10) }), at(101))
    t.equal(late.conversation.lastInboundAt?.getTime(), at(100).getTime())
  })

  t.test('replies are pending until sent; sent moves lastOutboundAt', async t => {
    const { conversation } = await store.recordInbound(inbound('m1'), T0)
    const reply = await store.recordOutbound({ conversationId: conversation.id, direction: 'outbound', author: { type: 'agent', id: 'a1' }, text: 'hello', attachments: [], cards: [], tag: 'HUMAN_AGENT' }, at(10))
    t.match(reply, { status: 'pending', direction: 'outbound', externalId: null, tag: 'HUMAN_AGENT', author: { type: 'agent', id: 'a1' }, sentAt: null })
    const sent = await store.updateMessageStatus(reply.id, { status: 'sent', externalId: 'ext-1' }, at(12))
    t.match(sent, { status: 'sent', externalId: 'ext-1', errorCode: null })
    t.equal(sent.sentAt?.getTime(), at(12).getTime())
    t.equal((await store.getConversation(conversation.id))?.lastOutboundAt?.getTime(), at(12).getTime())
    const failed = await store.recordOutbound({ conversationId: conversation.id, direction: 'outbound', author: { type: 'agent', id: 'a1' }, text: 'x', attachments: [], cards: [], tag: null }, at(20))
    const marked = await store.updateMessageStatus(failed.id, { status: 'failed', errorCode: 'callback_rejected', errorMessage: 'refused with 400' }, at(21))
    t.match(marked, { status: 'failed', errorCode: 'callback_rejected', errorMessage: 'refused with 400' })
  })

  t.test('two pending replies (no external id yet) do not collide', async t => {
    const { conversation } = await store.recordInbound(inbound('m1'), T0)
    const draft = { conversationId: conversation.id, direction: 'outbound' as const, author: { type: 'agent' as const, id: 'a1' }, text: 'x', attachments: [], cards: [], tag: null }
    const a = await store.recordOutbound(draft, at(1))
    const b = await store.recordOutbound(draft, at(1))
    t.not(a.id, b.id)
  })

  t.test('a note is stored as sent and never pending', async t => {
    const { conversation } = await store.recordInbound(inbound('m1'), T0)
    const note = await store.recordOutbound({ conversationId: conversation.id, direction: 'note', author: { type: 'agent', id: 'a1' }, text: 'vip', attachments: [], cards: [], tag: null }, at(1))
    t.equal(note.status, 'sent')
    const unfinished = await store.listUnfinished(at(100), 100)
    t.notOk(unfinished.pendingOutbound.some(m => m.id === note.id))
  })

  t.test('replying to an unknown conversation is not_found', async t => {
    await t.rejects(store.recordOutbound({ conversationId: 'nope', direction: 'outbound', author: { type: 'agent', id: 'a1' }, text: 'x', attachments: [], cards: [], tag: null }, T0), { code: 'not_found' })
    await t.rejects(store.updateMessageStatus('nope', { status: 'sent' }, T0), { code: 'not_found' })
  })

  t.test('unfinished work: pending replies and unrouted inbound, by age', async t => {
    const { conversation, message } = await store.recordInbound(inbound('m1'), T0)
    const reply = await store.recordOutbound({ conversationId: conversation.id, direction: 'outbound', author: { type: 'agent', id: 'a1' }, text: 'x', attachments: [], cards: [], tag: null }, at(10))
    let unfinished = await store.listUnfinished(at(5), 100)
    t.same(unfinished.unrouted.map(m => m.id), [message.id])
    t.same(unfinished.pendingOutbound, [], 'younger than the cut-off')
    unfinished = await store.listUnfinished(at(10), 100)
    t.same(unfinished.pendingOutbound.map(m => m.id), [reply.id])
    await store.markRouted(message.id)
    await store.updateMessageStatus(reply.id, { status: 'sent', externalId: 'e' }, at(11))
    unfinished = await store.listUnfinished(at(100), 100)
    t.same(unfinished, { pendingOutbound: [], unrouted: [] })
    t.equal((await store.getMessage(message.id))?.routed, true)
  })

  t.test('messages page oldest first by cursor', async t => {
    let conversationId = ''
    for (let i = 0; i < 7; i++) conversationId = (await store.recordInbound(inbound(`m${i}`), at(i))).conversation.id
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await store.listMessages(conversationId, { limit: 3, ...(cursor !== undefined ? { cursor } : {}) })
      seen.push(...page.items.map(m => m.externalId!))
      cursor = page.nextCursor ?? undefined
      pages++
    } while (cursor !== undefined)
    t.same(seen, ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'])
    t.equal(pages, 3)
  })

  t.test('conversations page by last activity, filtered', async t => {
    for (let i = 0; i < 5; i++) await store.recordInbound(inbound(`m${i}`, { contact: { externalId: `c${i}` } }), at(i))
    await store.recordInbound(inbound('s1', { channelId: 'shop', contact: { externalId: 'c9' } }), at(10))
    const first = await store.listConversations({}, { limit: 4 })
    t.equal(first.items.length, 4)
    t.equal(first.items[0]?.channelId, 'shop', 'most recent first')
    const second = await store.listConversations({}, { limit: 4, cursor: first.nextCursor! })
    t.equal(second.items.length, 2)
    t.equal(second.nextCursor, null)
    t.equal(new Set([...first.items, ...second.items].map(c => c.id)).size, 6, 'no conversation twice across pages')
    t.equal((await store.listConversations({ channelId: 'shop' }, { limit: 10 })).items.length, 1)
    t.equal((await store.listConversations({ status: 'unassigned' }, { limit: 10 })).items.length, 6)
    t.equal((await store.listConversations({ status: 'closed' }, { limit: 10 })).items.length, 0)
    t.equal((await store.listConversations({ assigneeId: null }, { limit: 10 })).items.length, 6)
    t.equal((await store.listConversations({ assigneeId: 'someone' }, { limit: 10 })).items.length, 0)
  })

  t.test('a cursor that is not ours is invalid_cursor', async t => {
    await t.rejects(store.listConversations({}, { limit: 5, cursor: 'garbage' }), { code: 'invalid_cursor' })
    await t.rejects(store.listMessages('x', { limit: 5, cursor: 'garbage' }), { code: 'invalid_cursor' })
  })

  t.test('agents: created once per email, found by token hash only', async t => {
    const agent = await store.createAgent({ name: 'Bo', email: 'Bo@Example.com', role: 'agent', teams: ['presales'], tokenHash: 'h1' }, T0)
    t.match(agent, { name: 'Bo', email: 'bo@example.com', role: 'agent', teams: ['presales'] })
    t.notOk('tokenHash' in agent, 'the hash never leaves the store')
    t.same(await store.findAgentByTokenHash('h1'), agent)
    t.equal(await store.findAgentByTokenHash('h2'), null)
    await t.rejects(store.createAgent({ name: 'Bo again', email: 'bo@example.com', role: 'agent', teams: [], tokenHash: 'h3' }, T0), { code: 'agent_exists' })
  })

  t.test('ensureAgentWithToken creates once, then follows a rotated token', async t => {
    const admin = await store.ensureAgentWithToken({ name: 'Admin', email: 'admin@x', role: 'admin', teams: [], tokenHash: 't1' }, T0)
    t.same(await store.ensureAgentWithToken({ name: 'Admin', email: 'admin@x', role: 'admin', teams: [], tokenHash: 't1' }, T0), admin)
    const rotated = await store.ensureAgentWithToken({ name: 'Admin', email: 'admin@x', role: 'admin', teams: [], tokenHash: 't2' }, T0)
    t.equal(rotated.id, admin.id)
    t.equal(await store.findAgentByTokenHash('t1'), null, 'the old token stops working')
  })

  t.test('plugin key-value is per namespace and survives reopening', async t => {
    await store.kvSet('mail', 'uid', '41')
    await store.kvSet('mail', 'uid', '42')
    await store.kvSet('other', 'uid', '7')
    t.equal(await store.kvGet('mail', 'uid'), '42')
    t.equal(await store.kvGet('other', 'uid'), '7')
    await store.kvDelete('mail', 'uid')
    t.equal(await store.kvGet('mail', 'uid'), null)
    t.equal(await store.kvGet('mail', 'never'), null)
  })

  t.test('ping answers while open', async t => {
    await t.resolves(store.ping())
  })
}
