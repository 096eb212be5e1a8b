import type { Attachment, Phrase } from '../model/index.js'

/** Quick phrases. A code is unique within its owner: an agent, a team or the hub (phrase_code_taken). */
export interface PhraseStore {
  createPhrase (phrase: NewPhrase, now: Date): Promise<Phrase>
  getPhrase (id: string): Promise<Phrase | null>
  updatePhrase (id: string, patch: PhrasePatch, now: Date): Promise<Phrase>
  deletePhrase (id: string): Promise<void>
  /** The agent's own phrases, those of these teams ('all': every team's) and the hub's, by code. */
  listPhrases (filter: { agentId: string, teamIds: string[] | 'all' }): Promise<Phrase[]>
}

export type NewPhrase = Omit<Phrase, 'id' | 'createdAt' | 'updatedAt'>

export interface PhrasePatch {
  code?: string
  title?: string
  text?: string
  attachments?: Attachment[]
}

/** The unit a phrase code is unique within: its agent, its team, or the hub. */
export const phraseOwnerKey = (phrase: Pick<NewPhrase, 'scope' | 'ownerId' | 'teamId'>): string =>
  phrase.scope === 'personal' ? `agent:${phrase.ownerId!}` : phrase.scope === 'team' ? `team:${phrase.teamId!}` : 'hub'
