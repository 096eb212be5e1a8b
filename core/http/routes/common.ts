import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Presence } from '../../channels/index.js'
import type { Contact, Conversation, Message } from '../../model/index.js'
import type { HubServices } from '../../services.js'

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

export const Paging = {
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 })
}

/** Every /api/v1 route: bearer auth, and the error shape of 4xx answers. */
export const secured = { security: [{ bearer: [] }] }

/** Where a request came from, as the status and sign-in logs keep it. */
export const origin = (request: FastifyRequest): { ip: string, userAgent: string | null } => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null })

/** Drops `cursor` when absent, for the store's exact optional types. */
export const page = (q: { cursor?: string | undefined, limit: number }): { cursor?: string, limit: number } =>
  q.cursor !== undefined ? { cursor: q.cursor, limit: q.limit } : { limit: q.limit }

/** What a list shows of a contact. */
export const contactSummary = (c: Contact): Pick<Contact, 'id' | 'name' | 'email' | 'avatarUrl'> => ({ id: c.id, name: c.name, email: c.email, avatarUrl: c.avatarUrl })

/** A contact's presence on the seller's site, as the API answers it. */
export const PresenceSchema = Type.Union([Type.Object({
  online: Type.Boolean({ description: 'on the site now (a website channel\'s widget is open)' }),
  url: Type.Union([Type.String(), Type.Null()], { description: 'the page they are on, or were last on' }),
  title: Type.Union([Type.String(), Type.Null()]),
  since: Type.String({ format: 'date-time', description: 'online since, or left at' })
}), Type.Null()], { description: 'null: never seen on a website channel since the hub started' })

/** Conversations as lists show them: with their contact, newest message and whether the customer is on the site now, fetched in two queries. */
export async function listRows (s: HubServices, conversations: Conversation[]): Promise<Array<Conversation & { contact: ReturnType<typeof contactSummary> | null, lastMessage: Message | null, presence: Presence | null }>> {
  const [contacts, messages] = await Promise.all([
    s.store.getContacts([...new Set(conversations.map(c => c.contactId))]),
    s.store.lastMessages(conversations.map(c => c.id))
  ])
  const contactById = new Map(contacts.map(c => [c.id, c]))
  const lastById = new Map(messages.map(m => [m.conversationId, m]))
  return conversations.map(c => {
    const contact = contactById.get(c.contactId)
    return { ...c, contact: contact === undefined ? null : contactSummary(contact), lastMessage: lastById.get(c.id) ?? null, presence: contact === undefined ? null : s.presence.of(contact.identities) }
  })
}

/** Tags as agents typed them: trimmed, once each, in order, blanks dropped. */
export const cleanTags = (tags: string[]): string[] => [...new Set(tags.map(t => t.trim()).filter(t => t !== ''))]
