import type { Product } from '../../model/index.js'
import type { CatalogStore } from '../catalog.js'
import { decodeCursor, pageById, type Page } from '../cursor.js'
import { SqlitePart } from './connection.js'

interface ProductRow { id: string, title: string, price: string | null, image_url: string | null, url: string | null, updated_at: number }
const toProduct = (r: ProductRow): Product => ({ id: r.id, title: r.title, price: r.price, imageUrl: r.image_url, url: r.url, updatedAt: new Date(r.updated_at) })

export class SqliteCatalog extends SqlitePart implements CatalogStore {
  async putProducts (products: Array<Omit<Product, 'updatedAt'>>, now: Date): Promise<void> {
    await this.db.write(() => {
      const put = this.db.sql(`INSERT INTO products (id, title, price, image_url, url, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET title = excluded.title, price = excluded.price, image_url = excluded.image_url, url = excluded.url, updated_at = excluded.updated_at`)
      for (const p of products) put.run(p.id, p.title, p.price, p.imageUrl, p.url, now.getTime())
    })
  }

  async getProducts (ids: string[]): Promise<Product[]> {
    return (this.db.sql('SELECT * FROM products WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify(ids)) as ProductRow[]).map(toProduct)
  }

  async listProducts (filter: { q?: string, url?: string }, options: { cursor?: string, limit: number }): Promise<Page<Product>> {
    const after = options.cursor !== undefined ? String(decodeCursor(options.cursor, 1)[0]) : ''
    const like = filter.q === undefined ? null : `%${filter.q.replace(/[\\%_]/g, c => `\\${c}`)}%`
    const rows = this.db.sql(`SELECT * FROM products WHERE id > ? AND (? IS NULL OR title LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\') AND (? IS NULL OR url = ?)
      ORDER BY id LIMIT ?`).all(after, like, like, like, filter.url ?? null, filter.url ?? null, options.limit + 1) as ProductRow[]
    return pageById(rows, options.limit, toProduct)
  }

  async deleteProduct (id: string): Promise<boolean> {
    return (await this.db.write(() => this.db.sql('DELETE FROM products WHERE id = ?').run(id))).changes > 0
  }
}
