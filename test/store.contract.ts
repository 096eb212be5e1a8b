import type { Test } from 'tap'
import type { Conversation } from '../core/model/index.js'
import type { FaultPlan } from '../core/store/faults.js'
import { PAGE_VIEWS_KEPT, RECENT_PAGES, type InboundRecord, type ReportCount, type Store } from '../core/store/index.js'

/** The behaviour every Store driver must have; run by store-<driver>.test.ts. */
export function storeContract (t: Test, makeStore: (faults?: FaultPlan) => Promise<Store>): void {
  let store: Store
  t.beforeEach(async () => {
    store = await makeStore()
    await store.open()
  })
  t.afterEach(async () => { await store.close() })

  const T0 = new Date('2026-11-01T10:00:00Z')
  const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000)
  const inbound = (externalId: string, over: Partial<InboundRecord> = {}): InboundRecord => ({
    channelId: 'web', teamId: null, externalId, contact: { externalId: 'cust-1', name: 'Ann' }, text: `text ${externalId}`,
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

  t.test('echoes are outbound and sent; quiet events leave the reply window alone', async t => {
    const first = await store.recordInbound(inbound('w1', { sentAt: at(10) }), at(10))
    const echo = await store.recordInbound(inbound('e1', { direction: 'outbound', sentAt: at(20), text: 'sent from the Page inbox' }), at(20))
    t.match(echo.message, { direction: 'outbound', status: 'sent', author: { type: 'agent', id: null }, externalId: 'e1' })
    t.equal(echo.conversation.id, first.conversation.id)
    t.equal(echo.conversation.unreadCount, 1, 'an echo is not unread')
    t.equal(echo.conversation.lastOutboundAt?.getTime(), at(20).getTime())
    const reaction = await store.recordInbound(inbound('r1', { opensWindow: false, sentAt: at(30) }), at(30))
    t.equal(reaction.conversation.lastInboundAt?.getTime(), at(10).getTime(), 'window unchanged')
    t.equal(reaction.conversation.unreadCount, 2)
  })

  t.test('receipts move outbound statuses forward, by id or up to a time, never back', async t => {
    const { conversation } = await store.recordInbound(inbound('m1'), T0)
    const draft = { conversationId: conversation.id, direction: 'outbound' as const, author: { type: 'agent' as const, id: 'a' }, attachments: [], cards: [], tag: null }
    const a = await store.recordOutbound({ ...draft, text: 'a' }, at(1))
    const b = await store.recordOutbound({ ...draft, text: 'b' }, at(2))
    await store.updateMessageStatus(a.id, { status: 'sent', externalId: 'mid-a' }, at(3))
    await store.updateMessageStatus(b.id, { status: 'sent', externalId: 'mid-b' }, at(10))
    const delivered = await store.advanceOutbound('web', { status: 'delivered', externalIds: ['mid-a', 'mid-unknown'] }, at(11))
    t.same(delivered.map(m => [m.id, m.status]), [[a.id, 'delivered']])
    const read = await store.advanceOutbound('web', { status: 'read', upTo: { contactExternalId: 'cust-1', at: at(5) } }, at(12))
    t.same(read.map(m => m.id), [a.id], 'only what was sent up to the watermark')
    t.match(await store.getMessage(a.id), { status: 'read', readAt: at(12), deliveredAt: at(11) })
    t.same(await store.advanceOutbound('web', { status: 'delivered', externalIds: ['mid-a'] }, at(13)), [], 'read never goes back to delivered')
    t.equal((await store.getMessage(b.id))?.status, 'sent')
    await store.fillProfile('web', 'cust-1', { name: 'Not Ann', avatarUrl: 'https://x/pic.jpg' }, at(14))
    t.match(await store.getContact(conversation.contactId), { name: 'Ann', avatarUrl: 'https://x/pic.jpg' }, 'fills only what is missing')
    t.match(await store.getContact(conversation.contactId), { language: null, timeZone: null, country: null })
    await store.fillProfile('web', 'cust-1', { language: 'zh', timeZone: 'Asia/Shanghai', country: 'CN' }, at(15))
    await store.fillProfile('web', 'cust-1', { language: 'en', timeZone: 'Europe/Berlin', country: 'DE' }, at(16))
    t.match(await store.getContact(conversation.contactId), { language: 'zh', timeZone: 'Asia/Shanghai', country: 'CN' }, 'a channel fills language, zone and country once')
    await store.editContact(conversation.contactId, { timeZone: 'Asia/Taipei', country: null }, at(17))
    t.match(await store.getContact(conversation.contactId), { language: 'zh', timeZone: 'Asia/Taipei', country: null }, 'an agent changes or clears them')
    await store.fillProfile('web', 'cust-1', { country: 'TW' }, at(18))
    t.equal((await store.getContact(conversation.contactId))?.country, 'TW', 'a cleared one is filled again')
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

  t.test('messages since a time: only those stored then or later, still paged by cursor', async t => {
    let conversationId = ''
    for (let i = 0; i < 6; i++) conversationId = (await store.recordInbound(inbound(`m${i}`), at(i * 10))).conversation.id
    const first = await store.listMessages(conversationId, { limit: 2, since: at(20) })
    t.same(first.items.map(m => m.externalId), ['m2', 'm3'])
    const rest = await store.listMessages(conversationId, { limit: 10, since: at(20), cursor: first.nextCursor! })
    t.same(rest.items.map(m => m.externalId), ['m4', 'm5'])
    t.same((await store.listMessages(conversationId, { limit: 10, since: at(51) })).items, [])
  })

  t.test('a reply keeps the extras it was written with (the desk it came from)', async t => {
    const { conversation } = await store.recordInbound(inbound('x1'), at(0))
    const reply = await store.recordOutbound({ conversationId: conversation.id, direction: 'outbound', author: { type: 'agent', id: 'a1' }, text: 'hi', attachments: [], cards: [], tag: null, extras: { via: 'slack' } }, at(1))
    t.same(reply.extras, { via: 'slack' })
    t.same((await store.getMessage(reply.id))?.extras, { via: 'slack' })
    const plain = await store.recordOutbound({ conversationId: conversation.id, direction: 'note', author: { type: 'agent', id: 'a1' }, text: 'n', attachments: [], cards: [], tag: null }, at(2))
    t.equal(plain.extras, null)
  })

  t.test('phrases: a code is unique within its owner, team or the hub; each agent lists theirs, their teams\' and the hub\'s', async t => {
    const base = { title: 'Hello', text: 'Hi {contact.name}', attachments: [] }
    const mine = await store.createPhrase({ ...base, scope: 'personal', ownerId: 'a1', teamId: null, code: 'hi' }, at(0))
    t.match(mine, { scope: 'personal', ownerId: 'a1', teamId: null, code: 'hi', text: 'Hi {contact.name}', attachments: [] })
    await t.rejects(store.createPhrase({ ...base, scope: 'personal', ownerId: 'a1', teamId: null, code: 'hi' }, at(1)), { code: 'phrase_code_taken' })
    await store.createPhrase({ ...base, scope: 'personal', ownerId: 'a2', teamId: null, code: 'hi' }, at(1))
    await store.createPhrase({ ...base, scope: 'team', ownerId: null, teamId: 'sales', code: 'hi' }, at(2))
    await store.createPhrase({ ...base, scope: 'team', ownerId: null, teamId: 'care', code: 'refund' }, at(3))
    await store.createPhrase({ ...base, scope: 'hub', ownerId: null, teamId: null, code: 'bye', attachments: [{ kind: 'image', url: '/files/x/a.png', name: 'a.png' }] }, at(4))
    const codes = async (agentId: string, teamIds: string[] | 'all'): Promise<string[]> => (await store.listPhrases({ agentId, teamIds })).map(p => `${p.scope}:${p.code}`)
    t.same(await codes('a1', ['sales']), ['hub:bye', 'personal:hi', 'team:hi'])
    t.same(await codes('a3', []), ['hub:bye'])
    t.same(await codes('a3', 'all'), ['hub:bye', 'team:hi', 'team:refund'])
    const changed = await store.updatePhrase(mine.id, { text: 'Hello {contact.name}!' }, at(5))
    t.match(changed, { code: 'hi', title: 'Hello', text: 'Hello {contact.name}!' })
    t.equal(changed.updatedAt.getTime(), at(5).getTime())
    await store.createPhrase({ ...base, scope: 'personal', ownerId: 'a1', teamId: null, code: 'thanks' }, at(6))
    await t.rejects(store.updatePhrase(mine.id, { code: 'thanks' }, at(7)), { code: 'phrase_code_taken' })
    t.same((await store.listPhrases({ agentId: 'a3', teamIds: [] }))[0]?.attachments, [{ kind: 'image', url: '/files/x/a.png', name: 'a.png' }])
    await store.deletePhrase(mine.id)
    t.equal(await store.getPhrase(mine.id), null)
    await t.rejects(store.deletePhrase(mine.id), { code: 'not_found' })
    await t.rejects(store.updatePhrase(mine.id, { text: 'x' }, at(8)), { code: 'not_found' })
  })

  t.test('agent events are counted per agent and kind since a time', async t => {
    await store.recordAgentEvent('a1', 'attitude_warned', at(0))
    await store.recordAgentEvent('a1', 'attitude_warned', at(10))
    await store.recordAgentEvent('a1', 'attitude_blocked', at(20))
    await store.recordAgentEvent('a2', 'attitude_warned', at(30))
    t.same(await store.countAgentEvents(at(5)), [
      { agentId: 'a1', kind: 'attitude_blocked', count: 1 },
      { agentId: 'a1', kind: 'attitude_warned', count: 1 },
      { agentId: 'a2', kind: 'attitude_warned', count: 1 }
    ])
    t.same(await store.countAgentEvents(at(31)), [])
  })

  t.test('report counters add up per hour and dimension, take back to nothing, and are replaced by a rebuild', async t => {
    const c = (over: Partial<ReportCount>): ReportCount => ({ span: 1, hour: 100, channelId: 'web', teamId: null, agentId: null, tag: '', measure: 'inbound', count: 1, sum: 0, ...over })
    await store.addReportCounts([c({}), c({}), c({ agentId: 'a1', measure: 'first_response', sum: 1500 }), c({ hour: 101, teamId: 'sales' }), c({ tag: 'refund' })])
    await Promise.all(Array.from({ length: 8 }, async () => await store.addReportCounts([c({ hour: 102, channelId: 'mail', measure: 'replies', agentId: 'a2' })])))
    const all = { span: 1 as const, fromHour: 100, toHour: 103 }
    const byHour = (rows: ReportCount[]): string[] => rows.map(r => JSON.stringify([r.hour, r.channelId, r.teamId, r.agentId, r.measure, r.count, r.sum])).sort()
    const rows = (...expected: unknown[][]): string[] => expected.map(e => JSON.stringify(e)).sort()
    await store.addReportCounts([c({ span: 24, hour: 96, count: 3 })])
    t.same(byHour(await store.readReportCounts({ span: 24, fromHour: 96, toHour: 120 }, [])), rows([96, null, null, null, 'inbound', 3, 0]), 'days are counted apart from hours')
    t.same(byHour(await store.readReportCounts(all, [])), rows(
      [100, null, null, null, 'first_response', 1, 1500], [100, null, null, null, 'inbound', 2, 0], [101, null, null, null, 'inbound', 1, 0], [102, null, null, null, 'replies', 8, 0]
    ), 'summed per hour and measure; concurrent first increments of one counter all count')
    t.same(byHour(await store.readReportCounts(all, ['channel', 'team', 'agent'])), rows(
      [100, 'web', null, 'a1', 'first_response', 1, 1500], [100, 'web', null, null, 'inbound', 2, 0], [101, 'web', 'sales', null, 'inbound', 1, 0], [102, 'mail', null, 'a2', 'replies', 8, 0]
    ))
    t.same(byHour(await store.readReportCounts({ ...all, teamId: null, channelId: 'web' }, [])), rows([100, null, null, null, 'first_response', 1, 1500], [100, null, null, null, 'inbound', 2, 0]), 'null team: conversations of every agent')
    t.same(byHour(await store.readReportCounts({ ...all, agentId: 'a2' }, ['agent'])), rows([102, null, null, 'a2', 'replies', 8, 0]))
    t.same(byHour(await store.readReportCounts({ ...all, tag: 'refund' }, [])), rows([100, null, null, null, 'inbound', 1, 0]), 'a tag reads its own rows')
    t.same(byHour(await store.readReportCounts({ span: 1 as const, fromHour: 101, toHour: 102 }, [])), rows([101, null, null, null, 'inbound', 1, 0]), 'to is exclusive')

    await store.addReportCounts([c({ hour: 101, teamId: 'sales', count: -1 }), c({ hour: 101, teamId: 'ops' })])
    t.same(byHour(await store.readReportCounts({ span: 1 as const, fromHour: 101, toHour: 102 }, ['team'])), rows([101, null, 'ops', null, 'inbound', 1, 0]), 'a counter taken back to zero is gone')

    await store.replaceReportCounts(['inbound', 'first_response'], [c({ hour: 100, count: 5 })])
    t.same(await store.readReportCounts({ span: 24, fromHour: 96, toHour: 120 }, []), [], 'of every span')
    t.same(byHour(await store.readReportCounts(all, [])), rows([100, null, null, null, 'inbound', 5, 0], [102, null, null, null, 'replies', 8, 0]), 'a rebuild replaces its measures and leaves the others')
  })

  t.test('a mood alert marks a conversation once, is found by filter, and clears when it reopens', async t => {
    const { conversation } = await store.recordInbound(inbound('m1'), at(0))
    t.equal(conversation.moodAlertAt, null)
    const marked = await store.markMoodAlert(conversation.id, at(5))
    t.equal(marked?.moodAlertAt?.getTime(), at(5).getTime())
    t.equal(await store.markMoodAlert(conversation.id, at(6)), null, 'once')
    t.same((await store.listConversations({ moodAlert: true }, { limit: 10 })).items.map(c => c.id), [conversation.id])
    await store.closeConversation(conversation.id, at(7))
    const reopened = await store.reopenConversation(conversation.id, at(8))
    t.equal(reopened.moodAlertAt, null)
    t.same((await store.listConversations({ moodAlert: true }, { limit: 10 })).items, [])
  })

  t.test('a message\'s extras can be replaced afterwards (a translation)', async t => {
    const { message } = await store.recordInbound(inbound('tr1', { text: '你好' }), at(0))
    const translated = await store.setMessageExtras(message.id, { translation: { text: 'Hello', from: 'zh', to: 'en' } })
    t.same(translated.extras, { translation: { text: 'Hello', from: 'zh', to: 'en' } })
    t.same((await store.getMessage(message.id))?.extras, { translation: { text: 'Hello', from: 'zh', to: 'en' } })
    await t.rejects(store.setMessageExtras('nope', {}), { code: 'not_found' })
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

  t.test('kvSetIfAbsent: of concurrent setters, one wins and the value stays', async t => {
    const won = await Promise.all(Array.from({ length: 5 }, async (_, i) => await store.kvSetIfAbsent('sla', 'buyer-1:2026-11-21', `p${i}`)))
    t.equal(won.filter(Boolean).length, 1)
    t.equal(await store.kvGet('sla', 'buyer-1:2026-11-21'), `p${won.indexOf(true)}`)
    t.equal(await store.kvSetIfAbsent('sla', 'buyer-1:2026-11-21', 'again'), false)
  })

  t.test('unanswered: open conversations whose last customer message has no reply since', async t => {
    const a = await store.recordInbound(inbound('u1', { contact: { externalId: 'ua' } }), at(0))
    const b = await store.recordInbound(inbound('u2', { contact: { externalId: 'ub' }, sentAt: at(10) }), at(10))
    const c = await store.recordInbound(inbound('u3', { contact: { externalId: 'uc' } }), at(0))
    const reply = await store.recordOutbound({ conversationId: c.conversation.id, direction: 'outbound', author: { type: 'agent', id: 'x' }, text: 'hi', attachments: [], cards: [], tag: null }, at(5))
    await store.updateMessageStatus(reply.id, { status: 'sent' }, at(5))
    const d = await store.recordInbound(inbound('u4', { contact: { externalId: 'ud' } }), at(0))
    await store.closeConversation(d.conversation.id, at(1))
    const ids = async (since: Date) => (await store.listConversations({ unansweredSince: since }, { limit: 10 })).items.map(x => x.id)
    t.same(await ids(at(5)), [a.conversation.id], 'answered, too recent and closed ones are left out')
    t.same((await ids(at(60))).sort(), [a.conversation.id, b.conversation.id].sort())
    await store.recordInbound(inbound('u5', { contact: { externalId: 'uc' }, sentAt: at(20) }), at(20))
    t.ok((await ids(at(60))).includes(c.conversation.id), 'a new customer message after the reply is unanswered again')
    const away = await store.recordOutbound({ conversationId: a.conversation.id, direction: 'outbound', author: { type: 'bot', id: null }, text: 'We are away', attachments: [], cards: [], tag: null }, at(30))
    await store.updateMessageStatus(away.id, { status: 'sent' }, at(30))
    t.ok((await ids(at(60))).includes(a.conversation.id), 'an automatic message is no answer')
    await store.recordInbound({ ...inbound('echo-1', { contact: { externalId: 'ua' }, sentAt: at(40) }), direction: 'outbound' }, at(40))
    t.notOk((await ids(at(60))).includes(a.conversation.id), 'a reply from the channel\'s own app (an echo) is one')
  })

  t.test('replied before: open conversations whose last word is a person\'s reply, for auto-close', async t => {
    const reply = async (conversationId: string, seconds: number, type: 'agent' | 'bot' = 'agent'): Promise<void> => {
      const m = await store.recordOutbound({ conversationId, direction: 'outbound', author: { type, id: type === 'agent' ? 'x' : null }, text: 'hi', attachments: [], cards: [], tag: null }, at(seconds))
      await store.updateMessageStatus(m.id, { status: 'sent' }, at(seconds))
    }
    const quiet = await store.recordInbound(inbound('r1', { contact: { externalId: 'ra' } }), at(0))
    await reply(quiet.conversation.id, 10)
    const wrote = await store.recordInbound(inbound('r2', { contact: { externalId: 'rb' } }), at(0))
    await reply(wrote.conversation.id, 10)
    await store.recordInbound(inbound('r3', { contact: { externalId: 'rb' }, sentAt: at(20) }), at(20))
    const robot = await store.recordInbound(inbound('r4', { contact: { externalId: 'rc' } }), at(0))
    await reply(robot.conversation.id, 10, 'bot')
    const ids = async (before: Date) => (await store.listConversations({ repliedBefore: before }, { limit: 10 })).items.map(x => x.id)
    t.same(await ids(at(30)), [quiet.conversation.id], 'the customer wrote again in one, the robot answered the other')
    t.same(await ids(at(5)), [], 'a reply after the time is too recent')
    await store.closeConversation(quiet.conversation.id, at(40))
    t.same(await ids(at(50)), [], 'closed ones are left out')
  })

  t.test('kvTake hands a value to exactly one of concurrent takers', async t => {
    await store.kvSet('sign-in', 'code', 'agent-1')
    const taken = await Promise.all(Array.from({ length: 5 }, async () => await store.kvTake('sign-in', 'code')))
    t.same(taken.filter(v => v !== null), ['agent-1'])
    t.equal(await store.kvGet('sign-in', 'code'), null)
    t.equal(await store.kvTake('sign-in', 'never'), null)
  })

  const newAgent = async (name: string, over: Record<string, unknown> = {}) =>
    await store.createAgent({ name, email: `${name}@example.com`, role: 'agent', teams: [], tokenHash: `hash-${name}`, ...over }, T0)

  t.test('agents: status changes are logged with where they came from; from-guards skip stale sweeps', async t => {
    const a = await newAgent('ana')
    t.match(a, { status: 'offline', activeCount: 0, capacity: null })
    const online = await store.setAgentStatus(a.id, { status: 'online', source: 'api', ip: '203.0.113.7', userAgent: 'Firefox' }, at(1))
    t.match(online, { status: 'online' })
    t.equal(online?.lastSeenAt?.getTime(), at(1).getTime(), 'setting status by hand is a sign of life')
    t.equal(await store.setAgentStatus(a.id, { status: 'offline', source: 'disconnect', from: ['busy'] }, at(2)), null, 'no change from a status it is not in')
    await store.setAgentStatus(a.id, { status: 'busy', source: 'idle', from: ['online'] }, at(3))
    const log = await store.listStatusLog({ agentId: a.id }, { limit: 10 })
    t.same(log.items.map(e => [e.status, e.source]), [['busy', 'idle'], ['online', 'api']], 'newest first')
    t.match(log.items[1], { ip: '203.0.113.7', userAgent: 'Firefox' })
    const paged = await store.listStatusLog({}, { limit: 1 })
    t.equal((await store.listStatusLog({}, { limit: 1, cursor: paged.nextCursor! })).items[0]?.status, 'online')
    await t.rejects(store.setAgentStatus('nobody', { status: 'online', source: 'api' }, T0), { code: 'not_found' })
  })

  t.test('agents: the sign-in log keeps how and from where, newest first, per agent; a reply marks when the agent last replied', async t => {
    const a = await newAgent('ana')
    const b = await newAgent('bo')
    await store.recordSessionEvent({ agentId: a.id, event: 'sign_in', method: 'link', at: at(1), ip: '203.0.113.7', userAgent: 'Firefox' })
    await store.recordSessionEvent({ agentId: b.id, event: 'sign_in', method: 'token', at: at(2), ip: null, userAgent: null })
    await store.recordSessionEvent({ agentId: a.id, event: 'sign_out', method: null, at: at(3), ip: '203.0.113.7', userAgent: 'Firefox' })
    const log = await store.listSessionLog({ agentId: a.id }, { limit: 10 })
    t.same(log.items.map(e => [e.event, e.method, e.at.getTime()]), [['sign_out', null, at(3).getTime()], ['sign_in', 'link', at(1).getTime()]])
    t.match(log.items[1], { agentId: a.id, ip: '203.0.113.7', userAgent: 'Firefox' })
    t.same((await store.listSessionLog({ agentIds: [b.id] }, { limit: 10 })).items.map(e => e.method), ['token'], 'only these agents\' (a supervisor\'s teams)')
    t.same((await store.listSessionLog({ agentId: a.id, agentIds: [b.id] }, { limit: 10 })).items, [], 'an agent outside them: nothing')
    const first = await store.listSessionLog({}, { limit: 2 })
    t.equal(first.items.length, 2)
    t.same((await store.listSessionLog({}, { limit: 2, cursor: first.nextCursor! })).items.map(e => e.agentId), [a.id], 'paged')

    await store.markAgentActive(a.id, at(4))
    t.equal((await store.getAgent(a.id))?.lastReplyAt, null, 'any action is activity, not a reply')
    await store.markAgentActive(a.id, at(5), { replied: true })
    t.equal((await store.getAgent(a.id))?.lastReplyAt?.getTime(), at(5).getTime())
  })

  t.test('agents: list, update, rotate token, seen and active', async t => {
    const a = await newAgent('bo')
    const updated = await store.updateAgent(a.id, { name: 'Bo Li', teams: ['presales'], capacity: 3, role: 'supervisor' })
    t.match(updated, { name: 'Bo Li', teams: ['presales'], capacity: 3, role: 'supervisor' })
    t.equal((await store.updateAgent(a.id, { capacity: null })).capacity, null, 'capacity back to the hub default')
    t.equal((await store.updateAgent(a.id, {})).name, 'Bo Li', 'an empty patch changes nothing')
    t.equal(a.locale, null, 'a new agent follows the browser')
    t.equal((await store.updateAgent(a.id, { locale: 'zh' })).locale, 'zh')
    t.equal((await store.updateAgent(a.id, { name: 'Bo' })).locale, 'zh', 'kept when other fields change')
    t.equal((await store.updateAgent(a.id, { locale: null })).locale, null)
    const own = await store.updateAgent(a.id, { welcome: 'Hi, Bo here', signature: 'Bo · Pre-sales', deactivatedAt: at(3) })
    t.match(await store.getAgent(a.id), { welcome: 'Hi, Bo here', signature: 'Bo · Pre-sales', deactivatedAt: at(3) }, 'welcome, signature and deactivation are kept')
    t.same(own.deactivatedAt, at(3))
    t.match(await store.updateAgent(a.id, { signature: null, deactivatedAt: null }), { welcome: 'Hi, Bo here', signature: null, deactivatedAt: null })
    t.same(a.notifications, { sound: true, desktop: true, tabTitle: true }, 'a new agent hears of everything')
    await store.updateAgent(a.id, { notifications: { sound: false, desktop: true, tabTitle: false } })
    t.same((await store.getAgent(a.id))?.notifications, { sound: false, desktop: true, tabTitle: false }, 'notification preferences are kept')
    t.same((await store.updateAgent(a.id, { name: 'Bo' })).notifications, { sound: false, desktop: true, tabTitle: false }, 'and kept when other fields change')
    await store.rotateAgentToken(a.id, 'new-hash')
    t.equal(await store.findAgentByTokenHash('hash-bo'), null)
    t.equal((await store.findAgentByTokenHash('new-hash'))?.id, a.id)
    await store.touchAgents([a.id], at(5))
    await store.markAgentActive(a.id, at(6))
    t.match(await store.getAgent(a.id), { lastSeenAt: at(6), lastActiveAt: at(6) })
    t.same((await store.listAgents()).map(x => x.id), [a.id])
    await t.rejects(store.updateAgent('nobody', { name: 'x' }), { code: 'not_found' })
  })

  t.test('catalog: an import writes every product at once, replacing by id; listed by id, found by title, id or link', async t => {
    const shirt = { id: 'SKU-1', title: 'Linen shirt 亚麻衬衫', price: '¥199', imageUrl: 'https://cdn.example/shirt.jpg', url: 'https://shop.example/p/shirt' }
    const tote = { id: 'SKU-2', title: 'Canvas tote', price: null, imageUrl: null, url: null }
    await store.putProducts([tote, shirt], at(1))
    t.match(await store.getProducts(['SKU-2', 'SKU-1', 'nope']), [{ ...shirt, updatedAt: at(1) }, { ...tote, updatedAt: at(1) }], 'by id, unknown ones left out')
    await store.putProducts([{ ...shirt, price: '¥179', imageUrl: null }], at(2))
    t.match((await store.getProducts(['SKU-1']))[0], { price: '¥179', imageUrl: null, updatedAt: at(2) }, 'replaced whole, not merged')
    t.same((await store.listProducts({ q: '衬衫' }, { limit: 10 })).items.map(p => p.id), ['SKU-1'])
    t.same((await store.listProducts({ q: 'TOTE' }, { limit: 10 })).items.map(p => p.id), ['SKU-2'], 'case-insensitive')
    t.same((await store.listProducts({ q: 'sku-' }, { limit: 10 })).items.map(p => p.id), ['SKU-1', 'SKU-2'], 'by id too')
    t.same((await store.listProducts({ q: '50%_' }, { limit: 10 })).items, [], 'wildcards are literal')
    t.same((await store.listProducts({ url: 'https://shop.example/p/shirt' }, { limit: 10 })).items.map(p => p.id), ['SKU-1'], 'a pasted link finds its product')
    const first = await store.listProducts({}, { limit: 1 })
    t.same(first.items.map(p => p.id), ['SKU-1'])
    t.same((await store.listProducts({}, { limit: 1, cursor: first.nextCursor! })).items.map(p => p.id), ['SKU-2'])
    t.equal(await store.deleteProduct('SKU-2'), true)
    t.equal(await store.deleteProduct('SKU-2'), false)
    await store.putProducts([], at(3))
    t.same((await store.listProducts({}, { limit: 10 })).items.map(p => p.id), ['SKU-1'])
  })

  t.test('teams: created once, listed, renamed', async t => {
    await store.createTeam({ id: 'presales', name: 'Pre-sales' }, T0)
    await t.rejects(store.createTeam({ id: 'presales', name: 'Again' }, T0), { code: 'team_exists' })
    t.match(await store.updateTeam('presales', { name: '售前' }), { id: 'presales', name: '售前' })
    t.same((await store.listTeams()).map(x => x.name), ['售前'])
    t.equal(await store.getTeam('nope'), null)
  })

  t.test('assignment is atomic: concurrent routers never exceed capacity', async t => {
    const a = await newAgent('cy')
    const conversations = []
    for (let i = 0; i < 12; i++) conversations.push((await store.recordInbound(inbound(`m${i}`, { contact: { externalId: `c${i}` } }), T0)).conversation)
    const results = await Promise.all(conversations.map(async c => await store.assignConversation(c.id, a.id, { capacity: 5, onlyIfWaiting: true }, at(1))))
    t.equal(results.filter(r => r !== null).length, 5)
    t.equal((await store.getAgent(a.id))?.activeCount, 5)
    t.equal((await store.listAssigned(a.id)).length, 5)
    const assigned = results.find(r => r !== null)!
    t.match(assigned, { status: 'assigned', assigneeId: a.id, queuedAt: null })
    t.equal(await store.assignConversation(assigned.id, a.id, { capacity: null, onlyIfWaiting: true }, at(2)), null, 'already taken')
    const waiting = conversations.find(c => !results.some(r => r?.id === c.id))!
    const off = await newAgent('cy-off')
    t.equal(await store.assignConversation(waiting.id, off.id, { capacity: null, onlyIfWaiting: true, statuses: ['online'] }, at(3)), null, 'not to an agent who is not online')
    t.equal((await store.getAgent(off.id))?.activeCount, 0)
    await store.setAgentStatus(off.id, { status: 'busy', source: 'api' }, at(4))
    t.equal((await store.assignConversation(waiting.id, off.id, { capacity: null, onlyIfWaiting: true, statuses: ['online', 'busy'] }, at(5)))?.assigneeId, off.id, 'busy is allowed when asked')
  })

  t.test('transfer moves the load; unassign and close give it back', async t => {
    const a = await newAgent('di')
    const b = await newAgent('ed')
    const { conversation } = await store.recordInbound(inbound('m1'), T0)
    await store.assignConversation(conversation.id, a.id, { capacity: 1, onlyIfWaiting: true }, at(1))
    const moved = await store.assignConversation(conversation.id, b.id, { capacity: null, onlyIfWaiting: false }, at(2))
    t.equal(moved?.assigneeId, b.id)
    t.same([(await store.getAgent(a.id))?.activeCount, (await store.getAgent(b.id))?.activeCount], [0, 1])
    const back = await store.unassignConversation(conversation.id, at(3), { teamId: 'aftersales' })
    t.match(back, { status: 'unassigned', assigneeId: null, teamId: 'aftersales' })
    t.equal((await store.getAgent(b.id))?.activeCount, 0)
    await store.assignConversation(conversation.id, a.id, { capacity: 1, onlyIfWaiting: true }, at(4))
    const closed = await store.closeConversation(conversation.id, at(5))
    t.match(closed, { status: 'closed', unreadCount: 0 })
    t.equal((await store.getAgent(a.id))?.activeCount, 0, 'closing frees the slot')
    t.equal((await store.closeConversation(conversation.id, at(6))).status, 'closed', 'closing twice is harmless')
    t.equal((await store.getAgent(a.id))?.activeCount, 0, 'and frees nothing twice')
    await t.rejects(store.unassignConversation(conversation.id, at(7)), { code: 'conversation_closed' })
  })

  t.test('a closed conversation: the next message opens a new one; reopening it then conflicts', async t => {
    const first = await store.recordInbound(inbound('m1'), T0)
    await store.closeConversation(first.conversation.id, at(1))
    const next = await store.recordInbound(inbound('m2'), at(2))
    t.not(next.conversation.id, first.conversation.id)
    t.equal(next.conversationCreated, true)
    await t.rejects(store.reopenConversation(first.conversation.id, at(3)), { code: 'conversation_open_elsewhere' })
    await store.closeConversation(next.conversation.id, at(4))
    t.match(await store.reopenConversation(first.conversation.id, at(5)), { status: 'unassigned', assigneeId: null })
  })

  t.test('the waiting queue: oldest first, positions per team, places kept', async t => {
    const ids: string[] = []
    for (const [i, team] of [['1', 'a'], ['2', 'b'], ['3', 'a'], ['4', null]] as const) {
      const { conversation } = await store.recordInbound(inbound(`q${i}`, { teamId: team, contact: { externalId: `q${i}` } }), at(Number(i)))
      await store.queueConversation(conversation.id, 'all_at_capacity', at(Number(i)), at(Number(i)))
      ids.push(conversation.id)
    }
    const queue = await store.listQueue(10)
    t.same(queue.map(c => c.id), ids)
    t.same(await Promise.all(queue.map(async c => await store.queuePosition(c))), [1, 1, 2, 1], 'positions count within a team')
    t.same((await store.queueSizes()).sort((x, y) => String(x.teamId).localeCompare(String(y.teamId))), [{ teamId: 'a', size: 2 }, { teamId: 'b', size: 1 }, { teamId: null, size: 1 }])
    const requeued = (await store.queueConversation(ids[0]!, 'no_agent_online', at(99), at(99)))?.conversation
    t.equal(requeued?.updatedAt.getTime(), at(99).getTime(), 'updated now')
    t.equal(requeued?.queuedAt?.getTime(), at(1).getTime(), 'a new reason keeps the place')
    t.equal(requeued?.queueReason, 'no_agent_online')
    const a = await newAgent('fu')
    await store.assignConversation(ids[0]!, a.id, { capacity: null, onlyIfWaiting: true }, at(100))
    t.same((await store.listQueue(10)).map(c => c.id), ids.slice(1), 'assigned leaves the queue')
    t.equal(await store.queueConversation(ids[0]!, 'all_at_capacity', at(101), at(101)), null, 'an assigned conversation does not wait')
  })

  t.test('concurrent arrivals into one line are each told a place of their own, as a count gives it', async t => {
    const arrivals = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await store.recordInbound(inbound(`qc${i}`, { contact: { externalId: `qc${i}` } }), at(i / 100))).conversation))
    const inLine = await Promise.all(arrivals.map(async c => await store.queueConversation(c.id, 'no_agent_online', c.createdAt, at(1))))
    const order = (await store.listQueue(100)).map(c => c.id)
    t.same(inLine.map(q => q!.position), inLine.map(q => order.indexOf(q!.conversation.id) + 1), 'each place is where the line has it')
    t.same(inLine.map(q => q!.position).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1))
  })

  t.test('in a long line, one queued a moment late and one handed back far ahead are each told the place a count gives', async t => {
    const agent = await newAgent('ql')
    const n = 1_100
    const arrivals: Conversation[] = []
    for (let i = 0; i < n; i++) arrivals.push((await store.recordInbound(inbound(`ql${i}`, { teamId: 'long', contact: { externalId: `ql${i}` } }), at(200 + i / 1000))).conversation)
    const late = arrivals[n - 50]!
    for (const c of arrivals) if (c !== late) await store.queueConversation(c.id, 'no_agent_online', c.createdAt, at(202))
    const line = async (): Promise<string[]> => (await store.listQueue(5000)).filter(c => c.teamId === 'long').map(c => c.id)
    t.equal((await store.queueConversation(late.id, 'no_agent_online', late.createdAt, at(202)))?.position, n - 49, 'a moment late: 49 came after it')
    t.equal((await line()).indexOf(late.id) + 1, n - 49)
    const first = arrivals[0]!
    await store.assignConversation(first.id, agent.id, { capacity: null, onlyIfWaiting: true }, at(203))
    await store.unassignConversation(first.id, at(203))
    t.equal((await store.queueConversation(first.id, 'all_at_capacity', first.createdAt, at(203)))?.position, 1, 'handed back, first again with 1,099 behind it')
    const middle = (await store.getConversation(arrivals[500]!.id))!
    t.equal(await store.queuePosition(middle), (await line()).indexOf(middle.id) + 1, 'one in the middle of the line')
    t.same((await store.queueSizes()).find(q => q.teamId === 'long')?.size, n)
    for (const c of arrivals) await store.closeConversation(c.id, at(204))
  })

  t.test('queue sizes and places stay right through every way in and out of a line', async t => {
    const agent = await newAgent('qu')
    const teams = ['a', 'b', null] as const
    /** What a count over every waiting conversation says: each team's size and each one's place. */
    const counted = async (): Promise<{ sizes: Record<string, number>, places: Record<string, number> }> => {
      const sizes: Record<string, number> = {}
      const places: Record<string, number> = {}
      for (const c of await store.listQueue(1000)) places[c.id] = sizes[String(c.teamId)] = (sizes[String(c.teamId)] ?? 0) + 1
      return { sizes, places }
    }
    const kept = async (): Promise<{ sizes: Record<string, number>, places: Record<string, number> }> => {
      const sizes = Object.fromEntries((await store.queueSizes()).map(q => [String(q.teamId), q.size]))
      const places: Record<string, number> = {}
      for (const c of await store.listQueue(1000)) places[c.id] = await store.queuePosition(c)
      return { sizes, places }
    }
    // Handed back, an older conversation joins ahead of a newer one: its place is not the back.
    const [older, newer] = [await store.recordInbound(inbound('qo', { contact: { externalId: 'qo' } }), at(0)), await store.recordInbound(inbound('qn', { contact: { externalId: 'qn' } }), at(0.5))]
    for (const { conversation } of [older, newer]) await store.queueConversation(conversation.id, 'all_at_capacity', conversation.createdAt, at(0.5))
    await store.assignConversation(older.conversation.id, agent.id, { capacity: null, onlyIfWaiting: true }, at(0.6))
    await store.unassignConversation(older.conversation.id, at(0.7))
    const back = await store.queueConversation(older.conversation.id, 'all_at_capacity', older.conversation.createdAt, at(0.8))
    t.equal(back?.position, 1, 'queued, it is told its place: first again')
    t.same([await store.queuePosition(back!.conversation), await store.queuePosition((await store.getConversation(newer.conversation.id))!)], [1, 2], 'the older one is first again')
    await store.closeConversation(older.conversation.id, at(0.9))
    await store.closeConversation(newer.conversation.id, at(0.9))
    // A fixed sequence of every move, in a seeded order: join (new or again), assign, close, hand back, transfer, the robot, reopen.
    let seed = 7
    const next = (n: number): number => { seed = (Math.imul(seed, 48271) >>> 0) % 2147483647; return seed % n }
    const made = new Set<number>()
    const ids: string[] = []
    for (let step = 1; step <= 80; step++) {
      const now = at(step)
      const pick = ids[next(Math.max(ids.length, 1))]
      const c = pick === undefined ? null : await store.getConversation(pick)
      const move = c === null ? 0 : next(8)
      if (move === 0) {
        const team = teams[next(teams.length)]!
        const { conversation } = await store.recordInbound(inbound(`ql${step}`, { teamId: team, contact: { externalId: `ql${step}` } }), now)
        ids.push(conversation.id)
        const inLine = await store.queueConversation(conversation.id, 'all_at_capacity', conversation.createdAt, now)
        if (inLine?.position !== (await counted()).places[conversation.id]) return t.fail(`step ${step}: joined at ${inLine?.position}, a count says otherwise`)
      } else if (move === 1 && c!.status === 'unassigned') await store.queueConversation(c!.id, 'no_agent_online', c!.createdAt, now)
      else if (move === 2 && c!.status === 'unassigned') await store.assignConversation(c!.id, agent.id, { capacity: null, onlyIfWaiting: true }, now)
      else if (move === 3) await store.closeConversation(c!.id, now)
      else if (move === 4 && c!.status !== 'closed') await store.unassignConversation(c!.id, now)
      else if (move === 5 && c!.status !== 'closed') await store.unassignConversation(c!.id, now, { teamId: teams[next(teams.length)]! })
      else if (move === 6 && c!.status !== 'closed') await store.setConversationBot(c!.id, c!.status !== 'bot', now)
      else if (move === 7 && c!.status === 'closed') await store.reopenConversation(c!.id, now).catch(() => null)
      else if (c!.status === 'unassigned') await store.queueConversation(c!.id, 'team_offline', now, now)
      made.add(move)
      const sorted = ({ sizes, places }: { sizes: Record<string, number>, places: Record<string, number> }): string =>
        JSON.stringify([Object.entries(sizes).sort(), Object.entries(places).sort()])
      const [have, want] = [await kept(), await counted()]
      if (sorted(have) !== sorted(want)) return t.same(have, want, `after step ${step} (move ${move})`)
    }
    t.same([...made].sort(), [0, 1, 2, 3, 4, 5, 6, 7], 'the sequence made every move')
    t.ok(Object.keys((await counted()).places).length > 3, 'the sequence left several waiting')
    t.pass('the kept sizes and places matched a count after each of 80 moves')
  })

  t.test('visibility: team, every-agent, and own conversations', async t => {
    const mine = await newAgent('gu', { teams: ['a'] })
    await store.recordInbound(inbound('v1', { teamId: 'a', contact: { externalId: 'v1' } }), at(1))
    await store.recordInbound(inbound('v2', { teamId: 'b', contact: { externalId: 'v2' } }), at(2))
    await store.recordInbound(inbound('v3', { teamId: null, contact: { externalId: 'v3' } }), at(3))
    const other = (await store.recordInbound(inbound('v4', { teamId: 'b', contact: { externalId: 'v4' } }), at(4))).conversation
    await store.assignConversation(other.id, mine.id, { capacity: null, onlyIfWaiting: true }, at(5))
    const seen = await store.listConversations({ visibleTo: { agentId: mine.id, teams: ['a'] } }, { limit: 10 })
    t.same(seen.items.map(c => c.teamId).sort(), ['a', 'b', null].sort() as Array<string | null>)
    t.equal(seen.items.length, 3, 'not the other team\'s unassigned one')
  })

  t.test('a contact\'s history across channels and conversations, and who served them', async t => {
    const web = await store.recordInbound(inbound('h1', { channelId: 'web', contact: { externalId: 'same' } }), at(1))
    await store.closeConversation(web.conversation.id, at(2))
    await store.recordInbound(inbound('h2', { channelId: 'web', contact: { externalId: 'same' } }), at(3))
    await store.recordInbound(inbound('h3', { channelId: 'shop', contact: { externalId: 'other-id-same-person' } }), at(4))
    const history = await store.listContactMessages(web.conversation.contactId, { limit: 10 })
    t.same(history.items.map(m => m.externalId), ['h1', 'h2'], 'identities on other channels are other contacts until merged')
    const first = await store.listContactMessages(web.conversation.contactId, { limit: 1 })
    t.equal((await store.listContactMessages(web.conversation.contactId, { limit: 1, cursor: first.nextCursor! })).items[0]?.externalId, 'h2')
    await store.recordServed(web.conversation.contactId, 'agent-x', at(5))
    t.match(await store.getContact(web.conversation.contactId), { lastAgentId: 'agent-x', lastAgentAt: at(5) })
    t.equal((await store.listConversations({ contactId: web.conversation.contactId }, { limit: 10 })).items.length, 2)
  })

  t.test('threads: a contact has one open conversation per channel and thread', async t => {
    const a = await store.recordInbound(inbound('t1', { thread: 'order-1' }), at(1))
    const b = await store.recordInbound(inbound('t2', { thread: 'refund-7' }), at(2))
    const a2 = await store.recordInbound(inbound('t3', { thread: 'order-1' }), at(3))
    const plain = await store.recordInbound(inbound('t4'), at(4))
    t.not(a.conversation.id, b.conversation.id, 'another thread is another conversation')
    t.equal(a2.conversation.id, a.conversation.id, 'the same thread continues')
    t.not(plain.conversation.id, a.conversation.id, 'no thread is a thread of its own')
    t.equal(a.conversation.contactId, b.conversation.contactId, 'one contact')
    await store.closeConversation(a.conversation.id, at(5))
    t.equal((await store.reopenConversation(a.conversation.id, at(6))).status, 'unassigned', 'a closed thread reopens beside the others')
  })

  t.test('a matched conversation is joined, even on another channel, and reopened if closed', async t => {
    const web = await store.recordInbound(inbound('w1', { channelId: 'web', contact: { externalId: 'visitor-1', email: 'Ann@Example.com' } }), at(1))
    await store.closeConversation(web.conversation.id, at(2))
    const mail = await store.recordInbound(inbound('<r1@mail>', {
      channelId: 'email', conversationId: web.conversation.id, contact: { externalId: 'ann@example.com', email: 'ann@example.com' }, sentAt: at(3)
    }), at(3))
    t.equal(mail.conversation.id, web.conversation.id, 'the reply joins the webchat conversation')
    t.equal(mail.conversation.status, 'unassigned', 'and reopens it')
    t.equal(mail.conversation.unreadCount, 1)
    t.equal(mail.message.channelId, 'email', 'the message keeps its own channel')
    t.equal(mail.conversationCreated, false)
    const contact = await store.getContact(web.conversation.contactId)
    t.same(contact?.identities.map(i => i.channelId).sort(), ['email', 'web'], 'the address joined the contact whose email it is')
    t.equal(mail.message.author.id, web.conversation.contactId)

    const stranger = await store.recordInbound(inbound('<r2@mail>', {
      channelId: 'email', conversationId: web.conversation.id, contact: { externalId: 'bob@example.com', email: 'bob@example.com' }
    }), at(4))
    t.equal(stranger.conversation.id, web.conversation.id, 'a colleague on the thread is heard in it')
    t.not(stranger.message.author.id, web.conversation.contactId, 'as a contact of their own')
    const again = await store.recordInbound(inbound('w2', { channelId: 'web', conversationId: 'no-such-conversation', contact: { externalId: 'visitor-1' } }), at(5))
    t.equal(again.conversation.id, web.conversation.id, 'an unknown match falls back to the open conversation')
  })

  t.test('a closed match reopens only if the contact has no other open one there', async t => {
    const first = await store.recordInbound(inbound('c1'), at(1))
    await store.closeConversation(first.conversation.id, at(2))
    const second = await store.recordInbound(inbound('c2'), at(3))
    const late = await store.recordInbound(inbound('c3', { conversationId: first.conversation.id }), at(4))
    t.equal(late.conversation.id, second.conversation.id, 'it continues the open one')
    t.equal((await store.getConversation(first.conversation.id))?.status, 'closed')
    const redelivered = await store.recordInbound(inbound('c1', { conversationId: first.conversation.id }), at(5))
    t.equal(redelivered.duplicate, true)
    t.equal((await store.getConversation(first.conversation.id))?.status, 'closed', 'a redelivery reopens nothing')
  })

  t.test('a note-level inbound event is kept but neither routed, unread nor a window', async t => {
    const open = await store.recordInbound(inbound('n1', { sentAt: at(1) }), at(1))
    const note = await store.recordInbound(inbound('n2', { direction: 'note', sentAt: at(9), extras: { automated: 'auto_submitted', subject: 'Out of office' } }), at(10))
    t.equal(note.conversation.id, open.conversation.id)
    t.match(note.message, { direction: 'note', routed: true, author: { type: 'contact' }, extras: { automated: 'auto_submitted', subject: 'Out of office' } })
    t.equal(note.conversation.unreadCount, 1, 'not unread')
    t.equal(note.conversation.lastInboundAt?.getTime(), at(1).getTime(), 'no reply window')
    t.same((await store.listUnfinished(at(100), 10)).unrouted.map(m => m.externalId), ['n1'], 'never waits for routing')
    const alone = await store.recordInbound(inbound('n3', { direction: 'note', contact: { externalId: 'newsletter' } }), at(11))
    t.equal(alone.conversation.status, 'closed', 'a note with nothing to join is kept in a closed conversation')
    t.equal(alone.conversationCreated, true)
  })

  t.test('messages are found by their channel ids; replies can leave on another channel', async t => {
    const r = await store.recordInbound(inbound('<a@x>', { extras: { subject: 'Hi', fullText: 'Hi\n> old' } }), at(1))
    t.same(r.message.extras, { subject: 'Hi', fullText: 'Hi\n> old' })
    t.same((await store.getMessage(r.message.id))?.extras, { subject: 'Hi', fullText: 'Hi\n> old' }, 'extras are kept')
    const reply = await store.recordOutbound({ conversationId: r.conversation.id, channelId: 'email', direction: 'outbound', author: { type: 'agent', id: 'a1' }, text: 'hello', attachments: [], cards: [], tag: null }, at(2))
    t.equal(reply.channelId, 'email')
    t.equal(reply.extras, null)
    await store.updateMessageStatus(reply.id, { status: 'sent', externalId: '<b@hub>' }, at(3))
    t.same((await store.findMessagesByExternalId('email', ['<b@hub>', '<nope@x>'])).map(m => m.id), [reply.id])
    t.same((await store.findMessagesByExternalId('web', ['<a@x>', '<b@hub>'])).map(m => m.id), [r.message.id], 'per channel')
    t.same(await store.findMessagesByExternalId('web', []), [])
  })

  t.test('contact details from a channel overwrite fields and merge attributes; unknown identities are null', async t => {
    t.equal(await store.updateContact('web', 'nobody', { name: 'X' }, T0), null)
    const r = await store.recordInbound(inbound('m1', { contact: { externalId: 'cust-1', name: 'Ann', phone: '+100' } }), T0)
    await store.updateContact('web', 'cust-1', { attributes: { plan: 'gold', cart: 3 } }, at(1))
    const updated = await store.updateContact('web', 'cust-1', { name: 'Ann Lee', email: 'ann@example.com', attributes: { cart: null, vip: true } }, at(2))
    t.match(updated, { id: r.conversation.contactId, name: 'Ann Lee', email: 'ann@example.com', phone: '+100' })
    t.same(updated?.attributes, { plan: 'gold', vip: true }, 'merged; null removed one')
    t.equal(updated?.updatedAt.getTime(), at(2).getTime())
    t.same((await store.getContact(r.conversation.contactId))?.attributes, { plan: 'gold', vip: true })
  })

  t.test('page views: kept per identity before a contact exists, first visit and newest pages', async t => {
    t.same(await store.browsing([]), { firstVisit: null, recentPages: [] })
    const view = (n: number, over = {}) => ({ url: `https://shop.example/p/${n}`, title: `Page ${n}`, referrer: null, at: at(n), ...over })
    await store.recordPageView('web', 'visitor-1', view(0, { referrer: 'https://search.example/?q=shoes' }))
    for (let n = 1; n <= PAGE_VIEWS_KEPT + 5; n++) await store.recordPageView('web', 'visitor-1', view(n))
    await store.recordPageView('web', 'visitor-2', view(500))
    const mine = await store.browsing([{ channelId: 'web', externalId: 'visitor-1' }])
    t.same(mine.firstVisit, view(0, { referrer: 'https://search.example/?q=shoes' }), 'the first visit stays however many pages follow')
    t.equal(mine.recentPages.length, RECENT_PAGES)
    t.same(mine.recentPages[0], view(PAGE_VIEWS_KEPT + 5), 'newest first')
    t.same(mine.recentPages.map(p => p.title).slice(0, 2), [`Page ${PAGE_VIEWS_KEPT + 5}`, `Page ${PAGE_VIEWS_KEPT + 4}`])
    const both = await store.browsing([{ channelId: 'web', externalId: 'visitor-1' }, { channelId: 'web', externalId: 'visitor-2' }])
    t.equal(both.recentPages[0]?.title, 'Page 500', 'identities of one contact together')
    t.same((await store.browsing([{ channelId: 'other', externalId: 'visitor-1' }])).recentPages, [], 'per channel')
  })

  t.test('reading a conversation clears its unread count', async t => {
    await store.recordInbound(inbound('m1'), T0)
    const r = await store.recordInbound(inbound('m2'), at(1))
    t.equal(r.conversation.unreadCount, 2)
    const read = await store.markConversationRead(r.conversation.id, at(2))
    t.equal(read.unreadCount, 0)
    t.equal((await store.recordInbound(inbound('m3'), at(3))).conversation.unreadCount, 1, 'counts again from zero')
    await t.rejects(store.markConversationRead('nope', at(4)), { code: 'not_found' })
  })

  t.test('inbox filters: open, teams, unread, tag and search by contact or message text', async t => {
    const ann = await store.recordInbound(inbound('f1', { teamId: 'sales', contact: { externalId: 'ann', name: 'Ann Lee', email: 'ann@shop.example' }, text: 'Where is my parcel?' }), at(1))
    const bo = await store.recordInbound(inbound('f2', { teamId: 'support', contact: { externalId: 'bo', name: '王波' }, text: '退货怎么办 100%_off' }), at(2))
    const cy = await store.recordInbound(inbound('f3', { teamId: null, contact: { externalId: 'cy', name: 'Cy' }, text: 'hello' }), at(3))
    await store.closeConversation(cy.conversation.id, at(4))
    await store.markConversationRead(bo.conversation.id, at(5))
    await store.setConversationTags(ann.conversation.id, ['vip', 'refund'], at(6))
    const ids = async (filter: Parameters<Store['listConversations']>[0]) => (await store.listConversations(filter, { limit: 10 })).items.map(c => c.id)
    t.same(await ids({ status: 'open' }), [bo.conversation.id, ann.conversation.id], 'open: anything not closed')
    t.same(await ids({ teamIds: ['sales', 'support'] }), [bo.conversation.id, ann.conversation.id])
    t.same(await ids({ unread: true }), [ann.conversation.id], 'read and closed ones are not unread')
    t.same(await ids({ tag: 'vip' }), [ann.conversation.id])
    t.same(await ids({ tag: 'vi' }), [], 'tags match whole')
    t.same(await ids({ search: 'ANN@shop' }), [ann.conversation.id], 'by email, any case')
    t.same(await ids({ search: 'lee' }), [ann.conversation.id], 'by name')
    t.same(await ids({ search: 'parcel' }), [ann.conversation.id], 'by message text')
    t.same(await ids({ search: '退货' }), [bo.conversation.id], 'Chinese text')
    t.same(await ids({ search: '王' }), [bo.conversation.id], 'Chinese name')
    t.same(await ids({ search: '%_' }), [bo.conversation.id], 'wildcards are taken literally')
    t.same(await ids({ search: '%' }), [bo.conversation.id])
    t.same(await ids({ search: 'nothing like it' }), [])
    t.equal(await store.countConversations({ status: 'open' }), 2)
    t.equal(await store.countConversations({ search: 'hello', status: 'closed' }), 1)
    t.equal(await store.countConversations({ teamIds: [] }), 0)
    t.same((await store.getConversation(ann.conversation.id))?.tags, ['vip', 'refund'])
    await t.rejects(store.setConversationTags('nope', [], at(7)), { code: 'not_found' })
  })

  t.test('list rows: the newest message of each conversation, and contacts by id', async t => {
    const a = await store.recordInbound(inbound('l1', { contact: { externalId: 'la', name: 'A' } }), at(1))
    await store.recordInbound(inbound('l2', { contact: { externalId: 'la', name: 'A' }, text: 'second' }), at(2))
    const b = await store.recordInbound(inbound('l3', { contact: { externalId: 'lb', name: 'B' } }), at(3))
    await store.recordOutbound({ conversationId: b.conversation.id, direction: 'outbound', author: { type: 'agent', id: 'x' }, text: 'our answer', attachments: [], cards: [], tag: null }, at(4))
    const last = await store.lastMessages([a.conversation.id, b.conversation.id, 'unknown'])
    t.same(last.map(m => [m.conversationId, m.text]).sort(), [[a.conversation.id, 'second'], [b.conversation.id, 'our answer']].sort())
    t.same(await store.lastMessages([]), [])
    const contacts = await store.getContacts([a.conversation.contactId, b.conversation.contactId, 'unknown'])
    t.same(contacts.map(c => c.name).sort(), ['A', 'B'])
    t.same(contacts.find(c => c.name === 'A')?.identities.map(i => i.externalId), ['la'])
  })

  t.test('an agent edits a contact: profile, tags and notes; null clears', async t => {
    const r = await store.recordInbound(inbound('e1', { contact: { externalId: 'ed', name: 'Ed', email: 'ed@x' } }), T0)
    const edited = await store.editContact(r.conversation.contactId, { tags: ['vip'], notes: 'Prefers mornings', phone: '+86 138' }, at(1))
    t.match(edited, { name: 'Ed', email: 'ed@x', phone: '+86 138', tags: ['vip'], notes: 'Prefers mornings' })
    t.equal(edited.updatedAt.getTime(), at(1).getTime())
    const cleared = await store.editContact(r.conversation.contactId, { email: null, notes: null }, at(2))
    t.match(cleared, { name: 'Ed', email: null, notes: null, tags: ['vip'] })
    t.equal(cleared.identities.length, 1)
    await t.rejects(store.editContact('nope', { tags: [] }, at(3)), { code: 'not_found' })
  })

  t.test('a suppression is kept with its reason, channel, detail and time, counted per channel, and lifted by null', async t => {
    const a = await store.recordInbound(inbound('s1', { contact: { externalId: 'sup-a' } }), T0)
    const b = await store.recordInbound(inbound('s2', { contact: { externalId: 'sup-b' } }), T0)
    const c = await store.recordInbound(inbound('s3', { contact: { externalId: 'sup-c' } }), T0)
    t.equal((await store.getContact(a.conversation.contactId))!.suppression, null, 'a new contact has none')
    const before = await store.countSuppressed()
    const complained = await store.editContact(a.conversation.contactId, { suppression: { reason: 'complained', channelId: 'mail-1', detail: 'abuse', at: at(1) } }, at(1))
    t.same(complained.suppression, { reason: 'complained', channelId: 'mail-1', detail: 'abuse', at: at(1) })
    t.same((await store.getContact(a.conversation.contactId))!.suppression, complained.suppression, 'read back as written')
    await store.editContact(b.conversation.contactId, { suppression: { reason: 'undeliverable', channelId: 'mail-1', detail: null, at: at(2) } }, at(2))
    await store.editContact(c.conversation.contactId, { suppression: { reason: 'undeliverable', channelId: 'mail-1', detail: '5.1.1', at: at(2) } }, at(2))
    const mine = async (): Promise<Array<{ channelId: string, reason: string, count: number }>> => (await store.countSuppressed()).filter(r => r.channelId === 'mail-1')
    t.same(before.filter(r => r.channelId === 'mail-1'), [])
    t.same(await mine(), [{ channelId: 'mail-1', reason: 'complained', count: 1 }, { channelId: 'mail-1', reason: 'undeliverable', count: 2 }])
    const lifted = await store.editContact(b.conversation.contactId, { suppression: null, notes: 'asked to be mailed again' }, at(3))
    t.match(lifted, { suppression: null, notes: 'asked to be mailed again' })
    t.same(await mine(), [{ channelId: 'mail-1', reason: 'complained', count: 1 }, { channelId: 'mail-1', reason: 'undeliverable', count: 1 }])
    t.same((await store.editContact(c.conversation.contactId, { tags: ['vip'] }, at(4))).suppression?.reason, 'undeliverable', 'another edit leaves it')
  })

  t.test('a customer edits a message: the earlier text kept in order, a redelivered or older edit changes nothing; reactions come and go', async t => {
    const r = await store.recordInbound(inbound('ed-1', { text: 'I ordered size M' }), T0)
    const first = await store.amendMessage(r.message.id, { text: 'I ordered size L', revision: 1 }, at(1))
    t.match(first, { text: 'I ordered size L', extras: { edits: [{ text: 'I ordered size M', at: at(1).toISOString() }], revision: 1 } })
    t.equal(first!.updatedAt.getTime(), at(1).getTime())
    t.same((await store.amendMessage(r.message.id, { text: 'I ordered size L', revision: 1 }, at(2)))!.extras?.edits?.length, 1, 'a redelivery adds nothing')
    t.equal((await store.amendMessage(r.message.id, { text: 'I ordered size S', revision: 1 }, at(2)))!.text, 'I ordered size L', 'an edit not newer than the stored one is ignored')
    const third = await store.amendMessage(r.message.id, { text: 'I ordered size XL', revision: 3 }, at(3))
    t.same(third!.extras?.edits?.map(e => e.text), ['I ordered size M', 'I ordered size L'])
    t.equal((await store.getMessage(r.message.id))!.text, 'I ordered size XL', 'read back')

    const liked = await store.amendMessage(r.message.id, { reaction: { emoji: '❤️' } }, at(4))
    t.same(liked!.extras?.reaction, { emoji: '❤️', at: at(4).toISOString() })
    t.equal(liked!.text, 'I ordered size XL', 'a reaction leaves the text')
    t.equal((await store.amendMessage(r.message.id, { reaction: null }, at(5)))!.extras?.reaction, undefined, 'taken back')
    t.equal(await store.amendMessage('nope', { reaction: null }, at(6)), null)
  })

  t.test('concurrent edits of one message lose none of its texts', async t => {
    const r = await store.recordInbound(inbound('ed-2', { text: 'first' }), T0)
    await Promise.all(['second', 'third', 'fourth'].map(async (text, i) => await store.amendMessage(r.message.id, { text }, at(i + 1))))
    const message = (await store.getMessage(r.message.id))!
    t.same([...message.extras!.edits!.map(e => e.text), message.text].sort(), ['first', 'fourth', 'second', 'third'], 'every text is the current one or in the history')
  })

  t.test("a conversation's channel state merges, a null removes a key, concurrent patches all land", async t => {
    const r = await store.recordInbound(inbound('cs-1'), T0)
    t.same(r.conversation.channelState, {}, 'empty at first')
    t.same((await store.setChannelState(r.conversation.id, { threadOwner: '263902037430900', windowUntil: 1_700_000_000_000 }, at(1)))!.channelState, { threadOwner: '263902037430900', windowUntil: 1_700_000_000_000 })
    const patched = await store.setChannelState(r.conversation.id, { threadOwner: null, standby: true }, at(2))
    t.same(patched!.channelState, { windowUntil: 1_700_000_000_000, standby: true })
    t.equal(patched!.updatedAt.getTime(), at(2).getTime())
    await Promise.all(['a', 'b', 'c', 'd'].map(async (k, i) => await store.setChannelState(r.conversation.id, { [k]: i }, at(3))))
    t.same((await store.getConversation(r.conversation.id))!.channelState, { windowUntil: 1_700_000_000_000, standby: true, a: 0, b: 1, c: 2, d: 3 })
    t.equal(await store.setChannelState('nope', { a: 1 }, at(4)), null)
  })

  t.test('a new identity the channel names as the same as a known one joins its contact and conversation', async t => {
    const guest = await store.recordInbound(inbound('sa-1', { contact: { externalId: 'user_ref:abc' } }), T0)
    const known = await store.recordInbound(inbound('sa-2', { contact: { externalId: 'psid-9', sameAs: 'user_ref:abc' } }), at(1))
    t.equal(known.conversation.contactId, guest.conversation.contactId, 'the same contact')
    t.equal(known.conversation.id, guest.conversation.id, 'in the same open conversation')
    t.same((await store.getContact(guest.conversation.contactId))!.identities.map(i => i.externalId).sort(), ['psid-9', 'user_ref:abc'])
    const stranger = await store.recordInbound(inbound('sa-3', { contact: { externalId: 'psid-10', sameAs: 'user_ref:never-seen' } }), at(2))
    t.not(stranger.conversation.contactId, guest.conversation.contactId, 'an unknown sameAs makes a contact of its own')
    const again = await store.recordInbound(inbound('sa-4', { contact: { externalId: 'psid-10', sameAs: 'user_ref:abc' } }), at(3))
    t.equal(again.conversation.contactId, stranger.conversation.contactId, 'a known identity stays where it is')
  })

  t.test('a failed reply goes back to pending once; others are left alone', async t => {
    const r = await store.recordInbound(inbound('r1'), T0)
    const reply = await store.recordOutbound({ conversationId: r.conversation.id, direction: 'outbound', author: { type: 'agent', id: 'x' }, text: 'hi', attachments: [], cards: [], tag: null }, at(1))
    t.equal(await store.retryMessage(reply.id, at(2)), null, 'a pending reply is not retried')
    await store.updateMessageStatus(reply.id, { status: 'failed', errorCode: 'send_failed', errorMessage: 'down' }, at(3))
    const [first, second] = await Promise.all([store.retryMessage(reply.id, at(4)), store.retryMessage(reply.id, at(4))])
    t.equal([first, second].filter(m => m !== null).length, 1, 'one retry wins')
    t.match(first ?? second, { status: 'pending', errorCode: null, errorMessage: null })
    t.equal(await store.retryMessage(r.message.id, at(5)), null, 'inbound messages are never retried')
  })

  t.test('ping answers while open', async t => {
    await t.resolves(store.ping())
  })
}
