import { fold } from './normalize.js'

const LATIN_WORD = /^[\p{Script=Latin}\p{N}' -]+$/u

function escape (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Finds banned words in a reply. Case- and width-insensitive. A word written in Latin
 * letters matches only as a whole word ("ass" is not found in "class"); any other word
 * (Chinese has no spaces between words) matches anywhere in the text.
 */
export class BannedWords {
  private readonly pattern: RegExp | null
  private readonly byFolded: Map<string, string>

  constructor (words: string[]) {
    this.byFolded = new Map(words.map(w => [fold(w.trim()), w.trim()]).filter(([f]) => f !== '') as Array<[string, string]>)
    const alternatives = [...this.byFolded.keys()]
      // Longest first, so "刷单返现" is reported rather than its prefix "刷单".
      .sort((a, b) => b.length - a.length)
      .map(w => LATIN_WORD.test(w) ? `(?<![\\p{L}\\p{N}])${escape(w)}(?![\\p{L}\\p{N}])` : escape(w))
    this.pattern = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'gu') : null
  }

  /** The configured words found in `text`, each once, as the admin wrote them. */
  find (text: string): string[] {
    if (this.pattern === null) return []
    const found = new Set<string>()
    for (const match of fold(text).matchAll(this.pattern)) found.add(this.byFolded.get(match[0]) ?? match[0])
    return [...found]
  }
}
