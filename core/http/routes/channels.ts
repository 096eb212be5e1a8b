import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { HubServices } from '../../pipeline/index.js'
import { secured } from './common.js'

const ChannelInfo = Type.Object({
  id: Type.String(),
  plugin: Type.String(),
  team: Type.Union([Type.String(), Type.Null()]),
  capabilities: Type.Object({
    text: Type.Boolean(), images: Type.Boolean(), files: Type.Boolean(), cards: Type.Boolean(), typing: Type.Boolean(),
    readReceipts: Type.Boolean(), maxTextLength: Type.Integer(), maxAttachments: Type.Integer()
  })
})

/** The hub's enabled channels and what each can carry, so clients can show and limit replies. */
export async function channelRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get('/channels', { schema: { tags: ['channels'], summary: 'Enabled channels and their capabilities', ...secured, response: { 200: Type.Object({ items: Type.Array(ChannelInfo) }) } } },
    async () => ({ items: [...s.channels.values()].map(c => ({ id: c.id, plugin: c.definition.name, team: c.team, capabilities: c.definition.capabilities })) }))
}
