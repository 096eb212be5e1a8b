import { tokenize } from './tokens.js'

export interface Ranked { index: number, score: number }

/** A document's text (or its terms, already cut) by field, and how much a match in each field counts. */
export type Fields = Array<({ text: string } | { terms: string[] }) & { weight: number }>

/** A term's documents and, per document, its BM25 term-frequency part (computed once, at build). */
interface Postings { docs: Int32Array, weights: Float32Array }

/**
 * Okapi BM25 over an inverted index of CJK-aware terms: ranking documents (FAQ questions,
 * phrases) by how well they match a query. Built once; a query only touches the postings of
 * its own terms, each a multiply-add, and keeps the best `limit` (no sort of every match).
 */
export class Bm25Index {
  private readonly postings = new Map<string, Postings>()
  private readonly count: number
  private readonly scores: Float64Array

  constructor (documents: Fields[], k1 = 1.2, b = 0.75) {
    this.count = documents.length
    this.scores = new Float64Array(documents.length)
    const lists = new Map<string, { docs: number[], tfs: number[] }>()
    const lengths = new Float64Array(documents.length)
    documents.forEach((fields, doc) => {
      const counts = new Map<string, number>()
      for (const field of fields) {
        for (const term of 'terms' in field ? field.terms : tokenize(field.text)) counts.set(term, (counts.get(term) ?? 0) + field.weight)
      }
      for (const [term, tf] of counts) {
        let list = lists.get(term)
        if (list === undefined) lists.set(term, list = { docs: [], tfs: [] })
        list.docs.push(doc)
        list.tfs.push(tf)
        lengths[doc]! += tf
      }
    })
    const average = documents.length === 0 ? 1 : lengths.reduce((x, y) => x + y, 0) / documents.length || 1
    for (const [term, { docs, tfs }] of lists) {
      const weights = new Float32Array(tfs.length)
      tfs.forEach((tf, i) => { weights[i] = tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[docs[i]!]! / average)) })
      this.postings.set(term, { docs: Int32Array.from(docs), weights })
    }
  }

  get size (): number {
    return this.count
  }

  /** How telling a term is: high for rare terms; `minDf` 1 weighs a term no document has as the rarest known ones. */
  idf (term: string, minDf = 0): number {
    const df = Math.max(minDf, this.postings.get(term)?.docs.length ?? 0)
    return Math.log(1 + (this.count - df + 0.5) / (df + 0.5))
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
      const { docs, weights } = list
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i]!
        if (scores[doc] === 0) touched.push(doc)
        scores[doc]! += idf * weights[i]!
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
