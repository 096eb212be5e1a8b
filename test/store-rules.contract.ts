import type { Test } from 'tap'
import type { Conversation } from '../core/model/index.js'
import { FaultPlan, InjectedCrash } from '../core/store/faults.js'
import type { InboundRecord, Store } from '../core/store/index.js'

export interface RulesOptions {
  /** Every multi-write operation is one transaction (sqlite; mongodb on a replica set): a crash leaves nothing half-written. */
  transactional: boolean
}

/**
 * The rules of core/store/inbox.ts and core/store/faq.ts, one test each, run against every
 * driver: concurrency by racing the operations many times at once, crashes through the
 * driver's fault plan (a crash after each of an operation's writes in turn, then the
 * redelivery or `repair`, then every rule checked).
 */
export function storeRules (t: Test, makeStore: (faults: FaultPlan) => Promise<Store>, options: RulesOptions): void {
  const T0 = new Date('2026-11-01T10:00:00Z')
  const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000)
  /** Far enough ahead that `repair` treats nothing as work still under way. */
  const LATER = at(86_400)
  const inbound = (externalId: string, over: Partial<InboundRecord> = {}): InboundRecord => ({
    channelId: 'web', teamId: null, externalId, contact: { externalId: 'cust-1', name: 'Ann' }, text: `text ${externalId}`,
    attachments: [], cards: [], sentAt: T0, ...over
  })
  const agentOf = (n: number): Parameters<Store['createAgent']>[0] => ({ name: `Agent ${n}`, email: `a${n}@example.com`, role: 'agent', teams: [], tokenHash: `h${n}` })
  const anyAgent = { capacity: null, onlyIfWaiting: false }

  async function opened (faults = new FaultPlan()): Promise<{ store: Store, faults: FaultPlan }> {
    const store = await makeStore(faults)
    await store.open()
    return { store, faults }
  }

  async function withStore (t: Test, work: (store: Store) => Promise<void>): Promise<void> {
    const { store } = await opened()
    t.teardown(async () => await store.close())
    await work(store)
  }

  async function allConversations (store: Store): Promise<Conversation[]> {
    return (await store.listConversations({}, { limit: 1000 })).items
  }

  /** Rules 1, 2, 3 and 4 over everything in the store; `unread: false` where conversations were closed and reopened (a close reads everything). */
  async function checkRules (t: Test, store: Store, label: string, { unread = true } = {}): Promise<void> {
    const conversations = await allConversations(store)
    const open = conversations.filter(c => c.status !== 'closed')
    const places = open.map(c => `${c.channelId}|${c.contactId}`)
    t.equal(new Set(places).size, places.length, `${label}: at most one open conversation per contact and channel`)
    const externalIds = new Map<string, number>()
    for (const c of conversations) {
      const messages = (await store.listMessages(c.id, { limit: 1000 })).items
      for (const m of messages) if (m.externalId !== null) externalIds.set(`${m.channelId}|${m.externalId}`, (externalIds.get(`${m.channelId}|${m.externalId}`) ?? 0) + 1)
      const customer = messages.filter(m => m.direction === 'inbound')
      if (unread && c.status !== 'closed') t.equal(c.unreadCount, customer.length, `${label}: unreadCount counts each customer message once`)
      const newestSent = Math.max(...customer.map(m => m.sentAt!.getTime()))
      t.equal(c.lastInboundAt?.getTime() ?? null, customer.length === 0 ? null : newestSent, `${label}: lastInboundAt is the newest customer message`)
      // A customer-side note (an auto-reply, a held message) does not bring the conversation up.
      const active = messages.filter(m => m.direction !== 'note' || m.author.type !== 'contact')
      if (active.length > 0) t.ok(c.lastActivityAt.getTime() >= Math.max(...active.map(m => m.createdAt.getTime())), `${label}: lastActivityAt has every message but customer-side notes`)
    }
    t.ok([...externalIds.values()].every(n => n === 1), `${label}: each channel message is stored once`)
    for (const agent of await store.listAgents()) {
      const assigned = conversations.filter(c => c.assigneeId === agent.id && c.status !== 'closed').length
      t.equal(agent.activeCount, assigned, `${label}: ${agent.name}'s activeCount is their open assigned conversations`)
    }
  }

  /**
   * Crashes `operation` after its first write, then after its second, and so on until it runs
   * through; after each crash `finish` redelivers or repairs, and every rule is checked.
   * Returns how many crashes were injected.
   */
  async function everyCrash<S> (t: Test, scenario: {
    setup: (store: Store) => Promise<S>
    operation: (store: Store, state: S) => Promise<unknown>
    finish: (store: Store, state: S) => Promise<void>
    check?: (t: Test, store: Store, state: S, label: string) => Promise<void>
  }): Promise<number> {
    for (let k = 1; k < 40; k++) {
      const { store, faults } = await opened()
      try {
        const state = await scenario.setup(store)
        faults.crashAfterWrites(k)
        let crashed = false
        try {
          await scenario.operation(store, state)
        } catch (err) {
          if (!(err instanceof InjectedCrash)) throw err
          crashed = true
        }
        faults.count()
        const label = crashed ? `crash after write ${k}` : 'no crash'
        await scenario.finish(store, state)
        await checkRules(t, store, label)
        await scenario.check?.(t, store, state, label)
        if (!crashed) return k - 1
      } finally {
        await store.close()
      }
    }
    throw new Error('the operation never ran through')
  }

  t.test('rule 1: concurrent first messages of one contact open one conversation', async t => {
    await withStore(t, async store => {
      const results = await Promise.all(Array.from({ length: 20 }, async (_, i) => await store.recordInbound(inbound(`m${i}`, { sentAt: at(i) }), at(i))))
      t.equal(new Set(results.map(r => r.conversation.id)).size, 1, 'every message is in the same conversation')
      t.equal(results.filter(r => r.conversationCreated).length, 1, 'exactly one delivery created it')
      t.equal((await store.getConversation(results[0]!.conversation.id))?.unreadCount, 20)
      await checkRules(t, store, 'after the race')
    })
  })

  t.test('rule 1: reopening races a new message from the same contact; one conversation stays open', async t => {
    await withStore(t, async store => {
      for (let round = 0; round < 10; round++) {
        const { conversation } = await store.recordInbound(inbound(`first-${round}`), at(round))
        await store.closeConversation(conversation.id, at(round))
        await Promise.allSettled([store.reopenConversation(conversation.id, at(round)), store.recordInbound(inbound(`next-${round}`), at(round))])
        await checkRules(t, store, `round ${round}`, { unread: false })
        const open = (await allConversations(store)).filter(c => c.status !== 'closed')
        await Promise.all(open.map(async c => await store.closeConversation(c.id, at(round))))
      }
    })
  })

  t.test('rule 2: a duplicate inbound writes nothing, not even the profile it carries', async t => {
    await withStore(t, async store => {
      const first = await store.recordInbound(inbound('m1'), T0)
      const again = await store.recordInbound(inbound('m1', { text: 'other', contact: { externalId: 'cust-1', name: 'Ann', phone: '+15550100', email: 'ann@example.com' } }), at(5))
      t.equal(again.duplicate, true)
      t.equal(again.message.id, first.message.id)
      t.match(await store.getContact(first.conversation.contactId), { phone: null, email: null }, 'the redelivery filled nothing')
      t.equal((await allConversations(store)).length, 1)
    })
  })

  t.test('rule 2: a redelivery after its conversation was closed leaves no new conversation behind', async t => {
    await withStore(t, async store => {
      const first = await store.recordInbound(inbound('m1'), T0)
      await store.closeConversation(first.conversation.id, at(1))
      const again = await store.recordInbound(inbound('m1'), at(2))
      t.equal(again.duplicate, true)
      t.equal(again.conversation.id, first.conversation.id)
      t.same((await allConversations(store)).map(c => c.status), ['closed'], 'no open, empty conversation was made')
      // The same for a message the channel matched to that conversation (an email reply's headers).
      const matched = await store.recordInbound(inbound('m2', { conversationId: first.conversation.id }), at(3))
      await store.closeConversation(matched.conversation.id, at(4))
      await store.recordInbound(inbound('m2', { conversationId: first.conversation.id }), at(5))
      t.same((await allConversations(store)).map(c => c.status), ['closed'], 'the redelivered reply did not reopen it')
    })
  })

  t.test('rule 2: concurrent redeliveries of a message whose conversation is closing store it once', async t => {
    await withStore(t, async store => {
      for (let round = 0; round < 10; round++) {
        const first = await store.recordInbound(inbound(`r${round}`), at(round))
        await Promise.all([
          store.closeConversation(first.conversation.id, at(round)),
          ...Array.from({ length: 5 }, async () => await store.recordInbound(inbound(`r${round}`), at(round)))
        ])
        await checkRules(t, store, `round ${round}`)
        t.equal((await allConversations(store)).filter(c => c.status !== 'closed').length, 0, `round ${round}: nothing new was opened`)
      }
    })
  })

  t.test('rule 3: a crash anywhere in storing a new contact\'s message; the redelivery finishes it', async t => {
    const crashes = await everyCrash(t, {
      setup: async () => undefined,
      operation: async store => await store.recordInbound(inbound('m1', { sentAt: at(1) }), at(1)),
      finish: async store => { await store.recordInbound(inbound('m1', { sentAt: at(1) }), at(2)) },
      check: async (t, store, _s, label) => {
        const [conversation] = await allConversations(store)
        t.match(conversation, { unreadCount: 1, status: 'unassigned' }, `${label}: stored and counted once`)
        t.equal(conversation?.lastInboundAt?.getTime(), at(1).getTime(), `${label}: the window runs from the message`)
      }
    })
    t.ok(crashes >= 3, `crashed at each of the ${crashes} writes`)
  })

  t.test('rule 3: a crash anywhere in storing a returning customer\'s message; repair counts it without a redelivery', async t => {
    await everyCrash(t, {
      setup: async store => await store.recordInbound(inbound('m1', { sentAt: at(1) }), at(1)),
      operation: async store => await store.recordInbound(inbound('m2', { sentAt: at(10) }), at(10)),
      finish: async store => { await store.repair(LATER) },
      check: async (t, store, first, label) => {
        const conversation = await store.getConversation(first.conversation.id)
        const stored = (await store.listMessages(first.conversation.id, { limit: 10 })).items.length
        t.equal(conversation?.unreadCount, stored, `${label}: what is stored is counted`)
        // And a redelivery then neither doubles it nor loses it.
        await store.recordInbound(inbound('m2', { sentAt: at(10) }), at(11))
        t.equal((await store.getConversation(first.conversation.id))?.unreadCount, 2, `${label}: counted once after the redelivery`)
        t.equal((await store.getConversation(first.conversation.id))?.lastInboundAt?.getTime(), at(10).getTime())
      }
    })
  })

  t.test('rule 3: repair twice, and redelivery after repair, count nothing twice', async t => {
    await withStore(t, async store => {
      const first = await store.recordInbound(inbound('m1'), T0)
      await store.repair(LATER)
      await store.repair(LATER)
      await store.recordInbound(inbound('m1'), at(1))
      t.equal((await store.getConversation(first.conversation.id))?.unreadCount, 1)
      t.same(await store.repair(LATER), { counted: 0, agents: 0 }, 'nothing was left to repair')
    })
  })

  t.test('rule 4: unassign racing close never reopens the conversation nor counts twice', async t => {
    await withStore(t, async store => {
      const agent = await store.createAgent(agentOf(1), T0)
      for (let round = 0; round < 20; round++) {
        const { conversation } = await store.recordInbound(inbound(`m${round}`, { contact: { externalId: `cust-${round}` } }), at(round))
        await store.assignConversation(conversation.id, agent.id, anyAgent, at(round))
        const [unassigned] = await Promise.allSettled([store.unassignConversation(conversation.id, at(round)), store.closeConversation(conversation.id, at(round))])
        if (unassigned.status === 'rejected') t.match(unassigned.reason, { code: 'conversation_closed' }, `round ${round}: refused as closed`)
        t.equal((await store.getConversation(conversation.id))?.status, 'closed', `round ${round}: the close stands`)
        t.equal((await store.getAgent(agent.id))?.activeCount, 0, `round ${round}: the slot was given back once`)
        const next = await store.recordInbound(inbound(`again-${round}`, { contact: { externalId: `cust-${round}` } }), at(round))
        t.equal(next.conversationCreated, true, `round ${round}: the customer's next message opens a new conversation`)
        t.not(next.conversation.id, conversation.id)
        await store.closeConversation(next.conversation.id, at(round))
      }
      await checkRules(t, store, 'after the races')
    })
  })

  t.test('rule 4: concurrent assign, transfer, unassign, close and reopen keep every open count exact', async t => {
    await withStore(t, async store => {
      const agents = await Promise.all([1, 2, 3].map(async n => await store.createAgent({ ...agentOf(n), capacity: 3 }, T0)))
      const conversations = await Promise.all(Array.from({ length: 8 }, async (_, i) =>
        (await store.recordInbound(inbound(`m${i}`, { contact: { externalId: `cust-${i}` } }), at(i))).conversation))
      let seed = 7
      const pick = <T>(list: T[]): T => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return list[seed % list.length]! }
      for (let round = 0; round < 15; round++) {
        await Promise.allSettled(Array.from({ length: 12 }, async () => {
          const c = pick(conversations)
          const a = pick(agents)
          switch (pick(['route', 'transfer', 'unassign', 'close', 'reopen'])) {
            case 'route': return await store.assignConversation(c.id, a.id, { capacity: 3, onlyIfWaiting: true }, at(round))
            case 'transfer': return await store.assignConversation(c.id, a.id, { capacity: null, onlyIfWaiting: false }, at(round))
            case 'unassign': return await store.unassignConversation(c.id, at(round))
            case 'close': return await store.closeConversation(c.id, at(round))
            default: return await store.reopenConversation(c.id, at(round))
          }
        }))
        await checkRules(t, store, `round ${round}`, { unread: false })
      }
      for (const agent of await store.listAgents()) t.ok(agent.activeCount >= 0, `${agent.name} never goes negative`)
    })
  })

  t.test('rule 4: concurrent routers never take an agent past capacity', async t => {
    await withStore(t, async store => {
      const agent = await store.createAgent({ ...agentOf(1), capacity: 2 }, T0)
      const conversations = await Promise.all(Array.from({ length: 10 }, async (_, i) =>
        (await store.recordInbound(inbound(`m${i}`, { contact: { externalId: `cust-${i}` } }), at(i))).conversation))
      const taken = await Promise.all(conversations.map(async c => await store.assignConversation(c.id, agent.id, { capacity: 2, onlyIfWaiting: true }, at(20))))
      t.equal(taken.filter(c => c !== null).length, 2)
      t.equal((await store.getAgent(agent.id))?.activeCount, 2)
    })
  })

  for (const [name, operation] of [
    ['a first assignment', async (store: Store, s: { conversation: Conversation, a: string, b: string }) => await store.assignConversation(s.conversation.id, s.a, anyAgent, at(5))],
    ['a transfer', async (store: Store, s: { conversation: Conversation, a: string, b: string }) => await store.assignConversation(s.conversation.id, s.b, anyAgent, at(5))],
    ['an unassignment', async (store: Store, s: { conversation: Conversation, a: string, b: string }) => await store.unassignConversation(s.conversation.id, at(5))],
    ['a close', async (store: Store, s: { conversation: Conversation, a: string, b: string }) => await store.closeConversation(s.conversation.id, at(5))]
  ] as const) {
    t.test(`rule 4: a crash anywhere in ${name}; repair gives back what it took`, async t => {
      await everyCrash(t, {
        setup: async store => {
          const a = (await store.createAgent(agentOf(1), T0)).id
          const b = (await store.createAgent(agentOf(2), T0)).id
          const { conversation } = await store.recordInbound(inbound('m1'), T0)
          if (name !== 'a first assignment') await store.assignConversation(conversation.id, a, anyAgent, at(1))
          return { conversation, a, b }
        },
        operation,
        finish: async store => { await store.repair(LATER) }
      })
    })
  }

  t.test('rule 5: an auto-reply from a contact with an open conversation joins it', async t => {
    await withStore(t, async store => {
      const first = await store.recordInbound(inbound('m1'), T0)
      const note = await store.recordInbound(inbound('auto-1', { direction: 'note', text: 'I am out of office' }), at(5))
      t.equal(note.conversation.id, first.conversation.id, 'the same conversation')
      t.equal(note.conversationCreated, false)
      t.match(note.conversation, { status: 'unassigned', unreadCount: 1 }, 'neither closed nor unread by it')
      t.equal((await allConversations(store)).length, 1, 'no closed conversation beside it')
    })
  })

  t.test('rule 5: an auto-reply with no open conversation opens a closed one', async t => {
    await withStore(t, async store => {
      const note = await store.recordInbound(inbound('auto-1', { direction: 'note' }), T0)
      t.match(note, { conversationCreated: true, conversation: { status: 'closed', unreadCount: 0 } })
      const next = await store.recordInbound(inbound('m1'), at(1))
      t.not(next.conversation.id, note.conversation.id, 'a customer message then opens a conversation to answer')
    })
  })

  const visible = async (store: Store): Promise<string[]> => (await store.listConversations({ held: false }, { limit: 100 })).items.map(c => c.id)

  t.test('rule 8: a held message with no open conversation opens a closed one that the lists leave out, until a customer message joins it', async t => {
    await withStore(t, async store => {
      const spam = await store.recordInbound(inbound('s1', { held: { reason: 'spam', rule: '加微信' }, teamId: 'sales' }), T0)
      t.match(spam, { conversationCreated: true, conversation: { status: 'closed', unreadCount: 0, lastInboundAt: null }, message: { direction: 'note', routed: true } })
      t.same(spam.message.extras?.held, { reason: 'spam', rule: '加微信', team: 'sales' }, 'held with its rule and the channel\'s team')
      t.same(await visible(store), [], 'left out of the agents\' lists')
      t.equal((await allConversations(store)).length, 1, 'still listed where nothing asks to leave it out')
      t.equal(await store.countConversations({ held: false }), 0)
      const restored = await store.recordInbound(inbound('restored-s1', { conversationId: spam.conversation.id }), at(1))
      t.match(restored, { conversation: { id: spam.conversation.id, status: 'unassigned', unreadCount: 1 }, message: { direction: 'inbound', routed: false } })
      t.same(await visible(store), [spam.conversation.id], 'a customer message joining it brings it into the lists')
    })
  })

  t.test('rule 8: a held message joins an open conversation as a note: nothing unread, nothing to route', async t => {
    await withStore(t, async store => {
      const first = await store.recordInbound(inbound('m1'), T0)
      const spam = await store.recordInbound(inbound('s1', { held: { reason: 'spam', rule: '/v\\d+/' } }), at(5))
      t.equal(spam.conversation.id, first.conversation.id)
      t.match(spam.conversation, { status: 'unassigned', unreadCount: 1, lastInboundAt: T0 })
      t.same(await visible(store), [first.conversation.id], 'the conversation stays in the lists')
      await checkRules(t, store, 'after a held note')
    })
  })

  t.test('rule 8: a blocked contact\'s messages are held on every channel, concurrent ones too; unblocked, they reach agents again', async t => {
    await withStore(t, async store => {
      const first = await store.recordInbound(inbound('m1', { contact: { externalId: 'cust-1', name: 'Ann', email: 'ann@example.com' } }), T0)
      await store.recordInbound(inbound('e1', { channelId: 'mail', contact: { externalId: 'ann@example.com', email: 'ann@example.com' }, conversationId: first.conversation.id }), at(1))
      const contact = await store.editContact(first.conversation.contactId, { blocked: { by: 'sup-1', at: at(2) } }, at(2))
      t.same(contact.blocked, { by: 'sup-1', at: at(2) })
      t.same((await store.getContact(contact.id))?.blocked, { by: 'sup-1', at: at(2) }, 'the block reads back')
      const held = await Promise.all(['m2', 'm3', 'm4'].map(async (id, i) => await store.recordInbound(inbound(id, { teamId: 'care' }), at(3 + i))))
      const mail = await store.recordInbound(inbound('e2', { channelId: 'mail', contact: { externalId: 'ann@example.com' } }), at(7))
      for (const r of [...held, mail]) t.match(r.message, { direction: 'note', extras: { held: { reason: 'blocked' } } }, `${r.message.externalId} held`)
      t.equal(held[0]!.message.extras?.held?.team, 'care', 'the team is the channel\'s')
      t.equal((await store.getConversation(first.conversation.id))?.unreadCount, 2, 'nothing new unread (the web message and the email before the block)')
      await store.recordInbound(inbound('echo-1', { direction: 'outbound', text: 'sent from the phone' }), at(8))
      t.equal((await store.listMessages(first.conversation.id, { limit: 10 })).items.at(-1)?.direction, 'outbound', 'the business\'s own echo is not held')
      await store.editContact(contact.id, { blocked: null }, at(9))
      t.equal((await store.getContact(contact.id))?.blocked, null)
      t.match((await store.recordInbound(inbound('m5'), at(10))).message, { direction: 'inbound', extras: null })
      await checkRules(t, store, 'blocked and unblocked')
    })
  })

  t.test('rule 8: held messages are listed newest first, by team, page by page; a restored one leaves the list; a reopen brings its conversation back', async t => {
    await withStore(t, async store => {
      const ids: string[] = []
      for (const [i, teamId] of (['sales', null, 'sales', 'care'] as const).entries()) {
        const r = await store.recordInbound(inbound(`s${i}`, { teamId, held: { reason: 'spam', rule: 'x' }, contact: { externalId: `spammer-${i}` } }), at(i))
        ids.push(r.message.id)
      }
      t.same((await store.listHeld({}, { limit: 10 })).items.map(m => m.id), [...ids].reverse(), 'all of them, newest first')
      t.same((await store.listHeld({ teams: ['sales', null] }, { limit: 10 })).items.map(m => m.id), [ids[2], ids[1], ids[0]], 'a team\'s and every agent\'s')
      t.same((await store.listHeld({ teams: [] }, { limit: 10 })).items, [], 'no team: nothing')
      const first = await store.listHeld({}, { limit: 3 })
      t.same(first.items.map(m => m.id), [ids[3], ids[2], ids[1]])
      const rest = await store.listHeld({}, { limit: 3, cursor: first.nextCursor! })
      t.same(rest.items.map(m => m.id), [ids[0]])
      t.equal(rest.nextCursor, null)
      const message = (await store.getMessage(ids[3]!))!
      await store.setMessageExtras(message.id, { ...message.extras, held: { ...message.extras!.held!, restored: { by: 'a1', at: at(9).toISOString(), messageId: 'm-x' } } })
      t.notOk((await store.listHeld({}, { limit: 10 })).items.some(m => m.id === ids[3]), 'restored: no longer listed')
      const reopened = await store.reopenConversation(message.conversationId, at(10))
      t.ok((await visible(store)).includes(reopened.id), 'a reopened conversation is listed again')
    })
  })

  t.test('rule 8: a crash anywhere in storing a held message; the redelivery finishes it, once and out of the lists', async t => {
    const crashes = await everyCrash(t, {
      setup: async () => undefined,
      operation: async store => await store.recordInbound(inbound('s1', { held: { reason: 'spam', rule: 'x' } }), T0),
      finish: async store => {
        await store.recordInbound(inbound('s1', { held: { reason: 'spam', rule: 'x' } }), at(1))
        await store.repair(LATER)
      },
      check: async (t, store, _state, label) => {
        t.equal((await store.listHeld({}, { limit: 10 })).items.length, 1, `${label}: held once`)
        t.same(await visible(store), [], `${label}: not in the lists`)
      }
    })
    t.ok(crashes >= 1, `crashed ${crashes} times`)
  })

  t.test('rule 6: concurrent attribute merges keep every key', async t => {
    await withStore(t, async store => {
      await store.recordInbound(inbound('m1'), T0)
      await store.updateContact('web', 'cust-1', { attributes: { gone: 'soon', kept: 'yes' } }, T0)
      await Promise.all([
        ...Array.from({ length: 20 }, async (_, i) => await store.updateContact('web', 'cust-1', { attributes: { [`key${i}`]: i } }, at(i))),
        store.updateContact('web', 'cust-1', { attributes: { gone: null } }, at(30))
      ])
      const contact = await store.updateContact('web', 'cust-1', {}, at(40))
      t.same(contact?.attributes, { kept: 'yes', ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key${i}`, i])) })
    })
  })

  t.test('rule 7: every value reads back as written: empty objects, nested arrays, Unicode', async t => {
    await withStore(t, async store => {
      const text = '亲，在吗？ 😀 Ünïcødé — \u200b tab\there'
      const cards = [{ kind: 'product', title: '连衣裙 👗', fields: {} }]
      const attachments = [{ kind: 'image' as const, url: 'https://cdn.example/é.png', name: '图片.png', size: 0 }]
      const r = await store.recordInbound(inbound('m1', { text, cards, attachments, extras: {}, contact: { externalId: 'cust-1', name: '王小明' } }), T0)
      const stored = await store.getMessage(r.message.id)
      t.same(stored?.extras, {}, 'empty extras stay an empty object')
      t.same(stored?.cards, cards, 'an empty object inside a card stays')
      t.same(stored?.attachments, attachments)
      t.equal(stored?.text, text)
      t.same((await store.setMessageExtras(r.message.id, { choices: [] })).extras, { choices: [] })
      const attributes = { nested: [[1, 2], [], [{}]], empty: {}, deep: { a: { b: [] } }, emoji: '🛒' }
      t.same((await store.updateContact('web', 'cust-1', { attributes }, at(1)))?.attributes, attributes)
      t.equal((await store.getContact(r.conversation.contactId))?.name, '王小明')
      const reply = await store.recordOutbound({ conversationId: r.conversation.id, direction: 'outbound', author: { type: 'agent', id: 'a1' }, text, attachments: [], cards: [], tag: null, extras: {} }, at(2))
      t.same((await store.getMessage(reply.id))?.extras, {})
    })
  })

  t.test('FAQ: putting entries again keeps who created each and when', async t => {
    await withStore(t, async store => {
      const entry = { id: 'f1', teamId: null, question: 'Where is my order?', alternatives: ['订单在哪'], answer: 'Track it at /orders.', related: [], createdBy: 'agent-1', suggested: true, createdAt: T0, updatedAt: T0 }
      await store.putFaqEntries([entry])
      t.equal((await store.getFaqEntry('f1'))?.suggested, true, 'a suggestion reads back as one')
      await store.putFaqEntries([{ ...entry, answer: 'Track it in your account.', createdBy: null, suggested: false, createdAt: at(60), updatedAt: at(60) }])
      t.match(await store.getFaqEntry('f1'), { answer: 'Track it in your account.', createdBy: 'agent-1', suggested: false, createdAt: T0, updatedAt: at(60) }, 'approved')
    })
  })

  t.test(options.transactional
    ? 'FAQ: an import that crashes writes none of its entries'
    : 'FAQ: an import that crashes writes a first part, and running it again completes it once', async t => {
    const entries = Array.from({ length: 4 }, (_, i) => ({ id: `f${i}`, teamId: null, question: `Q${i}`, alternatives: [], answer: `A${i}`, related: [], createdBy: null, suggested: false, createdAt: T0, updatedAt: T0 }))
    for (let k = 1; k <= entries.length + 1; k++) {
      const { store, faults } = await opened()
      try {
        await store.putFaqEntries([{ ...entries[0]!, answer: 'before', createdBy: 'agent-1' }])
        faults.crashAfterWrites(k)
        const crash = await store.putFaqEntries(entries).then(() => null, (err: unknown) => err)
        faults.count()
        if (crash === null) break
        t.type(crash, InjectedCrash)
        const after = await store.listFaqEntries('all')
        if (options.transactional) t.same(after.map(e => [e.id, e.answer]), [['f0', 'before']], `crash after write ${k}: nothing of the import`)
        await store.putFaqEntries(entries)
        t.same((await store.listFaqEntries('all')).map(e => [e.id, e.answer, e.createdBy]), entries.map(e => [e.id, e.answer, e.id === 'f0' ? 'agent-1' : null]), `crash after write ${k}: run again, all of it once`)
      } finally {
        await store.close()
      }
    }
  })

  t.test('the fault plan reaches the driver: a crash in recordInbound is reported and nothing half-done is visible after repair', async t => {
    const { store, faults } = await opened()
    t.teardown(async () => await store.close())
    faults.crashAfterWrites(1)
    await t.rejects(store.recordInbound(inbound('m1'), T0), InjectedCrash)
    t.equal(faults.fired, true)
    faults.count()
    await store.recordInbound(inbound('m2'), T0)
    t.ok(faults.written >= 3, `a new contact's message is several writes (${faults.written})`)
    await store.repair(LATER)
    await checkRules(t, store, 'after the crash')
  })
}
