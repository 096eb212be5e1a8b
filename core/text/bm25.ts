import { tokenize } from './tokens.js'

export interface Ranked { index: number, score: number }

/** A document's text by field, and how much a match in each field counts. */
export type Fields = Array<{ text: string, weight: number }>

/**
 * Okapi BM25 over an inverted index of CJK-aware terms: ranking documents (FAQ questions,
 * phrases) by how well they match a query. Built once; queries only touch the postings of
 * their own terms.
 */
export class Bm25Index {
  private readonly postings = new Map<string, Array<[doc: number, tf: number]>>()
  private readonly lengths: Float64Array
  private readonly averageLength: number

  constructor (documents: Fields[], private readonly k1 = 1.2, private readonly b = 0.75) {
    this.lengths = new Float64Array(documents.length)
    documents.forEach((fields, doc) => {
      const counts = new Map<string, number>()
      for (const { text, weight } of fields) {
        for (const term of tokenize(text)) counts.set(term, (counts.get(term) ?? 0) + weight)
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

  /** The best `limit` documents for the query, best first; documents sharing no term are left out. */
  search (query: string, limit: number): Ranked[] {
    const scores = new Map<number, number>()
    const n = this.lengths.length
    for (const term of new Set(tokenize(query))) {
      const list = this.postings.get(term)
      if (list === undefined) continue
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5))
      for (const [doc, tf] of list) {
        const norm = tf * (this.k1 + 1) / (tf + this.k1 * (1 - this.b + this.b * this.lengths[doc]! / this.averageLength))
        scores.set(doc, (scores.get(doc) ?? 0) + idf * norm)
      }
    }
    return [...scores].map(([index, score]) => ({ index, score })).sort((x, y) => y.score - x.score || x.index - y.index).slice(0, limit)
  }
}
