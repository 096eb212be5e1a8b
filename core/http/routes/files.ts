import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import type { HubServices } from '../../pipeline/index.js'

const Params = Type.Object({ key: Type.String(), name: Type.String() })
const INLINE = /^(image\/(png|jpeg|gif|webp)|video\/(mp4|webm)|audio\/(mpeg|ogg|mp4))$/

/**
 * Attachments, by capability URL (the key is 160 random bits). Only plain media show inline;
 * anything else downloads, sandboxed, so a customer's HTML file cannot run on the hub's origin.
 */
export async function fileRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Params: Static<typeof Params> }>('/files/:key/:name', {
    schema: { tags: ['files'], summary: 'An attachment stored by the hub', params: Params }
  }, async (request, reply) => {
    const file = await s.files.open(request.params.key)
    if (file === null) return await reply.status(404).send({ code: 'file_not_found', message: 'No file has this address; it may have been removed.' })
    const inline = INLINE.test(file.meta.mimeType)
    return await reply
      .header('content-type', inline ? file.meta.mimeType : 'application/octet-stream')
      .header('content-length', file.meta.size)
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.meta.name)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "sandbox; default-src 'none'")
      .header('cache-control', 'private, max-age=86400, immutable')
      .send(file.stream)
  })
}
