import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { canSeeConversation, requireRole } from '../../agents/permissions.js'
import { ContactSummarySchema, ConversationSchema } from '../../model/index.js'
import type { HubServices } from '../../services.js'
import { contactSummary, secured } from './common.js'

const Waiting = Type.Object({
  conversation: ConversationSchema,
  contact: Type.Union([ContactSummarySchema, Type.Null()]),
  position: Type.Integer({ description: 'place among waiting conversations of the same team' }),
  reason: Type.Enum(['no_agent_online', 'all_at_capacity', 'team_offline', 'manual_routing']),
  waitingMs: Type.Integer()
})

/** The waiting queue, longest-waiting first, with each conversation's reason (supervisors). */
export async function queueRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get('/queue', { schema: { tags: ['routing'], summary: 'Conversations waiting for an agent, with reasons and positions (supervisors)', ...secured, response: { 200: Type.Object({ items: Type.Array(Waiting) }) } } },
    async request => {
      requireRole(request.agent!, 'supervisor')
      const now = s.clock().getTime()
      const positions = new Map<string | null, number>()
      const waiting = (await s.store.listQueue(500)).filter(c => canSeeConversation(request.agent!, c))
      const contacts = new Map((await s.store.getContacts(waiting.map(c => c.contactId))).map(c => [c.id, contactSummary(c)]))
      const items = waiting.map(conversation => {
        const position = (positions.get(conversation.teamId) ?? 0) + 1
        positions.set(conversation.teamId, position)
        return { conversation, contact: contacts.get(conversation.contactId) ?? null, position, reason: conversation.queueReason!, waitingMs: now - conversation.queuedAt!.getTime() }
      })
      return { items }
    })
}
