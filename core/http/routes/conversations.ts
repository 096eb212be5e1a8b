import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { visibilityOf, visibleConversation } from '../../agents/permissions.js'
import { INBOX_VIEWS, type Agent } from '../../model/index.js'
import { AttachmentSchema, CardSchema, ContactSchema, ContactSummarySchema, ConversationSchema, MessageSchema, PageOf } from '../../model/index.js'
import { agentTyping, channelAction, channelTemplates, conversationActions, markRead, reply, replyChannels, replyPolicy, retryReply, verdictBody, type ReplyInput } from '../../pipeline/index.js'
import { toRobot } from '../../faq/index.js'
import type { HubServices } from '../../services.js'
import type { ConversationFilter } from '../../store/index.js'
import { cleanTags, IdParams, listRows, page, Paging, secured } from './common.js'

const tags = ['conversations']
const Filters = {
  status: Type.Optional(Type.Enum(['open', 'bot', 'unassigned', 'assigned', 'closed'], { description: '`open`: anything but closed' })),
  channel: Type.Optional(Type.String({ minLength: 1 })),
  assignee: Type.Optional(Type.String({ minLength: 1, description: 'an agent id, `me`, or `none`' })),
  team: Type.Optional(Type.String({ minLength: 1, description: 'a team id, or `mine`: any of your teams' })),
  unread: Type.Optional(Type.Boolean({ description: 'only those with unread messages' })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  mood: Type.Optional(Type.Literal('alert', { description: 'only those whose customer reads as upset (a mood alert)' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "search the contact's name and email and every message's text" }))
}
const ListQuery = Type.Object({ ...Filters, ...Paging }, { additionalProperties: false })
const CountsQuery = Type.Object({ channel: Filters.channel, tag: Filters.tag, q: Filters.q }, { additionalProperties: false })
const Count = Type.Object({ total: Type.Integer(), unread: Type.Integer({ description: 'of those, how many have unread messages' }) })
const Counts = Type.Object({ mine: Count, waiting: Count, bot: Count, teams: Count, all: Count, closed: Count }, { description: 'the inbox\'s views: assigned to you, waiting for an agent, with the bot, your teams\' open ones, every open one you may see, closed' })
const ListItem = Type.Intersect([ConversationSchema, Type.Object({
  contact: Type.Union([ContactSummarySchema, Type.Null()]),
  lastMessage: Type.Union([MessageSchema, Type.Null()])
})])
const NoteBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false })
const TagsBody = Type.Object({ tags: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 30, description: 'trimmed; blank ones and repeats are dropped' }) }, { additionalProperties: false })
const RetryParams = Type.Object({ id: IdParams.properties.id, messageId: IdParams.properties.id })
const MessagesQuery = Type.Object(Paging, { additionalProperties: false })
const ReplyBody = Type.Object({
  text: Type.String({ maxLength: 100_000 }),
  tag: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  attachments: Type.Optional(Type.Array(AttachmentSchema, { maxItems: 20 })),
  cards: Type.Optional(Type.Array(CardSchema, { maxItems: 10, description: 'only on channels that carry cards (capabilities.cards)' })),
  channelId: Type.Optional(Type.String({ minLength: 1, description: "send through another of the hub's channels that can reach the contact (e.g. email); default: the conversation's" })),
  confirm: Type.Optional(Type.Boolean({ description: 'send as written after a 422 attitude_warning' })),
  replyTo: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "a message of this conversation to quote: shown as a quote, sent as the channel's reply-to (Messenger `reply_to`) where it has one" })),
  template: Type.Optional(Type.Object({
    name: Type.String({ minLength: 1, maxLength: 512 }),
    language: Type.String({ minLength: 2, maxLength: 15 }),
    parameters: Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 20, description: 'values for {{1}}, {{2}}, … in order' })
  }, { additionalProperties: false, description: "a template from GET …/templates, sent instead of free text (WhatsApp outside its window); `text` may be empty" }))
}, { additionalProperties: false })
const TemplatesQuery = Type.Object({ refresh: Type.Optional(Type.Boolean({ description: 'read them from the channel again' })) }, { additionalProperties: false })
const TemplateOfferSchema = Type.Object({ name: Type.String(), language: Type.String(), category: Type.String(), body: Type.String(), parameters: Type.Array(Type.String()) })
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

/** The store filter behind a list query, within what the agent may see. */
function filterOf (agent: Agent, q: Omit<Static<typeof ListQuery>, 'limit' | 'cursor'>): ConversationFilter {
  const visibleTo = visibilityOf(agent)
  return {
    ...(q.status !== undefined ? { status: q.status } : {}),
    ...(q.channel !== undefined ? { channelId: q.channel } : {}),
    ...(q.assignee !== undefined ? { assigneeId: q.assignee === 'me' ? agent.id : q.assignee === 'none' ? null : q.assignee } : {}),
    ...(q.team !== undefined ? { teamIds: q.team === 'mine' ? agent.teams : [q.team] } : {}),
    ...(q.unread === true ? { unread: true } : {}),
    ...(q.tag !== undefined ? { tag: q.tag } : {}),
    ...(q.mood === 'alert' ? { moodAlert: true } : {}),
    ...(q.q !== undefined && q.q.trim() !== '' ? { search: q.q.trim() } : {}),
    ...(visibleTo !== undefined ? { visibleTo } : {}),
    // Conversations only held messages opened (spam, a blocked contact) are in the Spam view instead.
    held: false
  }
}

