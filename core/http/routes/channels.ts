import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { requireRole } from '../../agents/permissions.js'
import { channelCounters } from '../../channels/index.js'
import type { HubServices } from '../../services.js'
import { secured } from './common.js'

const ChannelInfo = Type.Object({
  id: Type.String(),
  plugin: Type.String(),
  team: Type.Union([Type.String(), Type.Null()]),
  robot: Type.Enum(['off', 'suggest', 'auto'], { description: 'the FAQ robot: off, suggesting answers to agents, or answering customers itself' }),
  capabilities: Type.Object({
    text: Type.Boolean(), images: Type.Boolean(), files: Type.Boolean(), cards: Type.Boolean(), typing: Type.Boolean(),
    readReceipts: Type.Boolean(), maxTextLength: Type.Integer(), maxAttachments: Type.Integer()
  })
})

const Count = Type.Integer({ minimum: 0 })
const Counters = Type.Object({
  channelId: Type.String(),
  plugin: Type.String(),
  counts: Type.Record(Type.String(), Count, { description: "The plugin's counters over the period (email: bounce, delivery_delayed, complaint, auto_reply)" }),
  suppressed: Type.Object({ complained: Count, undeliverable: Count, machine: Count }, { description: 'Contacts this channel sends nothing automatic, now' })
})
const CountersQuery = Type.Object({ days: Type.Integer({ minimum: 1, maximum: 365, default: 1 }) }, { additionalProperties: false })

/** The hub's enabled channels and what each can carry, so clients can show and limit replies; what they counted, for supervisors. */
export async function channelRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get('/channels', { schema: { tags: ['channels'], summary: 'Enabled channels and their capabilities', ...secured, response: { 200: Type.Object({ items: Type.Array(ChannelInfo) }) } } },
    async () => ({ items: [...s.channels.values()].map(c => ({ id: c.id, plugin: c.definition.name, team: c.team, robot: c.robot.mode, capabilities: c.definition.capabilities })) }))

  app.get<{ Querystring: Static<typeof CountersQuery> }>('/channels/counters', {
    schema: { tags: ['channels'], summary: 'Supervisors: what each channel counted in the last days (bounces, complaints, auto-replies) and the contacts it suppressed', ...secured, querystring: CountersQuery, response: { 200: Type.Object({ items: Type.Array(Counters) }) } }
  }, async request => {
    requireRole(request.agent!, 'supervisor')
    return { items: await channelCounters(s.store, s.channels.values(), new Date(s.clock().getTime() - request.query.days * 86_400_000)) }
  })
}
