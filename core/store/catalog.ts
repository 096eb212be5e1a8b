import type { Product } from '../model/index.js'
import type { Page } from './cursor.js'

/**
 * The product catalog: products by the seller's own id. `putProducts` writes a whole import at
 * once: every product or (on a crash) none, each replacing the one with its id.
 */
export interface CatalogStore {
  putProducts (products: Array<Omit<Product, 'updatedAt'>>, now: Date): Promise<void>
  getProducts (ids: string[]): Promise<Product[]>
  /** By title, or id, containing `q` (case-insensitive for Latin letters); by id. */
  listProducts (filter: { q?: string, url?: string }, options: { cursor?: string, limit: number }): Promise<Page<Product>>
  /** False when there was none. */
  deleteProduct (id: string): Promise<boolean>
}
