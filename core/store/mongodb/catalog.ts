import type { Product } from '../../model/index.js'
import type { CatalogStore } from '../catalog.js'
import { decodeCursor, pageById, type Page } from '../cursor.js'
import { containing, type Doc, MongoPart } from './connection.js'

const toProduct = ({ _id, ...rest }: Doc): Product => ({ id: _id, ...rest }) as Product

export class MongoCatalog extends MongoPart implements CatalogStore {
  async putProducts (products: Array<Omit<Product, 'updatedAt'>>, now: Date): Promise<void> {
    if (products.length === 0) return
    // One bulk write; in a transaction where the server has them, else each replace is atomic and an import run again finishes it.
    await this.db.atomically(async () => {
      await this.m.Product.bulkWrite(products.map(({ id, ...p }) => ({ replaceOne: { filter: { _id: id }, replacement: { _id: id, ...p, updatedAt: now }, upsert: true } })))
      this.db.wrote()
    })
  }

  async getProducts (ids: string[]): Promise<Product[]> {
    return (await this.m.Product.find({ _id: { $in: ids } }).sort({ _id: 1 }).lean() as Doc[]).map(toProduct)
  }

  async listProducts (filter: { q?: string, url?: string }, options: { cursor?: string, limit: number }): Promise<Page<Product>> {
    const query: Doc = {}
    if (options.cursor !== undefined) query._id = { $gt: String(decodeCursor(options.cursor, 1)[0]) }
    if (filter.q !== undefined) query.$or = [{ title: containing(filter.q) }, { _id: containing(filter.q) }]
    if (filter.url !== undefined) query.url = filter.url
    const docs = await this.m.Product.find(query).sort({ _id: 1 }).limit(options.limit + 1).lean() as Doc[]
    return pageById(docs, options.limit, toProduct)
  }

  async deleteProduct (id: string): Promise<boolean> {
    return (await this.m.Product.deleteOne({ _id: id })).deletedCount > 0
  }
}
