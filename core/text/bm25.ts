import { tokenize } from './tokens.js'

export interface Ranked { index: number, score: number }

/** A document's text (or its terms, already cut) by field, and how much a match in each field counts. */
export type Fields = Array<({ text: string } | { terms: string[] }) & { weight: number }>

/**
 * Okapi BM25 over an inverted index of CJK-aware terms: ranking documents (FAQ questions,
 * phrases) by how well they match a query. Built once; queries only touch the postings of
 * their own terms, and only the best `limit` are kept (no sort of every match).
 */
export class Bm25Index {
  private readonly postings = new Map<string, Array<[doc: number, tf: number]>>()
  private readonly lengths: Float64Array
  private readonly averageLength: number
  private readonly scores: Float64Array

  constructor (documents: Fields[], private readonly k1 = 1.2, private readonly b = 0.75) {
    this.lengths = new Float64Array(documents.length)
    this.scores = new Float64Array(documents.length)
    documents.forEach((fields, doc) => {
      const counts = new Map<string, number>()
      for (const field of fields) {
        for (const term of 'terms' in field ? field.terms : tokenize(field.text)) counts.set(term, (counts.get(term) ?? 0) + field.weight)
      }
      let length = 0
      for (const [term, tf] of counts) {
        let list = this.postings.get(term)
        if (list === undefined) this.postings.set(term, list = [])
        list.push([doc, tf])
        length += tf
      }
      this.lengths[doc] = length
    })
    this.averageLength = documents.length === 0 ? 1 : this.lengths.reduce((a, b) => a + b, 0) / documents.length || 1
  }

  get size (): number {
    return this.lengths.length
  }

  /** How telling a term is: high for rare terms; `minDf` 1 weighs a term no document has as the rarest known ones. */
  idf (term: string, minDf = 0): number {
    const n = this.lengths.length
    const df = Math.max(minDf, this.postings.get(term)?.length ?? 0)
    return Math.log(1 + (n - df + 0.5) / (df + 0.5))
  }

  /** The best `limit` documents for the query (text, or terms already cut), best first (ties: lower index); documents sharing no term are left out. */
  search (query: string | string[], limit: number): Ranked[] {
    if (limit <= 0) return []
    const touched: number[] = []
    const scores = this.scores
    for (const term of new Set(typeof query === 'string' ? tokenize(query) : query)) {
      const list = this.postings.get(term)
      if (list === undefined) continue
      const idf = this.idf(term)
      for (const [doc, tf] of list) {
        if (scores[doc] === 0) touched.push(doc)
        scores[doc]! += idf * tf * (this.k1 + 1) / (tf + this.k1 * (1 - this.b + this.b * this.lengths[doc]! / this.averageLength))
      }
    }
    // Keep the best `limit` in a small sorted array: a few comparisons per match.
    const best: Ranked[] = []
    for (const index of touched) {
      const score = scores[index]!
      scores[index] = 0
      if (best.length === limit && !better(score, index, best[limit - 1]!)) continue
      let at = best.length === limit ? limit - 1 : best.length
      while (at > 0 && better(score, index, best[at - 1]!)) {
        best[at] = best[at - 1]!
        at--
      }
      best[at] = { index, score }
    }
    return best
  }
}

const better = (score: number, index: number, than: Ranked): boolean => score > than.score || (score === than.score && index < than.index)
