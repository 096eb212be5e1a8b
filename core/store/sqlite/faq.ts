import type { FaqEntry } from '../../model/index.js'
import { storeNotFound } from '../errors.js'
import type { FaqStore } from '../faq.js'
import { SqlitePart } from './connection.js'
import { toFaqEntry, type FaqRow } from './rows.js'

export class SqliteFaq extends SqlitePart implements FaqStore {
  async putFaqEntries (entries: FaqEntry[]): Promise<void> {
    await this.db.write(() => {
      const put = this.db.sql(`INSERT INTO faq_entries (id, team_id, question, alternatives, answer, related, created_by, suggested, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id, question = excluded.question,
        alternatives = excluded.alternatives, answer = excluded.answer, related = excluded.related, suggested = excluded.suggested, updated_at = excluded.updated_at`)
      for (const e of entries) {
        put.run(e.id, e.teamId, e.question, JSON.stringify(e.alternatives), e.answer, JSON.stringify(e.related), e.createdBy, e.suggested ? 1 : 0, e.createdAt.getTime(), e.updatedAt.getTime())
      }
    })
  }

  async getFaqEntry (id: string): Promise<FaqEntry | null> {
    const row = this.db.sql('SELECT * FROM faq_entries WHERE id = ?').get(id) as FaqRow | undefined
    return row === undefined ? null : toFaqEntry(row)
  }

  async deleteFaqEntry (id: string): Promise<void> {
    await this.db.write(() => {
      if (this.db.sql('DELETE FROM faq_entries WHERE id = ?').run(id).changes === 0) throw storeNotFound('FAQ entry', id)
    })
  }

  async listFaqEntries (teamIds: string[] | 'all'): Promise<FaqEntry[]> {
    const teams = teamIds === 'all' ? 'TRUE' : `team_id IN (${teamIds.map(() => '?').join(', ') || "''"})`
    return (this.db.sql(`SELECT * FROM faq_entries WHERE team_id IS NULL OR ${teams} ORDER BY created_at, id`)
      .all(...(teamIds === 'all' ? [] : teamIds)) as FaqRow[]).map(toFaqEntry)
  }
}
