import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { visibleConversation } from '../../agents/permissions.js'
import type { HubServices } from '../../services.js'
import { MessageSchema } from '../../model/index.js'
import { setTranslation, translateMessage, translationOf } from '../../translation/index.js'
import { IdParams, secured } from './common.js'

const tags = ['conversations']
const Language = Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z]{2,4})?$', description: 'an ISO 639-1 code: en, zh, ja…' })
const State = Type.Union([Type.Object({ agentLanguage: Language, customerLanguage: Type.Union([Language, Type.Null()]) }), Type.Null()])
const Body = Type.Object({ agentLanguage: Language, customerLanguage: Type.Optional(Language) }, { additionalProperties: false })
const OneBody = Type.Object({ to: Language }, { additionalProperties: false })

/** Per conversation: customers' messages shown translated for agents, replies sent in the customer's language. */
export async function translationRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Params: Static<typeof IdParams> }>('/conversations/:id/translation', {
    schema: { tags, summary: 'Whether translation is on here, and its languages (null: off); `available` says whether the hub has a translation service', ...secured, params: IdParams, response: { 200: Type.Object({ available: Type.Boolean(), translation: State }) } }
  }, async request => {
    await visibleConversation(s.store, request.agent!, request.params.id)
    return { available: s.translator !== undefined, translation: await translationOf(s, request.params.id) }
  })

  app.put<{ Params: Static<typeof IdParams>, Body: Static<typeof Body> }>('/conversations/:id/translation', {
    schema: { tags, summary: 'Turn translation on: the customer\'s messages are shown in agentLanguage, replies go out in customerLanguage (detected from their messages unless given); 409 translation_not_configured without a service', ...secured, params: IdParams, body: Body, response: { 200: Type.Object({ translation: State }) } }
  }, async request => ({ translation: await setTranslation(s, request.agent!, request.params.id, request.body) }))

  app.post<{ Params: Static<typeof IdParams>, Body: Static<typeof OneBody> }>('/messages/:id/translation', {
    schema: { tags, summary: 'Translate one message into `to` (your language), whether or not translation is on: kept as its `extras.translation`; 409 translation_not_configured without a service, nothing_to_translate without text', ...secured, params: IdParams, body: OneBody, response: { 200: MessageSchema } }
  }, async request => await translateMessage(s, request.agent!, request.params.id, request.body.to))

  app.delete<{ Params: Static<typeof IdParams> }>('/conversations/:id/translation', {
    schema: { tags, summary: 'Turn translation off', ...secured, params: IdParams, response: { 200: Type.Object({ translation: State }) } }
  }, async request => ({ translation: await setTranslation(s, request.agent!, request.params.id, null) }))
}
