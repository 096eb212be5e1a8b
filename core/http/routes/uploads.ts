import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { HubError } from '../../errors.js'
import { attachmentOf, uploadedFileName } from '../../files/index.js'
import { AttachmentSchema } from '../../model/index.js'
import type { HubServices } from '../../services.js'
import { secured } from './common.js'

const Headers = Type.Object({
  'x-file-name': Type.Optional(Type.String({ maxLength: 1000, description: 'the file name, URL-encoded' })),
  'x-file-type': Type.Optional(Type.String({ maxLength: 200, description: "the file's MIME type (the body itself is sent as application/octet-stream)" }))
})

/** Agents' attachments: the bytes are kept by the hub's file store, and the reply refers to them. */
export async function uploadRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: s.config.files.maxUploadBytes }, (_request, body, done) => done(null, body))
  app.post('/files', {
    schema: {
      tags: ['files'], summary: 'Upload an attachment for a reply; each channel then checks what it can carry', ...secured, headers: Headers,
      response: { 201: Type.Object({ attachment: AttachmentSchema }, { description: 'attachment.url is a signed link to show it now; put the attachment in a reply as it is' }) }
    }
  }, async (request, reply) => {
    const data = request.body
    if (!Buffer.isBuffer(data) || data.length === 0) {
      throw new HubError('empty_file', "Send the file's bytes as an application/octet-stream body, with X-File-Name and X-File-Type.", 400)
    }
    const type = String(request.headers['x-file-type'] ?? '').toLowerCase().trim()
    const mimeType = /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? type : 'application/octet-stream'
    const stored = await s.files.put(data, { name: uploadedFileName(request.headers['x-file-name']), mimeType })
    request.log.info({ agentId: request.agent!.id, size: stored.size }, 'agent uploaded a file')
    return await reply.status(201).send({ attachment: attachmentOf(stored) })
  })
}
