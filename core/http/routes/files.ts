import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import type { HubServices } from '../../services.js'

const Params = Type.Object({ key: Type.String(), name: Type.String() })
const Query = Type.Object({ exp: Type.Optional(Type.String()), sig: Type.Optional(Type.String()) })
const INLINE = /^(image\/(png|jpeg|gif|webp)|video\/(mp4|webm)|audio\/(mpeg|ogg|mp4))$/

/**
 * Attachments, by signed expiring link (FileLinks). Only plain media show inline; anything else
 * downloads, sandboxed, so a customer's HTML file cannot run on the hub's origin.
 */
export async function fileRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Params: Static<typeof Params>, Querystring: Static<typeof Query> }>('/files/:key/:name', {
    schema: { tags: ['files'], summary: 'An attachment stored by the hub, by the signed link the API or the widget gave', params: Params, querystring: Query }
  }, async (request, reply) => {
    const now = s.clock()
    const check = s.links.check(request.params.key, request.query.exp, request.query.sig, now)
    if (check === 'expired') return await reply.status(403).send({ code: 'file_link_expired', message: 'This file link has expired; open the message again for a fresh one.' })
    if (check === 'invalid') return await reply.status(403).send({ code: 'file_link_invalid', message: 'This file link is not signed or was altered; open the file from its message.' })
    const file = await s.files.open(request.params.key)
    if (file === null) return await reply.status(404).send({ code: 'file_not_found', message: 'No file has this address; it may have been removed.' })
    const inline = INLINE.test(file.meta.mimeType)
    return await reply
      .header('content-type', inline ? file.meta.mimeType : 'application/octet-stream')
      .header('content-length', file.meta.size)
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.meta.name)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "sandbox; default-src 'none'")
      .header('cache-control', `private, max-age=${Math.max(0, Number(request.query.exp) - Math.floor(now.getTime() / 1000))}`)
      .send(file.stream)
  })
}
