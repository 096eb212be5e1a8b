import type { Logger } from 'pino'
import type { ChannelInstance, ChannelPluginDefinition, CustomerPresence } from './channels/index.js'
import type { ChannelSettings, HubConfig } from './config/index.js'
import type { Desk } from './desks/index.js'
import type { EventBus } from './events/index.js'
import type { FileLinks, FileStore } from './files/index.js'
import type { Agent, Conversation } from './model/index.js'
import type { ReplyGuards } from './guards/index.js'
import type { InboundTap } from './pipeline/ingest.js'
import type { RouteStep } from './pipeline/turn.js'
import type { Queue } from './queue/index.js'
import type { RatingLinks } from './ratings/index.js'
import type { QueueAnnouncer } from './routing/announcer.js'
import type { AgentRoster } from './routing/roster.js'
import type { RoutingStrategy } from './routing/strategy.js'
import type { RuleBook } from './settings/rules.js'
import type { Store } from './store/index.js'
import type { TranslationProvider } from './translation/index.js'

/** An enabled channel: its config id, its plugin, and the running instance. */
export interface Channel {
  id: string
  /** The team that serves it; null: every agent. */
  team: string | null
  /** The hub's workbench settings for it: the FAQ robot, automatic replies, rating invitations. */
  robot: ChannelSettings['robot']
  autoReplies: ChannelSettings['autoReplies']
  ratings: ChannelSettings['ratings']
  definition: ChannelPluginDefinition
  instance: ChannelInstance
}

/** What every part of the hub shares; built once by createHub, the composition root. */
export interface HubServices {
  config: HubConfig
  store: Store
  queue: Queue
  bus: EventBus
  channels: Map<string, Channel>
  /** Agents' desks (Slack) the hub relays conversations to. */
  desks: Map<string, Desk>
  guards: ReplyGuards
  /** The team rules kept in the app (banned words), the same in every process. */
  rules: RuleBook
  /** Who is on the seller's site now (website channels), in memory, the same in every process. */
  presence: CustomerPresence
  /** What the route job does with a new customer message, in order: composed by the hub, so the pipeline imports no feature. */
  routeSteps: RouteStep[]
  /** What may take an inbound message before it is stored as the customer's own (a tapped rating). */
  inboundTaps: InboundTap[]
  /** What runs in this process after routing or an agent assigned a conversation (the agent's welcome). */
  assignmentListeners: Array<(conversation: Conversation, agent: Pick<Agent, 'id' | 'name' | 'welcome'>) => Promise<void>>
  /** What runs in this process after a conversation is closed (a rating invitation). */
  closeListeners: Array<(conversation: Conversation) => Promise<void>>
  files: FileStore
  /** Signs the file links agents and customers get; set when the hub starts. */
  links: FileLinks
  /** Signs the rating page's links; set when the hub starts. */
  ratingLinks: RatingLinks
  routing: RoutingStrategy
  queueAnnouncer: QueueAnnouncer
  roster: AgentRoster
  /** Set when translation.url is configured. */
  translator?: TranslationProvider
  /** What each channel last said of its own health (a revoked token, say); absent: fine. */
  channelHealth: Map<string, { code: string, message: string, since: Date }>
  deskHealth: Map<string, { code: string, message: string, since: Date }>
  /** The address this process listens on, once it does (links fall back to it without http.publicUrl). */
  listenUrl?: string
  logger: Logger
  clock: () => Date
}
