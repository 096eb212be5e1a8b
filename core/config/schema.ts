import { Type, type Static } from 'typebox'
import { BusinessHours } from '../hours.js'

export { BusinessHours, DAYS } from '../hours.js'

const LogLevel = Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' })

export const HttpSettings = Type.Object({
  host: Type.String({ default: '127.0.0.1', minLength: 1 }),
  port: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  /** Largest request body accepted, in bytes. */
  bodyLimit: Type.Integer({ default: 1_048_576, minimum: 1024 }),
  /** Where people reach the hub (behind a proxy, say): sign-in links are made with it. Default: the address it listens on. */
  publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(/\\S*)?$' }))
}, { additionalProperties: false, default: {} })

export const SqliteSettings = Type.Object({
  driver: Type.Literal('sqlite'),
  path: Type.String({ default: './data/omnihub.db', minLength: 1 })
}, { additionalProperties: false })

export const MongoSettings = Type.Object({
  driver: Type.Literal('mongodb'),
  uri: Type.String({ minLength: 1 })
}, { additionalProperties: false })

export const InlineQueueSettings = Type.Object({
  driver: Type.Literal('inline')
}, { additionalProperties: false })

export const BullmqSettings = Type.Object({
  driver: Type.Literal('bullmq'),
  redis: Type.String({ minLength: 1, pattern: '^rediss?://' }),
  /** Key prefix, so several hubs can share one Redis. */
  prefix: Type.String({ default: 'omnihub', minLength: 1, pattern: '^[A-Za-z0-9_-]+$' }),
  /** How long `omnihub start` and `worker` wait for Redis to answer before they exit with redis_unavailable. */
  startupWaitMs: Type.Integer({ default: 30_000, minimum: 0 }),
  /**
   * How long a running job's lock lasts (its worker renews it every half of this). A killed
   * worker's jobs are taken over once it lapses, at the next stall check: within
   * lockMs + 2 × stallCheckMs, 6 s at most by default (BullMQ's own 30 s + 30 s took 60–91 s here).
   * A worker whose event loop is blocked for longer than this has its job run twice, which
   * the hub's idempotent jobs and event keys absorb.
   */
  lockMs: Type.Integer({ default: 4000, minimum: 1000, maximum: 300_000 }),
  /** How often each worker looks for jobs whose lock lapsed. */
  stallCheckMs: Type.Integer({ default: 1000, minimum: 250, maximum: 300_000 }),
  /** A job taken over more often than this fails; the recovery sweep still finds its message. */
  maxStalls: Type.Integer({ default: 5, minimum: 0, maximum: 100 })
}, { additionalProperties: false })

const Concurrency = Type.Object({
  route: Type.Integer({ default: 64, minimum: 1 }),
  send: Type.Integer({ default: 8, minimum: 1 })
}, { additionalProperties: false, default: {} })

const Words = Type.Array(Type.String({ minLength: 1 }), { default: [] })

const responseTarget = { minimum: 1, description: 'A customer message answered by a person within this many seconds counts toward the response rate.' }
const alertAfter = { minimum: 0, description: 'A customer unanswered this long alerts the assignee and the team\'s supervisors, once per customer per day; 0: no alert.' }
/** A team's or a channel's own targets; what it leaves out comes from its team, then the hub. */
const OwnTargets = Type.Object({
  responseTargetSeconds: Type.Optional(Type.Integer(responseTarget)),
  alertAfterSeconds: Type.Optional(Type.Integer(alertAfter))
}, { additionalProperties: false })

