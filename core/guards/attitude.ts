import { ATTITUDE_CATEGORIES, SHIPPED_LEXICON, type AttitudeCategory } from './attitude-lexicon.js'
import { BannedWords } from './banned-words.js'
import { fold } from './normalize.js'
import { shouting } from '../text/index.js'

export interface AttitudeSettings {
  enabled: boolean
  /** Categories refused outright; the others only warn (the agent may confirm). */
  block: AttitudeCategory[]
  /** Words to add per category, in any language. */
  add: Record<AttitudeCategory, string[]>
  /** Shipped words that misfire for this business. */
  remove: string[]
}

export interface AttitudeReading {
  category: AttitudeCategory
  /** What gave it away: the words, or `SHOUTING` for a reply in capitals. */
  words: string[]
}

/** How a reply will read to the customer: the worst category it falls in, if any. */
export class AttitudeGuard {
  private readonly lexicons: Array<[AttitudeCategory, BannedWords]>

  constructor (private readonly settings: AttitudeSettings) {
    const removed = new Set(settings.remove.map(fold))
    this.lexicons = ATTITUDE_CATEGORIES.map(category => [
      category,
      new BannedWords([...SHIPPED_LEXICON[category], ...settings.add[category]].filter(w => !removed.has(fold(w))))
    ])
  }

  read (text: string): AttitudeReading | null {
    if (!this.settings.enabled) return null
    for (const [category, lexicon] of this.lexicons) {
      const words = lexicon.find(text)
      if (words.length > 0) return { category, words }
    }
    return shouting(text) ? { category: 'rude', words: ['SHOUTING'] } : null
  }

  blocks (category: AttitudeCategory): boolean {
    return this.settings.block.includes(category)
  }
}
