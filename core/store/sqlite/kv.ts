import type { KeyValueStore } from '../kv.js'
import { SqlitePart } from './connection.js'

export class SqliteKeyValue extends SqlitePart implements KeyValueStore {
  async kvGet (namespace: string, key: string): Promise<string | null> {
    const row = this.db.sql('SELECT value FROM plugin_kv WHERE namespace = ? AND key = ?').get(namespace, key) as { value: string } | undefined
    return row?.value ?? null
  }

  async kvSet (namespace: string, key: string, value: string): Promise<void> {
    this.db.sql('INSERT INTO plugin_kv (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value')
      .run(namespace, key, value)
  }

  async kvDelete (namespace: string, key: string): Promise<void> {
    this.db.sql('DELETE FROM plugin_kv WHERE namespace = ? AND key = ?').run(namespace, key)
  }

  async kvSetIfAbsent (namespace: string, key: string, value: string): Promise<boolean> {
    return this.db.sql('INSERT INTO plugin_kv (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO NOTHING').run(namespace, key, value).changes === 1
  }

  async kvTake (namespace: string, key: string): Promise<string | null> {
    const row = this.db.sql('DELETE FROM plugin_kv WHERE namespace = ? AND key = ? RETURNING value').get(namespace, key) as { value: string } | undefined
    return row?.value ?? null
  }
}
