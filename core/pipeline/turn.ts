import type { Contact, Conversation, Message } from '../model/index.js'
import type { Channel, HubServices } from '../services.js'

/**
 * One customer message on its way to agents, read once by the route job and handed through
 * its steps: each step sees what the steps before it changed without reading it again.
 */
export interface Turn {
  readonly message: Message
  readonly conversation: Conversation
  /** Undefined when the conversation's channel is no longer enabled. */
  readonly channel: Channel | undefined
  /** The customer, read on first use and kept (routing's affinity, greetings' placeholders). */
  contact (): Promise<Contact | null>
}

/** What a step changed: the message (translated) or the conversation (held by the robot, assigned, queued). */
export type TurnChange = Partial<Pick<Turn, 'message' | 'conversation'>>

/**
 * One thing the route job does with a new customer message. The hub composes the list; a
 * feature adds its step there and the pipeline imports none of them.
 */
export interface RouteStep {
  name: string
  /**
   * A best-effort step's failure is logged and the turn goes on (an automatic reply that failed
   * must not keep the message from agents); any other step's failure fails the job, which retries.
   */
  bestEffort: boolean
  run (s: HubServices, turn: Turn): Promise<TurnChange | undefined>
}

export function startTurn (s: HubServices, message: Message, conversation: Conversation): Turn {
  let contact: Promise<Contact | null> | undefined
  return {
    message,
    conversation,
    channel: s.channels.get(conversation.channelId),
    contact: async () => await (contact ??= s.store.getContact(conversation.contactId))
  }
}

/** The turn after a step: its changes over what it had. */
export const advance = (turn: Turn, change: TurnChange | undefined): Turn => change === undefined ? turn : { ...turn, ...change }
