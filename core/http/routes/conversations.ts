import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { notFound } from '../../errors.js'
import { reply, replyPolicy, verdictBody, type HubServices } from '../../pipeline/index.js'
import { AttachmentSchema } from '../../model/index.js'

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
const Paging = {
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 })
}
const ListQuery = Type.Object({
  status: Type.Optional(Type.Union(['bot', 'unassigned', 'assigned', 'closed'].map(s => Type.Literal(s)))),
  channel: Type.Optional(Type.String({ minLength: 1 })),
  /** An agent id, `me`, or `none`. */
  assignee: Type.Optional(Type.String({ minLength: 1 })),
  ...Paging
}, { additionalProperties: false })
const MessagesQuery = Type.Object(Paging, { additionalProperties: false })
const ReplyBody = Type.Object({
  text: Type.String({ maxLength: 100_000 }),
  tag: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  attachments: Type.Optional(Type.Array(AttachmentSchema, { maxItems: 20 }))
}, { additionalProperties: false })

/** The agents' REST API over conversations and their messages. */
export async function conversationRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/conversations', { schema: { querystring: ListQuery } }, async (request) => {
    const { status, channel, assignee, cursor, limit } = request.query
    const assigneeId = assignee === 'me' ? request.agent!.id : assignee === 'none' ? null : assignee
    return await s.store.listConversations(
      { ...(status !== undefined ? { status } : {}), ...(channel !== undefined ? { channelId: channel } : {}), ...(assignee !== undefined ? { assigneeId } : {}) },
      { limit, ...(cursor !== undefined ? { cursor } : {}) })
  })

  app.get<{ Params: Static<typeof Id> }>('/conversations/:id', { schema: { params: Id } }, async (request) => {
    const conversation = await s.store.getConversation(request.params.id)
    if (conversation === null) throw notFound('conversation', request.params.id)
    const contact = await s.store.getContact(conversation.contactId)
    return { ...conversation, contact }
  })

  app.get<{ Params: Static<typeof Id>, Querystring: Static<typeof MessagesQuery> }>('/conversations/:id/messages',
    { schema: { params: Id, querystring: MessagesQuery } }, async (request) => {
      if (await s.store.getConversation(request.params.id) === null) throw notFound('conversation', request.params.id)
      const { cursor, limit } = request.query
      return await s.store.listMessages(request.params.id, { limit, ...(cursor !== undefined ? { cursor } : {}) })
    })

  app.get<{ Params: Static<typeof Id> }>('/conversations/:id/reply-policy', { schema: { params: Id } }, async (request) =>
    verdictBody(await replyPolicy(s, request.params.id)))

  app.post<{ Params: Static<typeof Id>, Body: Static<typeof ReplyBody> }>('/conversations/:id/messages',
    { schema: { params: Id, body: ReplyBody } }, async (request, response) => {
      const message = await reply(s, request.params.id, request.agent!, request.body as Parameters<typeof reply>[3])
      return await response.status(202).send(message)
    })
}
