import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { requireRole } from '../../agents/permissions.js'
import { HubError } from '../../errors.js'
import { addFromMessage, agentRanking, approveEntry, createEntry, deleteEntry, importCsv, robotStats, suggestionsFor, updateEntry, visibleEntries } from '../../faq/index.js'
import { FaqEntrySchema } from '../../model/index.js'
import type { HubServices } from '../../services.js'
import { IdParams, secured } from './common.js'

const tags = ['faq']
const Question = Type.String({ minLength: 1, maxLength: 1000 })
const Answer = Type.String({ minLength: 1, maxLength: 5000 })
const Phrasings = Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 50, description: 'other ways customers ask it' })
const Related = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10, description: 'ids of entries offered under the answer' })
const NewEntry = Type.Object({
  teamId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], { description: 'the team whose conversations it answers; absent or null: every conversation (admins)' })),
  question: Question, alternatives: Type.Optional(Phrasings), answer: Answer, related: Type.Optional(Related)
}, { additionalProperties: false })
const EntryPatch = Type.Object({ question: Type.Optional(Question), alternatives: Type.Optional(Phrasings), answer: Type.Optional(Answer), related: Type.Optional(Related) }, { additionalProperties: false, minProperties: 1 })
const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 500, description: 'a customer\'s question: entries ranked as the robot would (approved entries only)' })),
  suggested: Type.Optional(Type.Boolean({ description: 'true: only agents\' suggestions waiting for approval; false: only approved entries' })),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 })
}, { additionalProperties: false })
const ImportQuery = Type.Object({ teamId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false })
const Ranked = Type.Intersect([FaqEntrySchema, Type.Object({ confidence: Type.Number(), score: Type.Number() })])
const FromMessage = Type.Object({
  question: Type.Optional(Question),
  answer: Type.Optional(Type.String({ minLength: 1, maxLength: 5000, description: 'default: the first agent reply after the message' })),
  alternatives: Type.Optional(Phrasings)
}, { additionalProperties: false })
const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), messageId: Type.String({ minLength: 1, maxLength: 64 }) })
const StatsQuery = Type.Object({ days: Type.Integer({ minimum: 1, maximum: 365, default: 7 }) }, { additionalProperties: false })
const Count = Type.Integer()
const Stats = Type.Object({
  channelId: Type.String(), mode: Type.Enum(['off', 'suggest', 'auto']), asked: Count, answered: Count, unsure: Count,
  hitRate: Type.Union([Type.Number(), Type.Null()], { description: 'answered / asked' }),
  handoffs: Type.Object({ total: Count, asked_for_human: Count, no_answer: Count, failed_turns: Count, channel_refused: Count })
})

/** Largest CSV accepted by the import. */
const IMPORT_BYTES = 16 * 1024 * 1024

