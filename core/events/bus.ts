import type { Conversation, Message } from '../model/index.js'

/** What agents are told, over the WebSocket and (later) Slack. */
export type HubEvent =
  | { type: 'message.created', conversationId: string, message: Message }
  | { type: 'message.updated', conversationId: string, message: Message }
  | { type: 'conversation.updated', conversationId: string, conversation: Conversation }

/** `frame` is the event as JSON, serialized once for every socket that relays it. */
export type EventListener = (event: HubEvent, frame: string) => void

/** Fans events out to every hub process, so an agent on any process sees them. */
export interface EventBus {
  publish (event: HubEvent): Promise<void>
  subscribe (listener: EventListener): () => void
  close (): Promise<void>
}

/** Events cross processes as JSON: dates come back as ISO strings, which is what clients get anyway. */
export class Listeners {
  get size (): number {
    return this.set.size
  }

  private readonly set = new Set<EventListener>()
  add (listener: EventListener): () => void {
    this.set.add(listener)
    return () => { this.set.delete(listener) }
  }

  emit (event: HubEvent, frame: string): void {
    for (const listener of this.set) listener(event, frame)
  }
}
