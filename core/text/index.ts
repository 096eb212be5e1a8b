export { tokenize } from './tokens.js'
export { Bm25Index, type Fields, type Ranked } from './bm25.js'
export { shouting } from './shouting.js'
export { COUNTRY, countryOfPhone, fromLocaleTag, isTimeZone, LANGUAGE, validLocale } from './locale.js'