/** Everything in hub.yaml except the driver blocks and channel settings, validated in steps. */
export const HubSettings = Type.Object({
  http: HttpSettings,
  log: Type.Object({ level: LogLevel }, { additionalProperties: false, default: {} }),
  store: Type.Object({ driver: Type.Enum(['sqlite', 'mongodb']) }, { additionalProperties: true, default: { driver: 'sqlite' } }),
  queue: Type.Object({ driver: Type.Enum(['inline', 'bullmq']) }, { additionalProperties: true, default: { driver: 'inline' } }),
  workers: Type.Object({
    /** Run queue workers inside `omnihub start` too; turn off when `omnihub worker` processes do the work. */
    inHub: Type.Boolean({ default: true }),
    concurrency: Concurrency
  }, { additionalProperties: false, default: {} }),
  send: Type.Object({
    /** Tries per outbound message before it is marked failed. */
    attempts: Type.Integer({ default: 8, minimum: 1, maximum: 50 }),
    /** First retry delay; each further retry doubles it. */
    backoffMs: Type.Integer({ default: 2000, minimum: 1 })
  }, { additionalProperties: false, default: {} }),
  recovery: Type.Object({
    /** How often pending outbound and unrouted inbound messages are re-enqueued. */
    intervalMs: Type.Integer({ default: 60_000, minimum: 100 }),
    /** Only messages at least this old are swept (younger ones have live jobs). */
    minAgeMs: Type.Integer({ default: 30_000, minimum: 0 })
  }, { additionalProperties: false, default: {} }),
  routing: Type.Object({
    /** How new conversations pick an agent: a file in core/routing/strategies/. */
    strategy: Type.Enum(['least-busy', 'round-robin', 'manual'], { default: 'least-busy' }),
    /** Open conversations an agent takes at once, unless the agent has their own capacity. */
    defaultCapacity: Type.Integer({ default: 5, minimum: 1, maximum: 10_000 }),
    /** A returning buyer goes back to the agent who served them within this many hours. */
    affinityHours: Type.Number({ default: 72, minimum: 0 })
  }, { additionalProperties: false, default: {} }),
  presence: Type.Object({
    /** An agent with no live connection for this long is set offline. */
    graceMs: Type.Integer({ default: 90_000, minimum: 1000 }),
    /** An online agent with no activity for this long is set busy; 0 turns it off. */
    autoBusyAfterMs: Type.Integer({ default: 0, minimum: 0 }),
    /** How often presence is checked, and connected agents are marked seen. */
    sweepMs: Type.Integer({ default: 15_000, minimum: 100 })
  }, { additionalProperties: false, default: {} }),
  files: Type.Object({
    /** Where attachments are kept (the local driver); on several machines, a shared mount. */
    dir: Type.String({ default: './data/files', minLength: 1 }),
    /** How long a file link handed to an agent or a visitor works. */
    linkTtlSeconds: Type.Integer({ default: 86_400, minimum: 60, maximum: 30 * 86_400 }),
    /** Largest file an agent may upload from the inbox, in bytes. */
    maxUploadBytes: Type.Integer({ default: 25 * 1024 * 1024, minimum: 1024 }),
    /** Signs file links; every hub process needs the same. Absent: one is made and kept in the store. */
    linkSecret: Type.Optional(Type.String({ minLength: 32 }))
  }, { additionalProperties: false, default: {} }),
  guards: Type.Object({
    bannedWords: Words,
    /** Replies that read as abusive, rude or dismissive: a warning the agent confirms, or a refusal for `block` categories. */
    attitude: Type.Object({
      enabled: Type.Boolean({ default: true }),
      block: Type.Array(Type.Enum(['abusive', 'rude', 'dismissive']), { default: ['abusive'] }),
      add: Type.Object({ abusive: Words, rude: Words, dismissive: Words }, { additionalProperties: false, default: {} }),
      remove: Words
    }, { additionalProperties: false, default: {} }),
    /** Extra words per team, on top of the hub-wide list. */
    teams: Type.Record(Type.String(), Type.Object({ bannedWords: Words }, { additionalProperties: false }), { default: {} })
  }, { additionalProperties: false, default: {} }),
  translation: Type.Object({
    /** A LibreTranslate-compatible server (POST /translate); absent or empty: translation is off and says so. */
    url: Type.Optional(Type.String({ pattern: '^$|^https?://' })),
    apiKey: Type.Optional(Type.String({ minLength: 1 })),
    timeoutMs: Type.Integer({ default: 5000, minimum: 100 })
  }, { additionalProperties: false, default: {} }),
  /** How fast and how well the team answers: the reports' targets and the response-time alert. */
  reports: Type.Object({
    /** Keep the reports' counters as things happen; off saves a write per message, and the reports then count nothing new. */
    keepCounters: Type.Boolean({ default: true }),
    /** Days and weeks of the reports begin at midnight in this IANA time zone. */
    timeZone: Type.String({ default: 'UTC', minLength: 1 }),
    responseTargetSeconds: Type.Integer({ ...responseTarget, default: 180 }),
    alertAfterSeconds: Type.Integer({ ...alertAfter, default: 120 }),
    /** How often unanswered customers are checked against the alert. */
    alertCheckMs: Type.Integer({ default: 15_000, minimum: 100 }),
    /** Other targets per team, and per channel (a channel's win over its team's). */
    teams: Type.Record(Type.String(), OwnTargets, { default: {} }),
    channels: Type.Record(Type.String(), OwnTargets, { default: {} })
  }, { additionalProperties: false, default: {} }),
  channels: Type.Array(Type.Object({}, { additionalProperties: true }), { default: [] }),
  /** Agents' desks (Slack): where agents work besides the inbox. */
  desks: Type.Array(Type.Object({}, { additionalProperties: true }), { default: [] })
}, { additionalProperties: false })

