import type { StoreSettings } from '../config/index.js'
import type { Store } from './store.js'

/** Loads only the driver in use, so the embedded default never pulls in mongoose. */
export async function createStore (settings: StoreSettings): Promise<Store> {
  if (settings.driver === 'mongodb') {
    const { MongoStore } = await import('./mongodb/store.js')
    return new MongoStore(settings.uri)
  }
  const { SqliteStore } = await import('./sqlite/store.js')
  return new SqliteStore(settings.path)
}
