/** A Latin letter (Script=Latin also holds a few symbols that are not letters). */
const LATIN_LETTER = /(?=\p{L})\p{Script=Latin}/gu

/** Twelve Latin letters or more, nearly all capitals: shouting. */
export function shouting (text: string): boolean {
  if (text.length < 12) return false
  const letters = text.match(LATIN_LETTER) ?? []
  return letters.length >= 12 && letters.filter(c => c !== c.toLowerCase()).length / letters.length >= 0.8
}
