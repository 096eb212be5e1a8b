import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import type { FaultPlan } from '../core/store/faults.js'
import { createSqliteStore } from '../core/store/sqlite/store.js'
import { migrations } from '../core/store/sqlite/migrations.js'
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

t.test('sqlite: creates the data folder it is pointed at', async t => {
  const store = createSqliteStore(join(dir, 'nested', 'deeper', 'hub.db'))
  await store.open()
  await t.resolves(store.ping())
  await store.close()
})
