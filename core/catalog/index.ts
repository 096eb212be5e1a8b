export { MAX_IMPORT_ROWS, productCard, productProblems, productsFromCsv } from './catalog.js'
