import { newId } from '../../ids.js'
import type { Phrase } from '../../model/index.js'
import { storeConflict, storeNotFound } from '../errors.js'
import { phraseOwnerKey, type NewPhrase, type PhrasePatch, type PhraseStore } from '../phrases.js'
import { isUniqueViolation, SqlitePart } from './connection.js'
import { toPhrase, type PhraseRow } from './rows.js'

export class SqlitePhrases extends SqlitePart implements PhraseStore {
  async createPhrase (phrase: NewPhrase, now: Date): Promise<Phrase> {
    const at = now.getTime()
    return await this.db.write(() => {
      try {
        return toPhrase(this.db.sql(`INSERT INTO phrases (id, scope, owner_id, team_id, owner_key, code, title, text, attachments, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`).get(newId(at), phrase.scope, phrase.ownerId, phrase.teamId, phraseOwnerKey(phrase), phrase.code, phrase.title,
          phrase.text, JSON.stringify(phrase.attachments), at, at) as PhraseRow)
      } catch (err) {
        if (isUniqueViolation(err)) throw storeConflict('phrase_code_taken', phrase.code)
        throw err
      }
    })
  }

  async getPhrase (id: string): Promise<Phrase | null> {
    const row = this.db.sql('SELECT * FROM phrases WHERE id = ?').get(id) as PhraseRow | undefined
    return row === undefined ? null : toPhrase(row)
  }

  async updatePhrase (id: string, patch: PhrasePatch, now: Date): Promise<Phrase> {
    return await this.db.write(() => {
      try {
        const row = this.db.sql(`UPDATE phrases SET code = COALESCE(?, code), title = COALESCE(?, title), text = COALESCE(?, text),
            attachments = COALESCE(?, attachments), updated_at = ? WHERE id = ? RETURNING *`)
          .get(patch.code ?? null, patch.title ?? null, patch.text ?? null, patch.attachments === undefined ? null : JSON.stringify(patch.attachments), now.getTime(), id) as PhraseRow | undefined
        if (row === undefined) throw storeNotFound('phrase', id)
        return toPhrase(row)
      } catch (err) {
        if (isUniqueViolation(err)) throw storeConflict('phrase_code_taken', patch.code!)
        throw err
      }
    })
  }

  async deletePhrase (id: string): Promise<void> {
    await this.db.write(() => {
      if (this.db.sql('DELETE FROM phrases WHERE id = ?').run(id).changes === 0) throw storeNotFound('phrase', id)
    })
  }

  async listPhrases (filter: { agentId: string, teamIds: string[] | 'all' }): Promise<Phrase[]> {
    const teams = filter.teamIds === 'all' ? "scope = 'team'" : `team_id IN (${filter.teamIds.map(() => '?').join(',') || "''"})`
    const rows = this.db.sql(`SELECT * FROM phrases WHERE owner_id = ? OR scope = 'hub' OR ${teams} ORDER BY code, id`)
      .all(filter.agentId, ...(filter.teamIds === 'all' ? [] : filter.teamIds)) as PhraseRow[]
    return rows.map(toPhrase)
  }
}