export const SLUG = '^[a-z0-9][a-z0-9_-]{0,62}$'

const Text = Type.String({ minLength: 1, maxLength: 2000 })

/** The FAQ robot on a channel: off, suggesting answers to agents, or answering customers itself. */
export const RobotSettings = Type.Object({
  mode: Type.Enum(['off', 'suggest', 'auto'], { default: 'off' }),
  /** How sure (0–1) the robot must be to answer by itself. */
  threshold: Type.Number({ default: 0.6, minimum: 0, maximum: 1 }),
  /** Questions in a row it cannot answer surely before a person takes over. */
  failedTurns: Type.Integer({ default: 2, minimum: 1, maximum: 10 }),
  /** Told to the customer when a person takes over; empty: nothing. */
  handoff: Type.String({ default: 'Let me get a colleague for you, one moment please.', maxLength: 2000 }),
  /** Said when it is not sure, above the questions it thinks the customer means. */
  unsure: Type.String({ default: 'Sorry, I am not sure I understood. Did you mean one of these? You can also ask for a person.', minLength: 1, maxLength: 2000 })
}, { additionalProperties: false, default: {} })

/** The channel's automatic replies, each at most once per conversation per `periodHours`. */
export const AutoReplySettings = Type.Object({
  /** To the customer who starts a new conversation; may hold {contact.name}. */
  welcome: Type.Optional(Text),
  /** To a customer's first message of a period in a conversation that goes on. */
  firstMessage: Type.Optional(Text),
  /** When the assigned agent is busy or every agent is at capacity. */
  busy: Type.Optional(Text),
  /** Outside business hours, or when no agent of the team is online. */
  away: Type.Optional(Text),
  businessHours: Type.Optional(BusinessHours),
  periodHours: Type.Number({ default: 24, minimum: 0.01 }),
  /** No automatic reply while a person answered within this many minutes. */
  quietMinutes: Type.Number({ default: 5, minimum: 0 })
}, { additionalProperties: false, default: {} })

/** Asking customers to rate the service. {link}: the rating page. */
export const RatingSettings = Type.Object({
  /** Invite the customer when an agent closes the conversation. */
  onClose: Type.Boolean({ default: false }),
  invitation: Type.String({ default: 'How would you rate our service? Tap a score, or rate and comment here: {link}', minLength: 1, maxLength: 2000 }),
  thanks: Type.String({ default: 'Thank you for your rating!', minLength: 1, maxLength: 2000 })
}, { additionalProperties: false, default: {} })

export const ChannelBase = Type.Object({
  id: Type.String({ pattern: SLUG }),
  plugin: Type.String({ minLength: 1 }),
  enabled: Type.Boolean({ default: true }),
  /** The team that serves the channel; absent: every agent. */
  team: Type.Optional(Type.String({ pattern: SLUG })),
  robot: RobotSettings,
  autoReplies: AutoReplySettings,
  ratings: RatingSettings
})

/** Keys of a channel block that are the hub's, not the plugin's. */
export const CHANNEL_BASE_KEYS = ['id', 'plugin', 'enabled', 'team', 'robot', 'autoReplies', 'ratings']

/** Path prefixes of the hub's own routes: a desk's routes are mounted at /<id>/ and may not take these. */
export const RESERVED_PREFIXES = ['api', 'channels', 'inbox', 'files', 'docs', 'demo', 'healthz', 'readyz', 'rate']

export const DeskBase = Type.Object({
  id: Type.String({ pattern: SLUG }),
  plugin: Type.String({ minLength: 1 }),
  enabled: Type.Boolean({ default: true })
})

export type StoreSettings = Static<typeof SqliteSettings> | Static<typeof MongoSettings>
export type BullmqQueueSettings = Static<typeof BullmqSettings>
export type QueueSettings = Static<typeof InlineQueueSettings> | BullmqQueueSettings

export interface ChannelSettings {
  id: string
  plugin: string
  enabled: boolean
  team?: string
  robot: Static<typeof RobotSettings>
  autoReplies: Static<typeof AutoReplySettings>
  ratings: Static<typeof RatingSettings>
  /** The plugin's own settings, validated against its configSchema. */
  settings: Record<string, unknown>
}

export interface DeskSettings {
  id: string
  plugin: string
  enabled: boolean
  /** The plugin's own settings, validated against its configSchema. */
  settings: Record<string, unknown>
}

export type HubConfig = Omit<Static<typeof HubSettings>, 'store' | 'queue' | 'channels' | 'desks'> & {
  store: StoreSettings
  queue: QueueSettings
  channels: ChannelSettings[]
  desks: DeskSettings[]
}