/** The FAQ robot's knowledge base, its suggestions to agents, and how it does per channel. */
export async function faqRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/faq', {
    schema: { tags, summary: 'The FAQ entries you see (the hub\'s and your teams\'); with q, ranked for that question', ...secured, querystring: ListQuery, response: { 200: Type.Object({ items: Type.Array(Ranked), total: Type.Integer() }) } }
  }, async request => {
    const { q, offset, limit, suggested } = request.query
    const ranked = q === undefined || q.trim() === ''
      ? (await visibleEntries(s, request.agent!)).filter(e => suggested === undefined || e.suggested === suggested).map(entry => ({ entry, confidence: 0, score: 0 }))
      : (await agentRanking(s, request.agent!)).rank(q, offset + limit)
    return { items: ranked.slice(offset, offset + limit).map(r => ({ ...r.entry, confidence: r.confidence, score: r.score })), total: ranked.length }
  })

  app.post<{ Body: Static<typeof NewEntry> }>('/faq', {
    schema: { tags, summary: 'Add an entry: to a team\'s FAQ (its supervisors) or the hub\'s (admins)', ...secured, body: NewEntry, response: { 201: FaqEntrySchema } }
  }, async (request, reply) => {
    const entry = await createEntry(s, request.agent!, request.body)
    request.log.info({ entryId: entry.id, agentId: request.agent!.id }, 'FAQ entry added')
    return await reply.status(201).send(entry)
  })

  app.patch<{ Params: Static<typeof IdParams>, Body: Static<typeof EntryPatch> }>('/faq/:id', {
    schema: { tags, summary: 'Change an entry you manage', ...secured, params: IdParams, body: EntryPatch, response: { 200: FaqEntrySchema } }
  }, async request => await updateEntry(s, request.agent!, request.params.id, request.body))

  app.post<{ Params: Static<typeof IdParams> }>('/faq/:id/approve', {
    schema: { tags, summary: 'Approve an agent\'s suggestion (the team\'s supervisors, admins): the robot answers with it from now on', ...secured, params: IdParams, response: { 200: FaqEntrySchema } }
  }, async request => {
    const entry = await approveEntry(s, request.agent!, request.params.id)
    request.log.info({ entryId: entry.id, by: request.agent!.id }, 'FAQ suggestion approved')
    return entry
  })

  app.delete<{ Params: Static<typeof IdParams> }>('/faq/:id', {
    schema: { tags, summary: 'Remove an entry you manage (and it from others\' related questions)', ...secured, params: IdParams }
  }, async (request, reply) => {
    await deleteEntry(s, request.agent!, request.params.id)
    return await reply.status(204).send()
  })

  await app.register(async csv => {
    csv.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: IMPORT_BYTES }, (_request, body, done) => { done(null, body) })
    csv.post<{ Querystring: Static<typeof ImportQuery>, Body: string }>('/faq/import', {
      bodyLimit: IMPORT_BYTES,
      schema: {
        tags, summary: 'Import a CSV (Content-Type: text/csv): columns question, answer, and optionally alternatives and related (several separated by | or line breaks). Questions already in the FAQ are updated; any problem and nothing is imported',
        ...secured, querystring: ImportQuery, response: { 200: Type.Object({ created: Type.Integer(), updated: Type.Integer() }) }
      }
    }, async request => {
      if (typeof request.body !== 'string') throw new HubError('faq_import_invalid', 'Send the CSV file as the body, with Content-Type: text/csv.', 415)
      const outcome = await importCsv(s, request.agent!, request.body, request.query.teamId ?? null)
      request.log.info({ ...outcome, agentId: request.agent!.id }, 'FAQ imported')
      return outcome
    })
  })

  app.get<{ Querystring: Static<typeof StatsQuery> }>('/faq/stats', {
    schema: { tags, summary: 'Supervisors: per channel, how often the robot answered and how often it handed off to a person, in the last days', ...secured, querystring: StatsQuery, response: { 200: Type.Object({ items: Type.Array(Stats) }) } }
  }, async request => {
    requireRole(request.agent!, 'supervisor')
    return { items: await robotStats(s, new Date(s.clock().getTime() - request.query.days * 86_400_000)) }
  })

  app.get<{ Params: Static<typeof IdParams> }>('/conversations/:id/suggestions', {
    schema: {
      tags, summary: 'The FAQ\'s best 3 answers to what the customer asked since the last reply, best first; `mode: off` when the channel has the robot off',
      ...secured, params: IdParams, response: { 200: Type.Object({ mode: Type.Enum(['off', 'suggest', 'auto']), items: Type.Array(Ranked) }) }
    }
  }, async request => {
    const { mode, items } = await suggestionsFor(s, request.agent!, request.params.id)
    return { mode, items: items.map(r => ({ ...r.entry, confidence: r.confidence, score: r.score })) }
  })

  app.post<{ Params: Static<typeof MessageParams>, Body: Static<typeof FromMessage> }>('/conversations/:id/messages/:messageId/faq', {
    schema: {
      tags, summary: 'Add a customer\'s question and the reply to it to the FAQ (of the conversation\'s team): any agent who sees the conversation; an agent\'s addition waits as a suggestion until a supervisor approves it',
      ...secured, params: MessageParams, body: FromMessage, response: { 201: FaqEntrySchema }
    }
  }, async (request, reply) => {
    const entry = await addFromMessage(s, request.agent!, request.params.id, request.params.messageId, request.body)
    request.log.info({ entryId: entry.id, conversationId: request.params.id, agentId: request.agent!.id }, 'FAQ entry added from a message')
    return await reply.status(201).send(entry)
  })
}
