/** Twelve Latin letters or more, nearly all capitals: shouting. */
export function shouting (text: string): boolean {
  const letters = [...text].filter(c => /\p{Script=Latin}/u.test(c) && /\p{L}/u.test(c))
  return letters.length >= 12 && letters.filter(c => c !== c.toLowerCase()).length / letters.length >= 0.8
}
