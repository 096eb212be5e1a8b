import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import type { FaultPlan } from '../core/store/faults.js'
import { createSqliteStore } from '../core/store/sqlite/store.js'
import { migrations } from '../core/store/sqlite/migrations.js'
import { REPLIED_BEFORE, UNANSWERED_SINCE } from '../core/store/sqlite/inbox.js'
import { storeContract } from './store.contract.js'
import { storeRules } from './store-rules.contract.js'

const dir = mkdtempSync(join(tmpdir(), 'omnihub-store-'))
let n = 0
const makeStore = async (faults?: FaultPlan) => createSqliteStore(join(dir, `contract-${++n}.db`), { faults })
t.test('sqlite store contract', async t => { storeContract(t, makeStore) })
t.test('sqlite store rules', async t => { storeRules(t, makeStore, { transactional: true }) })

t.test('sqlite: WAL, migrations recorded, reopening keeps data', async t => {
  const path = join(dir, 'reopen.db')
  const store = createSqliteStore(path)
  await store.open()
  await store.kvSet('ns', 'k', 'v')
  await store.close()
  const again = createSqliteStore(path)
  await again.open()
  t.equal(await again.kvGet('ns', 'k'), 'v')
  await again.close()
  const db = new Database(path)
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(db.pragma('user_version', { simple: true }), migrations.length)
  db.close()
})

t.test('sqlite: a database from a newer Omnihub is refused with a clear code', async t => {
  const path = join(dir, 'newer.db')
  const db = new Database(path)
  db.pragma(`user_version = ${migrations.length + 1}`)
  db.close()
  await t.rejects(createSqliteStore(path).open(), { code: 'store_too_new', subject: path })
})

t.test('sqlite: upgrading a database with conversations waiting keeps their lines and places', async t => {
  const path = join(dir, 'lines.db')
  const store = createSqliteStore(path)
  await store.open()
  const T = new Date('2026-11-30T10:00:00Z')
  for (const [i, team] of [[0, 'a'], [1, null], [2, 'a'], [3, 'a'], [4, null]] as const) {
    const at = new Date(T.getTime() + i * 1000)
    const { conversation } = await store.recordInbound({ channelId: 'web', teamId: team, externalId: `up-${i}`, contact: { externalId: `up-${i}` }, text: 'hi', attachments: [], cards: [], sentAt: at }, at)
    await store.queueConversation(conversation.id, 'no_agent_online', conversation.createdAt, at)
  }
  await store.close()
  // As the database was before the kept lines: without their table and triggers, or what came after them.
  const db = new Database(path)
  db.exec('DROP TRIGGER queue_line_joined; DROP TRIGGER queue_line_left; DROP TABLE queue_lines; DROP INDEX conversations_unanswered; DROP INDEX conversations_answered')
  db.pragma(`user_version = ${migrations.findIndex(m => m.includes('CREATE TABLE queue_lines'))}`)
  db.close()
  const upgraded = createSqliteStore(path)
  await upgraded.open()
  t.teardown(async () => { await upgraded.close() })
  t.same((await upgraded.queueSizes()).sort((x, y) => String(x.teamId).localeCompare(String(y.teamId))), [{ teamId: 'a', size: 3 }, { teamId: null, size: 2 }])
  // One that began before them all (handed back, say) is first, not at the back the upgrade kept.
  const early = (await upgraded.recordInbound({ channelId: 'web', teamId: 'a', externalId: 'up-6', contact: { externalId: 'up-6' }, text: 'hi', attachments: [], cards: [], sentAt: T }, new Date(T.getTime() + 6000))).conversation
  t.equal((await upgraded.queueConversation(early.id, 'no_agent_online', new Date(T.getTime() - 60_000), early.createdAt))?.position, 1)
  const { conversation } = await upgraded.recordInbound({ channelId: 'web', teamId: 'a', externalId: 'up-5', contact: { externalId: 'up-5' }, text: 'hi', attachments: [], cards: [], sentAt: T }, new Date(T.getTime() + 7000))
  t.equal((await upgraded.queueConversation(conversation.id, 'no_agent_online', conversation.createdAt, conversation.createdAt))?.position, 5, 'a new arrival joins behind the four waiting')
})

t.test('sqlite: the response-time check and the auto-close sweep read the open conversations they look for, not the whole history', async t => {
  const path = join(dir, 'sweeps.db')
  const store = createSqliteStore(path)
  await store.open()
  await store.close()
  const db = new Database(path)
  t.teardown(() => db.close())
  // The store's own filters, as listConversations orders them.
  const plan = (where: string): string => (db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM conversations WHERE ${where}
    ORDER BY last_activity_at DESC, id DESC LIMIT 501`).all(Date.now()) as Array<{ detail: string }>).map(p => p.detail).join(' | ')
  t.match(plan(UNANSWERED_SINCE), /USING (COVERING )?INDEX conversations_unanswered/)
  t.match(plan(REPLIED_BEFORE), /USING (COVERING )?INDEX conversations_answered/)
})

t.test('sqlite: creates the data folder it is pointed at', async t => {
  const store = createSqliteStore(join(dir, 'nested', 'deeper', 'hub.db'))
  await store.open()
  await t.resolves(store.ping())
  await store.close()
})
