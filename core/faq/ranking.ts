import type { FaqEntry } from '../model/index.js'
import { Bm25Index, tokenize } from '../text/index.js'

export interface FaqMatch {
  entry: FaqEntry
  /** BM25 score of its best-matching phrasing: what ranks matches. */
  score: number
  /** 0–1: how much of that phrasing the question covers, and how much of the question it explains. */
  confidence: number
}

/**
 * Greetings and politeness say nothing of what the customer asks ("亲，在吗？请问退货怎么办呀" is
 * about returns): they are dropped before ranking, from questions and FAQ phrasings alike.
 */
const PLEASANTRIES = /你好|您好|请问|谢谢|在吗|在不在|麻烦|亲|呀|呢|吗|啊|哦|\b(hi|hello|hey|dear|thanks|thank you|thx|pls|please|ok|okay)\b/giu

const termsOf = (text: string): string[] => tokenize(text.replace(PLEASANTRIES, ' '))

/**
 * Ranks FAQ entries for a customer's question: BM25 over every phrasing of every entry (its
 * question and alternatives), an entry counting once, by its best phrasing. Built once per
 * knowledge-base version; a query touches only the postings of its own terms.
 */
export class FaqRanking {
  private readonly index: Bm25Index
  /** Per phrasing: its entry and its distinct terms. */
  private readonly phrasings: Array<{ entry: number, terms: Set<string> }> = []
  private readonly byId: Map<string, FaqEntry>

  constructor (private readonly entries: FaqEntry[]) {
    const documents: string[][] = []
    entries.forEach((entry, i) => {
      for (const text of [entry.question, ...entry.alternatives]) {
        const terms = termsOf(text)
        documents.push(terms)
        this.phrasings.push({ entry: i, terms: new Set(terms) })
      }
    })
    this.index = new Bm25Index(documents.map(terms => [{ terms, weight: 1 }]))
    this.byId = new Map(entries.map(e => [e.id, e]))
  }

  entry (id: string): FaqEntry | undefined {
    return this.byId.get(id)
  }

  /** The best `limit` entries for the question, best first. */
  rank (question: string, limit: number): FaqMatch[] {
    const terms = new Set(termsOf(question))
    if (terms.size === 0 || limit <= 0) return []
    const hits = this.index.search([...terms], limit * 4)
    const seen = new Set<number>()
    const matches: FaqMatch[] = []
    for (const hit of hits) {
      const phrasing = this.phrasings[hit.index]!
      if (seen.has(phrasing.entry)) continue
      seen.add(phrasing.entry)
      matches.push({ entry: this.entries[phrasing.entry]!, score: hit.score, confidence: this.confidence(terms, phrasing.terms) })
      if (matches.length === limit) break
    }
    return matches
  }

  /**
   * Weighted by how telling each term is: the share of the phrasing the question covers (did
   * they ask this?), softened by the share of the question the phrasing explains (did they ask
   * only this?). A question that says all of the phrasing and nothing else scores 1.
   */
  private confidence (question: Set<string>, phrasing: Set<string>): number {
    // Words no entry has are weighed as the rarest known ones, not above them: a typo is not the point of a question.
    const weight = (term: string): number => this.index.idf(term, 1)
    let shared = 0
    let ofPhrasing = 0
    let ofQuestion = 0
    for (const term of phrasing) {
      const w = weight(term)
      ofPhrasing += w
      if (question.has(term)) shared += w
    }
    for (const term of question) ofQuestion += weight(term)
    if (ofPhrasing === 0 || ofQuestion === 0) return 0
    return (shared / ofPhrasing) * (0.5 + 0.5 * shared / ofQuestion)
  }
}
