import type { StoreSettings } from '../config/index.js'
import type { Store } from './store.js'

/** Loads only the driver in use, so the embedded default never pulls in mongoose. */
export async function createStore (settings: StoreSettings): Promise<Store> {
  if (settings.driver === 'mongodb') {
    const { createMongoStore } = await import('./mongodb/store.js')
    return createMongoStore(settings.uri)
  }
  const { createSqliteStore } = await import('./sqlite/store.js')
  return createSqliteStore(settings.path)
}
