import type { FaqEntry } from '../model/index.js'

/**
 * The FAQ's entries. Putting entries is all or nothing (a CSV import: a failure writes none of
 * them), and an entry put again keeps who created it and when.
 */
export interface FaqStore {
  /** Adds or replaces entries by id, all or none. */
  putFaqEntries (entries: FaqEntry[]): Promise<void>
  getFaqEntry (id: string): Promise<FaqEntry | null>
  deleteFaqEntry (id: string): Promise<void>
  /** The hub-wide entries and those of these teams ('all': every team's), oldest first. */
  listFaqEntries (teamIds: string[] | 'all'): Promise<FaqEntry[]>
}
