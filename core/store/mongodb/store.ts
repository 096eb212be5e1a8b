import { compose } from '../compose.js'
import type { StoreLifecycle } from '../lifecycle.js'
import type { Store } from '../store.js'
import { MongoActivity } from './activity.js'
import { MongoAgents } from './agents.js'
import { MongoCatalog } from './catalog.js'
import { MongoConnection, type MongoOptions } from './connection.js'
import { MongoFaq } from './faq.js'
import { MongoInbox } from './inbox.js'
import { MongoKeyValue } from './kv.js'
import { MongoPhrases } from './phrases.js'
import { MongoRatings } from './ratings.js'
import { MongoReports } from './reports.js'

class MongoLifecycle implements Omit<StoreLifecycle, 'driver'> {
  readonly #db: MongoConnection
  constructor (db: MongoConnection) { this.#db = db }
  async open (): Promise<void> { await this.#db.open() }
  async close (): Promise<void> { await this.#db.close() }
  async ping (): Promise<void> { await this.#db.ping() }
}

/**
 * The scale-out store (`store.driver: mongodb`): every part over one connection. How each
 * rule holds, with and without transactions, and the indexes behind each query: inbox.ts.
 */
export function createMongoStore (uri: string, options: MongoOptions = {}): Store {
  const db = new MongoConnection(uri, options)
  return compose('mongodb', new MongoLifecycle(db), new MongoInbox(db), new MongoAgents(db), new MongoPhrases(db),
    new MongoFaq(db), new MongoRatings(db), new MongoActivity(db), new MongoReports(db), new MongoCatalog(db), new MongoKeyValue(db))
}
