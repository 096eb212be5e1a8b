import { Type, type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import { sentAtProblem } from '../../core/channels/index.js'
import { AttachmentSchema } from '../../core/model/index.js'

/** The body of POST /channels/<id>/inbound. */
export const InboundBody = Type.Object({
  messageId: Type.String({ minLength: 1, maxLength: 256 }),
  from: Type.Object({
    id: Type.String({ minLength: 1, maxLength: 256 }),
    name: Type.Optional(Type.String({ maxLength: 256 })),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    phone: Type.Optional(Type.String({ maxLength: 64 }))
  }),
  text: Type.String({ maxLength: 100_000 }),
  attachments: Type.Optional(Type.Array(AttachmentSchema, { maxItems: 20 })),
  /** The payload of a choice the customer tapped (a reply's `choices`): the hub acts on it (a rating, a related question). */
  payload: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** When the customer wrote it: epoch milliseconds or an ISO-8601 string. */
  timestamp: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ format: 'date-time' })]))
})

export type InboundBody = Static<typeof InboundBody>

const validator = Compile(InboundBody)

/** The first problem of a body, as `field: sentence`, or null when it is valid. */
export function inboundProblem (body: unknown, now: Date): string | null {
  if (validator.Check(body)) {
    const { timestamp } = body
    return timestamp === undefined ? null : sentAtProblem(new Date(timestamp), now, 'timestamp')
  }
  const first = validator.Errors(body)[0] as { instancePath: string, message: string, keyword: string, params: Record<string, unknown> } | undefined
  if (first === undefined) return 'body: invalid'
  const path = first.instancePath.split('/').filter(Boolean).join('.')
  if (first.keyword === 'required') return `${[path, ...(first.params.requiredProperties as string[])].filter(Boolean).join('.')}: required`
  return `${path === '' ? 'body' : path}: ${first.message}`
}
