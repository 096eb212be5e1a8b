import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { visibleConversation } from '../../agents/permissions.js'
import { AttachmentSchema, PhraseSchema } from '../../model/index.js'
import { createPhrase, deletePhrase, expandPhrase, findPhrases, MAX_PHRASE_MEDIA, updatePhrase, visiblePhrases } from '../../phrases/index.js'
import type { HubServices } from '../../services.js'
import { IdParams, secured } from './common.js'

const tags = ['phrases']
const Code = Type.String({ minLength: 1, maxLength: 32, pattern: '^[\\p{L}\\p{N}_-]+$', description: 'what follows / in the reply box (letters, digits, _ and -)' })
const Fields = {
  code: Code,
  title: Type.String({ minLength: 1, maxLength: 200 }),
  text: Type.String({ minLength: 1, maxLength: 5000, description: 'may hold {contact.name} and {agent.name}' }),
  attachments: Type.Optional(Type.Array(AttachmentSchema, { maxItems: MAX_PHRASE_MEDIA, description: 'images or videos uploaded with POST /files' }))
}
const NewPhrase = Type.Object({
  scope: Type.Enum(['personal', 'team', 'hub'], { default: 'personal' }),
  teamId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  ...Fields
}, { additionalProperties: false })
const PhrasePatch = Type.Partial(Type.Object(Fields), { additionalProperties: false, minProperties: 1 })
const Search = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: '/code for codes starting so, or words (any language) to find by meaning' })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 })
}, { additionalProperties: false })
const Expanded = Type.Intersect([PhraseSchema, Type.Object({ expanded: Type.Object({ text: Type.String(), attachments: Type.Array(AttachmentSchema) }) })])

/** Quick phrases: managed by their owner (personal), the team's supervisors, or admins (hub); found by code or keyword. */
export async function phraseRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Querystring: Static<typeof Search> }>('/phrases', {
    schema: { tags, summary: 'Your phrases, your teams\' and the hub\'s; with q, the best matches first', ...secured, querystring: Search, response: { 200: Type.Object({ items: Type.Array(PhraseSchema) }) } }
  }, async request => ({ items: findPhrases(await visiblePhrases(s, request.agent!), request.query.q ?? '', request.query.limit) }))

  app.post<{ Body: Static<typeof NewPhrase> }>('/phrases', {
    schema: { tags, summary: 'Add a phrase: personal (yours), team (supervisors of that team) or hub (admins)', ...secured, body: NewPhrase, response: { 201: PhraseSchema } }
  }, async (request, reply) => {
    const { teamId, attachments, ...rest } = request.body
    const phrase = await createPhrase(s, request.agent!, { ...rest, ...(teamId !== undefined ? { teamId } : {}), ...(attachments !== undefined ? { attachments } : {}) })
    request.log.info({ phraseId: phrase.id, scope: phrase.scope, agentId: request.agent!.id }, 'phrase added')
    return await reply.status(201).send(phrase)
  })

  app.patch<{ Params: Static<typeof IdParams>, Body: Static<typeof PhrasePatch> }>('/phrases/:id', {
    schema: { tags, summary: 'Change a phrase you may manage', ...secured, params: IdParams, body: PhrasePatch, response: { 200: PhraseSchema } }
  }, async request => await updatePhrase(s, request.agent!, request.params.id, request.body))

  app.delete<{ Params: Static<typeof IdParams> }>('/phrases/:id', {
    schema: { tags, summary: 'Remove a phrase you may manage', ...secured, params: IdParams }
  }, async (request, reply) => {
    await deletePhrase(s, request.agent!, request.params.id)
    return await reply.status(204).send()
  })

  app.get<{ Params: Static<typeof IdParams>, Querystring: Static<typeof Search> }>('/conversations/:id/phrases', {
    schema: {
      tags, summary: 'Phrases for a conversation, best matches first, each as it would go to this contact ({contact.name}, {agent.name} filled); send one as a normal reply, which the channel\'s policy and the guards check',
      ...secured, params: IdParams, querystring: Search, response: { 200: Type.Object({ items: Type.Array(Expanded) }) }
    }
  }, async request => {
    const conversation = await visibleConversation(s.store, request.agent!, request.params.id)
    const contact = await s.store.getContact(conversation.contactId)
    const found = findPhrases(await visiblePhrases(s, request.agent!), request.query.q ?? '', request.query.limit)
    return { items: found.map(p => ({ ...p, expanded: expandPhrase(p, { contact, agent: request.agent! }) })) }
  })
}