/** Conversations the agent may see, their messages, replies, and what agents do with them. */
export async function conversationRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/conversations', {
    schema: { tags, summary: 'List conversations you may see, most recent activity first', ...secured, querystring: ListQuery, response: { 200: PageOf(ConversationSchema) } }
  }, async request => {
    const { items, nextCursor } = await s.store.listConversations(filterOf(request.agent!, request.query), page(request.query))
    return { items: await listRows(s, items), nextCursor }
  })

  app.get<{ Querystring: Static<typeof CountsQuery> }>('/conversations/counts', {
    schema: { tags, summary: "How many conversations each inbox view holds, and how many of them are unread", ...secured, querystring: CountsQuery, response: { 200: Counts } }
  }, async request => {
    const agent = request.agent!
    const counts = await Promise.all(Object.entries(INBOX_VIEWS).map(async ([view, q]) => {
      const filter = filterOf(agent, { ...request.query, ...q })
      const [total, unread] = await Promise.all([s.store.countConversations(filter), s.store.countConversations({ ...filter, unread: true })])
      return [view, { total, unread }] as const
    }))
    return Object.fromEntries(counts)
  })

  app.get<Id>('/conversations/:id', {
    schema: { tags, summary: 'One conversation with its contact and newest message', ...secured, params: IdParams, response: { 200: Type.Intersect([ConversationSchema, Type.Object({ contact: Type.Union([ContactSchema, Type.Null()]), lastMessage: Type.Union([MessageSchema, Type.Null()]) })]) } }
  }, async request => {
    const conversation = await visibleConversation(s.store, request.agent!, request.params.id)
    const [contact, [lastMessage]] = await Promise.all([s.store.getContact(conversation.contactId), s.store.lastMessages([conversation.id])])
    return { ...conversation, contact, lastMessage: lastMessage ?? null }
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

  app.get<Id>('/conversations/:id/reply-channels', {
    schema: {
      tags, summary: 'The channels a reply can go out on: the conversation\'s own first, then others that reach the contact (with the address), each with its verdict now', ...secured, params: IdParams,
      response: { 200: Type.Object({ items: Type.Array(Type.Object({ channelId: Type.String(), address: Type.Union([Type.String(), Type.Null()]), verdict: Verdict })) }) }
    }
  }, async request => ({ items: (await replyChannels(s, request.agent!, request.params.id)).map(c => ({ ...c, verdict: verdictBody(c.verdict) })) }))

  app.post<Id & { Body: Static<typeof ReplyBody> }>('/conversations/:id/messages', {
    schema: { tags, summary: 'Reply: 202 with the pending message, or 422 with the reason', ...secured, params: IdParams, body: ReplyBody, response: { 202: MessageSchema } }
  }, async (request, response) => {
    const message = await reply(s, request.params.id, request.agent!, request.body as ReplyInput)
    return await response.status(202).send(message)
  })

  app.post<{ Params: Static<typeof RetryParams> }>('/conversations/:id/messages/:messageId/retry', {
    schema: { tags, summary: 'Send a failed reply again: 202 with it pending, or 422 when the channel would refuse it now', ...secured, params: RetryParams, response: { 202: MessageSchema } }
  }, async (request, response) => await response.status(202).send(await retryReply(s, request.agent!, request.params.id, request.params.messageId)))

  app.post<Id & { Body: Static<typeof NoteBody> }>('/conversations/:id/notes', {
    schema: { tags, summary: 'Add an internal note: agents see it, the customer never does', ...secured, params: IdParams, body: NoteBody, response: { 201: MessageSchema } }
  }, async (request, response) => await response.status(201).send(await conversationActions.note(s, request.agent!, request.params.id, request.body.text)))

  app.put<Id & { Body: Static<typeof TagsBody> }>('/conversations/:id/tags', {
    schema: { tags, summary: "Replace the conversation's tags", ...secured, params: IdParams, body: TagsBody, response: { 200: ConversationSchema } }
  }, async request => await conversationActions.tag(s, request.agent!, request.params.id, cleanTags(request.body.tags)))

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

  app.get<Id & { Querystring: Static<typeof TemplatesQuery> }>('/conversations/:id/templates', {
    schema: { tags, summary: "The templates the conversation's channel can send (WhatsApp: the approved ones), with category, body and parameters", ...secured, params: IdParams, querystring: TemplatesQuery, response: { 200: Type.Object({ items: Type.Array(TemplateOfferSchema) }) } }
  }, async request => ({ items: await channelTemplates(s, request.agent!, request.params.id, request.query.refresh === true) }))

  const ActionParams = Type.Object({ id: IdParams.properties.id, action: Type.String({ pattern: '^[a-z_]{1,40}$' }) })
  app.post<{ Params: Static<typeof ActionParams> }>('/conversations/:id/actions/:action', {
    schema: { tags, summary: "Ask the conversation's channel to act, as a verdict's `actions` offer (Messenger: `take_thread`, `pass_thread`)", ...secured, params: ActionParams, response: { 200: ConversationSchema } }
  }, async request => await channelAction(s, request.agent!, request.params.id, request.params.action))

  const { unassign, close, reopen } = conversationActions
  for (const [path, action, summary] of [
    ['unassign', unassign, 'Hand back to routing'], ['close', close, 'Close'], ['reopen', reopen, 'Reopen and route again'],
    ['robot', toRobot, 'Hand back to the FAQ robot (channels with robot.mode auto; 409 robot_off elsewhere): it answers the customer\'s next message']
  ] as const) {
    app.post<Id>(`/conversations/:id/${path}`, {
      schema: { tags, summary, ...secured, params: IdParams, response: { 200: ConversationSchema } }
    }, async request => await action(s, request.agent!, request.params.id))
  }
}
