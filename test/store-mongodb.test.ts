import t from 'tap'
import type { FaultPlan } from '../core/store/faults.js'
import type { Store } from '../core/store/index.js'
import { storeContract } from './store.contract.js'
import { storeRules } from './store-rules.contract.js'

// MongoDB cannot be installed on this project's machines: this suite runs wherever MONGODB_URI
// is set (the GitHub workflow sets it to a MongoDB 8 replica set), and says it skipped otherwise.
const uri = process.env.MONGODB_URI ?? ''

t.test('mongodb store', { skip: uri === '' ? 'MONGODB_URI is not set (see README, "The MongoDB store")' : false }, async t => {
  const { default: mongoose } = await import('mongoose')
  const { createMongoStore } = await import('../core/store/mongodb/store.js')
  let n = 0
  /** A fresh database per store, dropped first so runs never see each other's data. */
  const freshUri = async (): Promise<string> => {
    const url = new URL(uri)
    url.pathname = `/omnihub_contract_${process.pid}_${++n}`
    const conn = await mongoose.createConnection(url.toString()).asPromise()
    await conn.dropDatabase()
    await conn.close()
    return url.toString()
  }
  const probe = await mongoose.createConnection(uri).asPromise()
  const hello = await probe.db!.admin().command({ hello: 1 }) as { setName?: string }
  await probe.close()
  const replicaSet = hello.setName !== undefined
  const make = (transactions: 'auto' | 'off') => async (faults?: FaultPlan): Promise<Store> => createMongoStore(await freshUri(), { transactions, faults })

  t.test('contract', async t => { storeContract(t, make('auto')) })
  t.test(`rules, ${replicaSet ? 'with transactions (a replica set)' : 'on a standalone server'}`, async t => { storeRules(t, make('auto'), { transactional: replicaSet }) })
  // On a replica set the rules are also held without transactions: the ordered writes and repair alone.
  if (replicaSet) t.test('rules, transactions off: ordered writes and repair', async t => { storeRules(t, make('off'), { transactional: false }) })

  t.test('the queries named in the driver\'s header use their index', async t => {
    const url = await freshUri()
    const store = createMongoStore(url)
    await store.open()
    const conn = await mongoose.createConnection(url).asPromise()
    t.teardown(async () => { await store.close(); await conn.close() })
    const uses = async (collection: string): Promise<Map<string, number>> => new Map(
      (await conn.db!.collection(collection).aggregate<{ name: string, accesses: { ops: number } }>([{ $indexStats: {} }]).toArray())
        .map(s => [s.name, Number(s.accesses.ops)]))
    const T0 = new Date('2026-11-01T10:00:00Z')
    const { conversation } = await store.recordInbound({ channelId: 'web', teamId: null, externalId: 'm1', contact: { externalId: 'c1' }, text: 'hi', attachments: [], cards: [], sentAt: T0 }, T0)
    await store.queueConversation(conversation.id, 'no_agent_online', T0, T0)
    const before = await uses('conversations')
    t.equal((await store.listQueue(10)).length, 1)
    t.ok((await uses('conversations')).get('queuedAt_1__id_1')! > before.get('queuedAt_1__id_1')!, 'the waiting queue is read through its partial index')
    const messages = await uses('messages')
    await store.findMessagesByExternalId('web', ['m1'])
    t.ok((await uses('messages')).get('channelId_1_externalId_1')! > messages.get('channelId_1_externalId_1')!, 'messages by channel id through the unique index')
    const uncounted = await uses('messages')
    await store.repair(new Date(T0.getTime() + 60_000))
    t.ok((await uses('messages')).get('counted_1_createdAt_1')! > uncounted.get('counted_1_createdAt_1')!, 'repair finds uncounted messages through their partial index')
  })
})
