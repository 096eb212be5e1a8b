import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { visibilityOf, visibleConversation } from '../../agents/permissions.js'
import { AttachmentSchema, CardSchema, ContactSchema, ConversationSchema, MessageSchema, PageOf } from '../../model/index.js'
import { agentTyping, conversationActions, markRead, reply, replyPolicy, verdictBody, type HubServices, type ReplyInput } from '../../pipeline/index.js'
import { IdParams, page, Paging, secured } from './common.js'

const tags = ['conversations']
const ListQuery = Type.Object({
  status: Type.Optional(Type.Enum(['bot', 'unassigned', 'assigned', 'closed'])),
  channel: Type.Optional(Type.String({ minLength: 1 })),
  /** An agent id, `me`, or `none`. */
  assignee: Type.Optional(Type.String({ minLength: 1, description: 'an agent id, `me`, or `none`' })),
  ...Paging
}, { additionalProperties: false })
const MessagesQuery = Type.Object(Paging, { additionalProperties: false })
const ReplyBody = Type.Object({
  text: Type.String({ maxLength: 100_000 }),
  tag: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  attachments: Type.Optional(Type.Array(AttachmentSchema, { maxItems: 20 })),
  cards: Type.Optional(Type.Array(CardSchema, { maxItems: 10, description: 'only on channels that carry cards (capabilities.cards)' })),
  channelId: Type.Optional(Type.String({ minLength: 1, description: "send through another of the hub's channels that can reach the contact (e.g. email); default: the conversation's" }))
}, { additionalProperties: false })
const PolicyQuery = Type.Object({
  channelId: Type.Optional(Type.String({ minLength: 1, description: "the verdict for replying through this channel instead of the conversation's" }))
}, { additionalProperties: false })
const AssignBody = Type.Object({
  agentId: Type.Optional(Type.String({ minLength: 1, description: 'default: you' })),
  teamId: Type.Optional(Type.String({ minLength: 1 })),
  note: Type.Optional(Type.String({ maxLength: 10_000, description: 'an internal note for the next agent' }))
}, { additionalProperties: false })
const TypingBody = Type.Object({ on: Type.Boolean({ description: 'true while typing; send false when you stop (or it ends by itself)' }) }, { additionalProperties: false })
const Verdict = Type.Object({ verdict: Type.Enum(['allow', 'tag_required', 'deny']) }, { additionalProperties: true })

type Id = { Params: Static<typeof IdParams> }

/** Conversations the agent may see, their messages, replies, and what agents do with them. */
export async function conversationRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/conversations', {
    schema: { tags, summary: 'List conversations you may see, most recent activity first', ...secured, querystring: ListQuery, response: { 200: PageOf(ConversationSchema) } }
  }, async request => {
    const { status, channel, assignee } = request.query
    const visibleTo = visibilityOf(request.agent!)
    return await s.store.listConversations({
      ...(status !== undefined ? { status } : {}),
      ...(channel !== undefined ? { channelId: channel } : {}),
      ...(assignee !== undefined ? { assigneeId: assignee === 'me' ? request.agent!.id : assignee === 'none' ? null : assignee } : {}),
      ...(visibleTo !== undefined ? { visibleTo } : {})
    }, page(request.query))
  })

  app.get<Id>('/conversations/:id', {
    schema: { tags, summary: 'One conversation with its contact', ...secured, params: IdParams, response: { 200: Type.Intersect([ConversationSchema, Type.Object({ contact: Type.Union([ContactSchema, Type.Null()]) })]) } }
  }, async request => {
    const conversation = await visibleConversation(s.store, request.agent!, request.params.id)
    return { ...conversation, contact: await s.store.getContact(conversation.contactId) }
  })

  app.get<Id & { Querystring: Static<typeof MessagesQuery> }>('/conversations/:id/messages', {
    schema: { tags, summary: 'Messages of a conversation, oldest first', ...secured, params: IdParams, querystring: MessagesQuery, response: { 200: PageOf(MessageSchema) } }
  }, async request => {
    await visibleConversation(s.store, request.agent!, request.params.id)
    return await s.store.listMessages(request.params.id, page(request.query))
  })

  app.get<Id & { Querystring: Static<typeof PolicyQuery> }>('/conversations/:id/reply-policy', {
    schema: { tags, summary: "The channel's verdict on a reply now", ...secured, params: IdParams, querystring: PolicyQuery, response: { 200: Verdict } }
  }, async request => verdictBody(await replyPolicy(s, request.agent!, request.params.id, request.query.channelId)))

  app.post<Id & { Body: Static<typeof ReplyBody> }>('/conversations/:id/messages', {
    schema: { tags, summary: 'Reply: 202 with the pending message, or 422 with the reason', ...secured, params: IdParams, body: ReplyBody, response: { 202: MessageSchema } }
  }, async (request, response) => {
    const message = await reply(s, request.params.id, request.agent!, request.body as ReplyInput)
    return await response.status(202).send(message)
  })

  app.post<Id & { Body: Static<typeof AssignBody> }>('/conversations/:id/assign', {
    schema: { tags, summary: 'Take, transfer to an agent or a team (with a note), or take over', ...secured, params: IdParams, body: AssignBody, response: { 200: ConversationSchema } }
  }, async request => await conversationActions.assign(s, request.agent!, request.params.id, request.body))

  app.post<Id & { Body: Static<typeof TypingBody> }>('/conversations/:id/typing', {
    schema: { tags, summary: 'Show the customer that you are typing, where the channel can', ...secured, params: IdParams, body: TypingBody, response: { 204: Type.Null() } }
  }, async (request, response) => {
    await agentTyping(s, request.agent!, request.params.id, request.body.on)
    return await response.status(204).send()
  })

  app.post<Id>('/conversations/:id/read', {
    schema: { tags, summary: 'Mark as read: unread goes to zero, and the customer may see it was seen', ...secured, params: IdParams, response: { 200: ConversationSchema } }
  }, async request => await markRead(s, request.agent!, request.params.id))

  for (const [action, summary] of [['unassign', 'Hand back to routing'], ['close', 'Close'], ['reopen', 'Reopen and route again']] as const) {
    app.post<Id>(`/conversations/:id/${action}`, {
      schema: { tags, summary, ...secured, params: IdParams, response: { 200: ConversationSchema } }
    }, async request => await conversationActions[action](s, request.agent!, request.params.id))
  }
}
