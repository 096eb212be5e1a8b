import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import type { ClientFrame } from './frames.js'

const Attachment = Type.Object({
  kind: Type.Enum(['image', 'video', 'audio', 'file']),
  url: Type.String({ maxLength: 2048 }),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  mimeType: Type.Optional(Type.String({ maxLength: 255 })),
  size: Type.Optional(Type.Integer({ minimum: 0 }))
})
const Short = (max: number) => Type.String({ maxLength: max })

const Frame = Type.Union([
  // Text length is the channel's setting, checked after: the schema only stops absurd frames.
  Type.Object({ type: Type.Literal('message'), clientId: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }), text: Type.String({ maxLength: 100_000 }), attachments: Type.Optional(Type.Array(Attachment, { maxItems: 10 })), payload: Type.Optional(Short(200)) }),
  Type.Object({ type: Type.Literal('typing'), on: Type.Boolean() }),
  Type.Object({ type: Type.Literal('receipt'), status: Type.Enum(['delivered', 'read']), ids: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 200 }) }),
  Type.Object({ type: Type.Literal('sync') }),
  Type.Object({ type: Type.Literal('page'), url: Type.String({ pattern: '^https?://', maxLength: 2048 }), title: Short(300), referrer: Type.Optional(Short(2048)), welcome: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' })), language: Type.Optional(Short(35)), timeZone: Type.Optional(Short(64)) }),
  Type.Object({ type: Type.Literal('profile'), name: Type.Optional(Short(100)), email: Type.Optional(Short(320)), phone: Type.Optional(Short(40)), prechat: Type.Optional(Type.Boolean()) }),
  Type.Object({ type: Type.Literal('identify'), userId: Type.String({ minLength: 1, maxLength: 128 }), name: Type.Optional(Short(100)), email: Type.Optional(Short(320)), phone: Type.Optional(Short(40)), hash: Type.Optional(Short(128)) }),
  Type.Object({ type: Type.Literal('attributes'), attributes: Type.Record(Type.String({ maxLength: 64 }), Type.Union([Short(1000), Type.Number(), Type.Boolean(), Type.Null()]), { maxProperties: 50 }) })
])

const check = Compile(Frame)
const TYPES = new Set(['message', 'typing', 'receipt', 'sync', 'page', 'profile', 'identify', 'attributes'])

/** A client frame, or the sentence that says what is wrong with it. */
export function parseFrame (raw: string): ClientFrame | { problem: string } {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return { problem: 'The frame is not JSON.' }
  }
  const type = (value as { type?: unknown } | null)?.type
  if (typeof type !== 'string' || !TYPES.has(type)) return { problem: `Unknown frame type; use one of ${[...TYPES].join(', ')}.` }
  if (!check.Check(value)) {
    const first = check.Errors(value).find(e => e.instancePath !== '' || e.keyword !== 'anyOf') as { instancePath: string, message: string } | undefined
    return { problem: `The ${type} frame is invalid${first !== undefined ? `: ${first.instancePath.slice(1).replaceAll('/', '.') || 'frame'} ${first.message}` : ''}.` }
  }
  return value as ClientFrame
}

export const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/
export const PHONE = /^\+?[0-9][0-9 ().-]{5,24}$/
