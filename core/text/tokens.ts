/**
 * Search terms for Chinese, Japanese, Korean and space-separated languages alike. CJK text has
 * no spaces, so each run of it gives its characters and its overlapping pairs ("退货怎么办" →
 * 退, 货, …, 退货, 货怎, 怎么, 么办): pairs carry most of the meaning, single characters let a
 * one-character query still match. Other scripts give lower-cased words, lightly stemmed
 * (returns → return), without the commonest English words.
 */
const CJK_CHAR = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]'
const CJK = new RegExp(CJK_CHAR, 'u')
/** Runs of CJK, or of other letters and digits (which stop where CJK starts: 订单123号 → 订单, 123, 号). */
const RUNS = new RegExp(`${CJK_CHAR}+|(?:(?!${CJK_CHAR})[\\p{L}\\p{N}])+`, 'gu')

/** Words that say little of what a question is about (so "how do I return it" is about returning). */
const STOP = new Set([
  'a', 'an', 'the', 'is', 'are', 'was', 'be', 'am', 'to', 'of', 'and', 'or', 'in', 'on', 'at', 'for', 'it', 'i', 'me', 'my', 'you', 'your', 'we', 'our',
  'do', 'does', 'did', 'can', 'could', 'would', 'will', 'this', 'that', 'with', 'how', 'what', 'when', 'where', 'why', 'which', 'who', 'please'
])

/** returns → return, boxes → box, parties → party, shipping → ship, refunded → refund. */
function stem (word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word
  if (word.endsWith('ies')) return word.slice(0, -3) + 'y'
  if (word.endsWith('sses')) return word.slice(0, -2)
  if (/(x|ch|sh)es$/.test(word)) return word.slice(0, -2)
  if (word.endsWith('ing') && word.length > 5) return undouble(word.slice(0, -3))
  if (word.endsWith('ed') && word.length > 4) return undouble(word.slice(0, -2))
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1)
  return word
}

/** shipp → ship, after -ing or -ed took a doubled consonant with it. */
const undouble = (word: string): string => /([b-df-hj-np-tv-z])\1$/.test(word) && !/(ll|ss|zz)$/.test(word) ? word.slice(0, -1) : word

export function tokenize (text: string): string[] {
  const out: string[] = []
  for (const [run] of text.normalize('NFKC').toLowerCase().matchAll(RUNS)) {
    if (CJK.test(run)) {
      const chars = [...run]
      out.push(...chars)
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!)
    } else if (!STOP.has(run)) {
      out.push(stem(run))
    }
  }
  return out
}
