import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { requireRole } from '../../agents/permissions.js'
import { productCard, productProblems, productsFromCsv } from '../../catalog/index.js'
import { HubError, notFound } from '../../errors.js'
import { CardSchema, PageOf, ProductSchema } from '../../model/index.js'
import type { HubServices } from '../../services.js'
import { IdParams, page, Paging, secured } from './common.js'

const tags = ['catalog']
const IMPORT_BYTES = 5 * 1024 * 1024
const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'in the title or the id' })),
  url: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048, description: 'the product behind a pasted link' })),
  ...Paging
}, { additionalProperties: false })
const ProductBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 300 }),
  price: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 40, description: 'as customers read it: ¥199' }), Type.Null()])),
  imageUrl: Type.Optional(Type.Union([Type.String({ pattern: '^https?://\\S+$', maxLength: 2048 }), Type.Null()])),
  url: Type.Optional(Type.Union([Type.String({ pattern: '^https?://\\S+$', maxLength: 2048 }), Type.Null()]))
}, { additionalProperties: false })
const ProductItem = Type.Intersect([ProductSchema, Type.Object({ card: CardSchema })])

/** The product catalog: every agent finds products and sends them as cards; supervisors and admins keep it. */
export async function catalogRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/products', {
    schema: { tags, summary: 'Products of the catalog by id, each with the card a reply sends; `q` searches, `url` finds a pasted link\'s product', ...secured, querystring: ListQuery, response: { 200: PageOf(ProductItem) } }
  }, async request => {
    const { q, url } = request.query
    const found = await s.store.listProducts({ ...(q !== undefined ? { q } : {}), ...(url !== undefined ? { url } : {}) }, page(request.query))
    return { items: found.items.map(p => ({ ...p, card: productCard(p) })), nextCursor: found.nextCursor }
  })

  app.put<{ Params: Static<typeof IdParams>, Body: Static<typeof ProductBody> }>('/products/:id', {
    schema: { tags, summary: 'Add or replace a product (supervisors, admins)', ...secured, params: IdParams, body: ProductBody, response: { 200: ProductSchema } }
  }, async request => {
    requireRole(request.agent!, 'supervisor')
    const product = { id: request.params.id.trim(), title: request.body.title.trim(), price: request.body.price ?? null, imageUrl: request.body.imageUrl ?? null, url: request.body.url ?? null }
    const problems = productProblems(product)
    if (problems.length > 0) throw new HubError('invalid_product', `The product is not right: ${problems.join('; ')}.`, 400, { problems })
    await s.store.putProducts([product], s.clock())
    request.log.info({ productId: product.id, agentId: request.agent!.id }, 'product saved')
    return (await s.store.getProducts([product.id]))[0]!
  })

  app.delete<{ Params: Static<typeof IdParams> }>('/products/:id', {
    schema: { tags, summary: 'Remove a product (supervisors, admins)', ...secured, params: IdParams }
  }, async (request, reply) => {
    requireRole(request.agent!, 'supervisor')
    if (!await s.store.deleteProduct(request.params.id)) throw notFound('product', request.params.id)
    return await reply.status(204).send()
  })

  await app.register(async csv => {
    csv.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: IMPORT_BYTES }, (_request, body, done) => { done(null, body) })
    csv.post<{ Body: string }>('/products/import', {
      bodyLimit: IMPORT_BYTES,
      schema: {
        tags, summary: 'Import a catalog CSV (Content-Type: text/csv): columns id, title, and optionally price, image_url, url; products with an id already kept are replaced. Any problem and nothing is imported (400 catalog_import_invalid, every problem listed)',
        ...secured, response: { 200: Type.Object({ imported: Type.Integer() }) }
      }
    }, async request => {
      requireRole(request.agent!, 'supervisor')
      if (typeof request.body !== 'string') throw new HubError('catalog_import_invalid', 'Send the CSV file as the body, with Content-Type: text/csv.', 415)
      const products = productsFromCsv(request.body)
      await s.store.putProducts(products, s.clock())
      request.log.info({ imported: products.length, agentId: request.agent!.id }, 'catalog imported')
      return { imported: products.length }
    })
  })
}
