import { randomUUID } from 'node:crypto'
import type { HubEventBody } from './bus.js'

const ms = (at: Date | null): number => at === null ? 0 : new Date(at).getTime()

/**
 * The stable key of what an event announces. A job run twice (a worker killed mid-job:
 * BullMQ delivers at least once) publishes the same fact twice, under two bus ids and one
 * key, and consumers drop a key they have already seen. Facts are keyed by their subject and
 * its version (`updatedAt`), so a newer state of a conversation is a new key and a re-read of
 * the same state is not. Level events (typing, a queue's size, a channel's health) say what is
 * true now, so a repeat shows nothing new: their key is unique and they are never dropped.
 * Keys use `/`, never `:`, so they can be part of a BullMQ job id.
 */
export function eventKey (event: HubEventBody): string {
  switch (event.type) {
    case 'message.created': return `${event.type}/${event.message.id}`
    case 'message.updated': return `${event.type}/${event.message.id}/${event.message.status}/${ms(event.message.updatedAt)}`
    case 'conversation.updated':
    case 'conversation.assigned':
    case 'conversation.queued':
    case 'conversation.sla_breached': return `${event.type}/${event.conversationId}/${ms(event.conversation.updatedAt)}`
    case 'conversation.mood_alert': return `${event.type}/${event.conversationId}/${ms(event.conversation.moodAlertAt)}`
    case 'conversation.rated': return `${event.type}/${event.conversationId}/${ms(event.rating.at)}`
    case 'agent.status': return `${event.type}/${event.agentId}/${event.status}/${ms(event.at)}`
    case 'conversation.typing':
    case 'contact.presence':
    case 'queue.updated':
    case 'channel.health': return `${event.type}/${randomUUID()}`
  }
}
