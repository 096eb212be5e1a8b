import { Type } from 'typebox'

/** An attachment as the API and channel plugins accept it (JSON Schema, also read by Fastify's Ajv). */
export const AttachmentSchema = Type.Object({
  kind: Type.Enum(['image', 'video', 'audio', 'file']),
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  mimeType: Type.Optional(Type.String({ maxLength: 255 })),
  size: Type.Optional(Type.Integer({ minimum: 0 }))
}, { additionalProperties: false })
