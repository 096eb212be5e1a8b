import { Type } from 'typebox'

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

export const Paging = {
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 })
}

/** Every /api/v1 route: bearer auth, and the error shape of 4xx answers. */
export const secured = { security: [{ bearer: [] }] }

/** Drops `cursor` when absent, for the store's exact optional types. */
export const page = (q: { cursor?: string | undefined, limit: number }): { cursor?: string, limit: number } =>
  q.cursor !== undefined ? { cursor: q.cursor, limit: q.limit } : { limit: q.limit }
