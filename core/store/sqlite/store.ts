import { compose } from '../compose.js'
import type { FaultPlan } from '../faults.js'
import type { StoreLifecycle } from '../lifecycle.js'
import type { Store } from '../store.js'
import { SqliteActivity } from './activity.js'
import { SqliteAgents } from './agents.js'
import { SqliteCatalog } from './catalog.js'
import { SqliteConnection } from './connection.js'
import { SqliteFaq } from './faq.js'
import { SqliteInbox } from './inbox.js'
import { SqliteKeyValue } from './kv.js'
import { SqlitePhrases } from './phrases.js'
import { SqliteRatings } from './ratings.js'
import { SqliteReports } from './reports.js'

class SqliteLifecycle implements Omit<StoreLifecycle, 'driver'> {
  readonly #db: SqliteConnection
  constructor (db: SqliteConnection) { this.#db = db }
  async open (): Promise<void> { this.#db.open() }
  async close (): Promise<void> { this.#db.close() }
  async ping (): Promise<void> { this.#db.sql('SELECT 1').get() }
}

/** The embedded store (`store.driver: sqlite`): every part over one connection and one group-commit write path. */
export function createSqliteStore (path: string, options: { faults?: FaultPlan } = {}): Store {
  const db = new SqliteConnection(path, options.faults)
  return compose('sqlite', new SqliteLifecycle(db), new SqliteInbox(db), new SqliteAgents(db), new SqlitePhrases(db),
    new SqliteFaq(db), new SqliteRatings(db), new SqliteActivity(db), new SqliteReports(db), new SqliteCatalog(db), new SqliteKeyValue(db))
}
