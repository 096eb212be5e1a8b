import type { FaqEntry } from '../../model/index.js'
import { storeNotFound } from '../errors.js'
import type { FaqStore } from '../faq.js'
import { type Doc, MongoPart } from './connection.js'
import { toFaqEntry } from './docs.js'

export class MongoFaq extends MongoPart implements FaqStore {
  async putFaqEntries (entries: FaqEntry[]): Promise<void> {
    if (entries.length === 0) return
    // One transaction on a replica set. Standalone, an outage can leave a first part written; the import is by id,
    // so running it again completes it. Who created an entry, and when, stays as it was.
    await this.db.atomically(async () => {
      await this.m.FaqEntry.bulkWrite(entries.map(({ id, createdAt, createdBy, ...fields }) => ({
        updateOne: { filter: { _id: id }, update: { $set: fields, $setOnInsert: { createdAt, createdBy } }, upsert: true }
      })), { ordered: true })
      this.db.wrote()
    })
  }

  async getFaqEntry (id: string): Promise<FaqEntry | null> {
    const d = await this.m.FaqEntry.findById(id).lean() as Doc | null
    return d === null ? null : toFaqEntry(d)
  }

  async deleteFaqEntry (id: string): Promise<void> {
    if ((await this.m.FaqEntry.deleteOne({ _id: id })).deletedCount === 0) throw storeNotFound('FAQ entry', id)
  }

  async listFaqEntries (teamIds: string[] | 'all'): Promise<FaqEntry[]> {
    const query = teamIds === 'all' ? {} : { $or: [{ teamId: null }, { teamId: { $in: teamIds } }] }
    return (await this.m.FaqEntry.find(query).sort({ createdAt: 1, _id: 1 }).lean() as Doc[]).map(toFaqEntry)
  }
}
