import { newId } from '../../ids.js'
import type { Phrase } from '../../model/index.js'
import { storeConflict, storeNotFound } from '../errors.js'
import { phraseOwnerKey, type NewPhrase, type PhrasePatch, type PhraseStore } from '../phrases.js'
import { isDuplicateKey, type Doc, MongoPart } from './connection.js'
import { toPhrase } from './docs.js'

export class MongoPhrases extends MongoPart implements PhraseStore {
  async createPhrase (phrase: NewPhrase, now: Date): Promise<Phrase> {
    try {
      const created = await this.m.Phrase.create({ _id: newId(now.getTime()), ...phrase, ownerKey: phraseOwnerKey(phrase), createdAt: now, updatedAt: now })
      return toPhrase(created.toObject() as Doc)
    } catch (err) {
      if (isDuplicateKey(err)) throw storeConflict('phrase_code_taken', phrase.code)
      throw err
    }
  }

  async getPhrase (id: string): Promise<Phrase | null> {
    const d = await this.m.Phrase.findById(id).lean() as Doc | null
    return d === null ? null : toPhrase(d)
  }

  async updatePhrase (id: string, patch: PhrasePatch, now: Date): Promise<Phrase> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
    try {
      const d = await this.m.Phrase.findByIdAndUpdate(id, { $set: { ...set, updatedAt: now } }, { new: true, lean: true }) as Doc | null
      if (d === null) throw storeNotFound('phrase', id)
      return toPhrase(d)
    } catch (err) {
      if (isDuplicateKey(err)) throw storeConflict('phrase_code_taken', patch.code!)
      throw err
    }
  }

  async deletePhrase (id: string): Promise<void> {
    if ((await this.m.Phrase.deleteOne({ _id: id })).deletedCount === 0) throw storeNotFound('phrase', id)
  }

  async listPhrases (filter: { agentId: string, teamIds: string[] | 'all' }): Promise<Phrase[]> {
    const teams = filter.teamIds === 'all' ? { scope: 'team' } : { teamId: { $in: filter.teamIds } }
    const docs = await this.m.Phrase.find({ $or: [{ ownerId: filter.agentId }, { scope: 'hub' }, teams] }).sort({ code: 1, _id: 1 }).lean() as Doc[]
    return docs.map(toPhrase)
  }
}
