import { parse } from 'csv-parse/sync'
import { HubError } from '../errors.js'
import type { Card, Product } from '../model/index.js'

/** An import of more rows than this is refused: the catalog is the seller's few hundred best sellers, not their warehouse. */
export const MAX_IMPORT_ROWS = 10_000
const URL_PATTERN = /^https?:\/\/\S+$/

/** A product as a card for the reply box: the channel's id for it, title, image, price, link. */
export const productCard = (p: Product): Card => ({
  kind: 'product', id: p.id, title: p.title,
  ...(p.imageUrl !== null ? { imageUrl: p.imageUrl } : {}),
  ...(p.url !== null ? { url: p.url } : {}),
  ...(p.price !== null ? { fields: { price: p.price } } : {})
})

/** What is wrong with one product, field by field; empty when nothing is. */
export function productProblems (p: { id: string, title: string, price: string | null, imageUrl: string | null, url: string | null }): string[] {
  return [
    ...(p.id === '' || p.id.length > 100 ? ['id: required, at most 100 characters'] : []),
    ...(p.title === '' || p.title.length > 300 ? ['title: required, at most 300 characters'] : []),
    ...(p.price !== null && p.price.length > 40 ? ['price: at most 40 characters'] : []),
    ...(p.imageUrl !== null && !URL_PATTERN.test(p.imageUrl) ? ['image_url: an http(s) address'] : []),
    ...(p.url !== null && !URL_PATTERN.test(p.url) ? ['url: an http(s) address'] : [])
  ]
}

/**
 * A catalog CSV (columns id, title, and optionally price, image_url, url) as products, checked
 * row by row: any problem, and the whole file is refused with every problem named.
 */
export function productsFromCsv (csv: string): Array<Omit<Product, 'updatedAt'>> {
  let rows: Array<Record<string, string>>
  try {
    rows = parse(csv, { columns: (header: string[]) => header.map(h => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: true, relax_column_count: true })
  } catch (err) {
    throw new HubError('catalog_import_invalid', `The file is not valid CSV: ${(err as Error).message}`, 400)
  }
  if (rows.length === 0 || !('id' in rows[0]!) || !('title' in rows[0]!)) {
    throw new HubError('catalog_import_invalid', 'The first row must name the columns, with at least "id" and "title" (optionally "price", "image_url" and "url").', 400)
  }
  if (rows.length > MAX_IMPORT_ROWS) throw new HubError('catalog_import_invalid', `The file has ${rows.length} rows; import at most ${MAX_IMPORT_ROWS} at a time.`, 400)
  const seen = new Set<string>()
  const problems: string[] = []
  const products = rows.map((row, i) => {
    // Row 1 is the header: data rows are numbered as a spreadsheet shows them.
    const product = { id: row.id ?? '', title: row.title ?? '', price: row.price || null, imageUrl: row.image_url || null, url: row.url || null }
    problems.push(...productProblems(product).map(p => `row ${i + 2}: ${p}`))
    if (seen.has(product.id)) problems.push(`row ${i + 2}: the id ${product.id} is also on an earlier row`)
    seen.add(product.id)
    return product
  })
  if (problems.length > 0) throw new HubError('catalog_import_invalid', `Nothing was imported: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? `; and ${problems.length - 20} more` : ''}.`, 400, { problems })
  return products
}
