import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { HubError } from '../../errors.js'
import { ContactSummarySchema, MessageSchema, PageOf } from '../../model/index.js'
import { seesTeam } from '../../agents/permissions.js'
import { restoreHeld } from '../../pipeline/index.js'
import type { HubServices } from '../../services.js'
import { contactSummary, IdParams, page, Paging, secured } from './common.js'

const tags = ['spam']
const SpamQuery = Type.Object({
  team: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'held on this team\'s channels; `none`: on every agent\'s channels. Default: all you may see' })),
  ...Paging
}, { additionalProperties: false })
const HeldItem = Type.Object({ message: MessageSchema, contact: Type.Union([ContactSummarySchema, Type.Null()]) })

/** The Spam view: customers' messages held aside by a team's spam rules or a block, and their restore. */
export async function spamRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get<{ Querystring: Static<typeof SpamQuery> }>('/spam', {
    schema: { tags, summary: 'Messages held aside (a spam rule matched, or the contact is blocked), newest first: those of your teams\' channels and every agent\'s', ...secured, querystring: SpamQuery, response: { 200: PageOf(HeldItem) } }
  }, async request => {
    const agent = request.agent!
    const { team } = request.query
    const asked = team === undefined ? undefined : team === 'none' ? null : team
    if (asked !== undefined && !seesTeam(agent, asked)) throw new HubError('forbidden', 'You see the Spam view of your own teams; ask a supervisor of this one.', 403)
    const teams = asked !== undefined ? [asked] : agent.role === 'admin' ? undefined : [...agent.teams, null]
    const held = await s.store.listHeld(teams === undefined ? {} : { teams }, page(request.query))
    const contacts = new Map((await s.store.getContacts([...new Set(held.items.flatMap(m => m.author.id ?? []))])).map(c => [c.id, c]))
    const items = held.items.map(message => {
      const contact = message.author.id === null ? undefined : contacts.get(message.author.id)
      return { message, contact: contact === undefined ? null : contactSummary(contact) }
    })
    return { items, nextCursor: held.nextCursor }
  })

  app.post<{ Params: Static<typeof IdParams> }>('/spam/:id/restore', {
    schema: {
      tags, summary: 'Restore a held message: stored again as the customer\'s message in its conversation (reopened if closed), and routed; 409 when restored already or the contact is still blocked', ...secured, params: IdParams,
      response: { 200: Type.Object({ message: MessageSchema, conversationId: Type.String() }) }
    }
  }, async request => await restoreHeld(s, request.params.id, request.agent!))
}
