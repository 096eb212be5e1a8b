import type { TSchema, Static } from 'typebox'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { ChannelHealth, ChannelKv } from '../channels/index.js'
import type { Agent, Attachment, Contact, Conversation, Message } from '../model/index.js'
import type { Page } from '../store/index.js'

/**
 * An agents' desk is a place agents work from besides the inbox (Slack): the hub relays
 * conversations to it through the queue, and agents act from it as themselves. Where a channel
 * plugin faces customers, a desk faces agents.
 */

/** One unit of relay work: bring this conversation up to date on the desk. */
export interface DeskRelay {
  conversationId: string
  /** The message whose change set this off (new, or its status moved), if any. */
  messageId?: string
}

/** What the desk sees of a channel, to tell agents where a customer wrote. */
export interface DeskChannelInfo {
  id: string
  plugin: string
}

/** The narrow slice of the core a desk may use. Actions are taken as an agent, with that agent's rights. */
export interface DeskContext {
  deskId: string
  getConversation (id: string): Promise<Conversation | null>
  getContact (id: string): Promise<Contact | null>
  getMessage (id: string): Promise<Message | null>
  getAgent (id: string): Promise<Agent | null>
  findAgentByEmail (email: string): Promise<Agent | null>
  /** A conversation's messages stored at or after `since`, oldest first; pass `nextCursor` back for more. */
  messagesSince (conversationId: string, since: Date, paging: { cursor?: string, limit: number }): Promise<Page<Message>>
  channel (id: string): DeskChannelInfo | null
  /** The conversation in the agents' inbox. */
  inboxUrl (conversationId: string): string
  /** A link a person outside the hub can open for a hub file (signed, expiring); other URLs unchanged. */
  fileLink (url: string): string
  /** The agent's reply, through the channel's policy and the guards; refusals throw a HubError (422) with the verdict. */
  reply (agent: Agent, conversationId: string, input: { text: string, tag?: string, attachments?: Attachment[], confirm?: boolean }): Promise<Message>
  /** The agent's quick phrase with this code (theirs, their teams', the hub's), filled in for this conversation; null if none. */
  phrase (agent: Agent, conversationId: string, code: string): Promise<{ text: string, attachments: Attachment[] } | null>
  note (agent: Agent, conversationId: string, text: string): Promise<Message>
  assignToSelf (agent: Agent, conversationId: string): Promise<Conversation>
  close (agent: Agent, conversationId: string): Promise<Conversation>
  reopen (agent: Agent, conversationId: string): Promise<Conversation>
  /** Asks the customer to rate the service, as their channel can (buttons, quick replies, a link). */
  requestRating (agent: Agent, conversationId: string): Promise<Conversation>
  /** The FAQ's best answers to what the customer asked since the last reply; empty when the channel has the robot off. */
  suggestions (conversationId: string): Promise<Array<{ id: string, question: string, answer: string }>>
  /** The agent sends an FAQ entry's answer as their reply; it is not written in the desk, so the desk shows it like an inbox reply. */
  sendFaqAnswer (agent: Agent, conversationId: string, entryId: string): Promise<Message>
  /** Says whether the desk works (a revoked token does not): shown in /readyz. */
  reportHealth (health: ChannelHealth): void
  kv: ChannelKv
  logger: Logger
  clock: () => Date
}

export interface DeskInstance {
  /** HTTP endpoints, mounted under /<deskId>/ (a Slack desk with id `slack`: /slack/events). */
  routes?: (app: FastifyInstance) => void | Promise<void>
  start?: () => Promise<void>
  stop?: () => Promise<void>
  /**
   * Brings one conversation up to date on the desk. Runs as a queue job, one at a time across
   * every process, so what it posts keeps the conversation's order; it may run more than once
   * for the same change and must then do nothing new. Throw to have the job retried.
   */
  relay: (job: DeskRelay) => Promise<void>
}

export interface DeskPluginDefinition<S extends TSchema = TSchema> {
  kind: 'desk'
  name: string
  configSchema: S
  /** Settings whose values are secrets: never logged, never echoed. */
  secretSettings?: string[]
  validate?: (config: Static<S>) => string[]
  create: (config: Static<S>, context: DeskContext) => DeskInstance | Promise<DeskInstance>
}

/** Declares a desk plugin with its settings typed from its schema. */
export function defineDesk<S extends TSchema> (definition: Omit<DeskPluginDefinition<S>, 'kind'>): DeskPluginDefinition<S> {
  return { kind: 'desk', ...definition }
}

/** Thrown by `relay` when trying again cannot help (the bot was removed from the channel): the job stops. */
export class DeskRelayError extends Error {
  readonly code: string
  readonly retryable: boolean
  constructor (code: string, message: string, options: { retryable: boolean }) {
    super(message)
    this.name = 'DeskRelayError'
    this.code = code
    this.retryable = options.retryable
  }
}
