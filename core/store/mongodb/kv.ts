import type { KeyValueStore } from '../kv.js'
import { isDuplicateKey, type Doc, MongoPart } from './connection.js'

export class MongoKeyValue extends MongoPart implements KeyValueStore {
  async kvGet (namespace: string, key: string): Promise<string | null> {
    const d = await this.m.Kv.findOne({ namespace, key }).lean() as Doc | null
    return d?.value ?? null
  }

  async kvSet (namespace: string, key: string, value: string): Promise<void> {
    await this.m.Kv.updateOne({ namespace, key }, { $set: { value } }, { upsert: true })
  }

  async kvDelete (namespace: string, key: string): Promise<void> {
    await this.m.Kv.deleteOne({ namespace, key })
  }

  async kvSetIfAbsent (namespace: string, key: string, value: string): Promise<boolean> {
    const r = await this.m.Kv.updateOne({ namespace, key }, { $setOnInsert: { value } }, { upsert: true }).catch(err => {
      if (isDuplicateKey(err)) return { upsertedCount: 0 }
      throw err
    })
    return r.upsertedCount === 1
  }

  async kvTake (namespace: string, key: string): Promise<string | null> {
    const d = await this.m.Kv.findOneAndDelete({ namespace, key }).lean() as Doc | null
    return d?.value ?? null
  }
}
