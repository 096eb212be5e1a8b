import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { requireRole, visibilityOf } from '../../agents/permissions.js'
import { HubError, notFound } from '../../errors.js'
import { COUNTRY, isTimeZone, LANGUAGE } from '../../text/index.js'
import type { Agent, ContactEdit } from '../../model/index.js'
import { BrowsingSchema, ContactSchema, ConversationSchema, MessageSchema, PageOf } from '../../model/index.js'
import type { HubServices } from '../../services.js'
import { cleanTags, IdParams, page, Paging, PresenceSchema, secured } from './common.js'

const tags = ['contacts']
const Field = (maxLength: number, extra: Record<string, unknown> = {}) => Type.Optional(Type.Union([Type.String({ maxLength, ...extra }), Type.Null()]))
const ContactPatch = Type.Object({
  name: Field(200),
  email: Field(320, { pattern: '^$|^[^@\\s]+@[^@\\s]+$' }),
  phone: Field(40),
  notes: Field(10_000),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
  language: Type.Optional(Type.Union([Type.String({ pattern: LANGUAGE.source, description: 'ISO 639: zh, en' }), Type.Null()])),
  timeZone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64, description: 'IANA: Asia/Shanghai' }), Type.Null()])),
  country: Type.Optional(Type.Union([Type.String({ pattern: COUNTRY.source, description: 'ISO 3166 alpha-2: CN' }), Type.Null()])),
  suppression: Type.Optional(Type.Null({ description: 'Supervisors: lift a suppression, so automatic messages reach the contact again' }))
}, { additionalProperties: false })

/** A contact is visible to an agent who may see at least one of their conversations. */
async function visibleContact (s: HubServices, agent: Agent, id: string) {
  const contact = await s.store.getContact(id)
  if (contact === null) throw notFound('contact', id)
  const visibleTo = visibilityOf(agent)
  const { items } = await s.store.listConversations({ contactId: id, ...(visibleTo !== undefined ? { visibleTo } : {}) }, { limit: 1 })
  if (items.length === 0 && agent.role !== 'admin') throw notFound('contact', id)
  return contact
}

/** Contacts and their whole history across channels, for an agent taking over a conversation. */
export async function contactRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Params: Static<typeof IdParams> }>('/contacts/:id', {
    schema: { tags, summary: 'A contact with identities on every channel, the pages they visited and whether they are on the site now (website chat)', ...secured, params: IdParams, response: { 200: Type.Intersect([ContactSchema, Type.Object({ browsing: BrowsingSchema, presence: PresenceSchema })]) } }
  }, async request => {
    const contact = await visibleContact(s, request.agent!, request.params.id)
    return { ...contact, browsing: await s.store.browsing(contact.identities), presence: s.presence.of(contact.identities) }
  })

  app.get<{ Params: Static<typeof IdParams> }>('/contacts/:id/conversations', {
    schema: { tags, summary: "The contact's conversations on every channel, most recent first", ...secured, params: IdParams, response: { 200: PageOf(ConversationSchema) } }
  }, async request => {
    await visibleContact(s, request.agent!, request.params.id)
    // Whoever may serve the contact sees all of their history, whichever team served it before.
    return await s.store.listConversations({ contactId: request.params.id }, { limit: 100 })
  })

  app.patch<{ Params: Static<typeof IdParams>, Body: Static<typeof ContactPatch> }>('/contacts/:id', {
    schema: { tags, summary: "Edit a contact's name, email, phone, tags, notes, language, time zone or country; null clears a field (a suppression: supervisors; a new email lifts an undeliverable one)", ...secured, params: IdParams, body: ContactPatch, response: { 200: ContactSchema } }
  }, async request => {
    const before = await visibleContact(s, request.agent!, request.params.id)
    const { timeZone } = request.body
    if (typeof timeZone === 'string' && !isTimeZone(timeZone)) throw new HubError('invalid_time_zone', `"${timeZone}" is not a time zone; use an IANA name such as Asia/Shanghai or Europe/Berlin.`, 400, { field: 'body.timeZone' })
    const { tags: contactTags, suppression, ...fields } = request.body
    const edit: ContactEdit = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' && v.trim() === '' ? null : v]))
    if (contactTags !== undefined) edit.tags = cleanTags(contactTags)
    if (suppression !== undefined) {
      // A complaint is the customer's own wish: only someone who answers for the team may overrule it.
      requireRole(request.agent!, 'supervisor')
      edit.suppression = null
    }
    // A new address may well be deliverable: the bounce was about the old one.
    if (edit.email !== undefined && edit.email !== before.email && before.suppression?.reason === 'undeliverable') edit.suppression = null
    const contact = await s.store.editContact(request.params.id, edit, s.clock())
    request.log.info({ contactId: contact.id, agentId: request.agent!.id, fields: Object.keys(request.body) }, 'contact edited')
    return contact
  })

  // A block holds what the contact writes on any channel aside (store rule 8): nothing is lost, and an unblock lets new messages through.
  const setBlocked = (on: boolean) => async (request: FastifyRequest<{ Params: Static<typeof IdParams> }>) => {
    const before = await visibleContact(s, request.agent!, request.params.id)
    if ((before.blocked !== null) === on) return before
    const contact = await s.store.editContact(before.id, { blocked: on ? { by: request.agent!.id, at: s.clock() } : null }, s.clock())
    request.log.info({ contactId: contact.id, agentId: request.agent!.id }, on ? 'contact blocked' : 'contact unblocked')
    return contact
  }
  app.post<{ Params: Static<typeof IdParams> }>('/contacts/:id/block', {
    schema: { tags, summary: 'Block a contact: from now on what they write, on every channel, is held in the Spam view (not routed, not unread); blocking again keeps the first block', ...secured, params: IdParams, response: { 200: ContactSchema } }
  }, setBlocked(true))
  app.delete<{ Params: Static<typeof IdParams> }>('/contacts/:id/block', {
    schema: { tags, summary: 'Unblock a contact: their new messages reach agents again (held ones stay in the Spam view to restore)', ...secured, params: IdParams, response: { 200: ContactSchema } }
  }, setBlocked(false))

  const Query = Type.Object(Paging, { additionalProperties: false })
  app.get<{ Params: Static<typeof IdParams>, Querystring: Static<typeof Query> }>('/contacts/:id/messages', {
    schema: { tags, summary: "The contact's whole history across channels, oldest first", ...secured, params: IdParams, querystring: Query, response: { 200: PageOf(MessageSchema) } }
  }, async request => {
    await visibleContact(s, request.agent!, request.params.id)
    return await s.store.listContactMessages(request.params.id, page(request.query))
  })
}
