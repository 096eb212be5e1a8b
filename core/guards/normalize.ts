/**
 * Folds text for matching: NFKC turns full-width letters and digits into their ASCII forms
 * (ＳＰＡＭ -> SPAM) and compatibility ideographs into standard ones; then lower case.
 */
export function fold (text: string): string {
  return text.normalize('NFKC').toLowerCase()
}
