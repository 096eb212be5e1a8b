import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { hashToken } from './agents/tokens.js'
import { channelContext, CustomerPresence, PluginRegistry } from './channels/index.js'
import type { HubConfig } from './config/index.js'
import { deskContext, deskJob, relayEvents, sweepDesks } from './desks/index.js'
import { LocalEventBus, RedisEventBus, type EventBus } from './events/index.js'
import { FileLinks, LocalFileStore, type FileStore } from './files/index.js'
import { inviteOnClose, ratingInboundTap, RatingLinks } from './ratings/index.js'
import { robotStep } from './faq/index.js'
import { ReplyGuards } from './guards/index.js'
import { buildApp } from './http/app.js'
import type { AgentStreams } from './http/stream.js'
import { createLogger } from './log.js'
import { agentWelcome, awayOrBusyStep, deliveryStep, greetStep, moodStep, recoverUnfinished, routeJob, sendJob } from './pipeline/index.js'
import type { Channel, HubServices } from './services.js'
import { createQueue } from './queue/index.js'
import { waitForRedis } from './queue/bullmq/wait-for-redis.js'
import { drainQueue, routingStep, strategies } from './routing/index.js'
import { QueueAnnouncer } from './routing/announcer.js'
import { AgentRoster } from './routing/roster.js'
import { sweepPresence } from './agents/presence.js'
import { holdSingleHub } from './single-hub.js'
import { createStore } from './store/index.js'
import { LibreTranslate, translationStep } from './translation/index.js'
import { ResponseAlert } from './reports/response-alert.js'
import { sweepAutoClose } from './pipeline/auto-close.js'
import { RuleBook } from './settings/rules.js'

export interface HubOptions {
  logger?: Logger
  clock?: () => Date
  registry?: PluginRegistry
  /** Serve HTTP (agents' API, channel webhooks). `omnihub worker` turns it off. */
  http?: boolean
  /** Run the queue's workers in this process; defaults to config workers.inHub. */
  workers?: boolean
  /** An admin with this API token exists once the hub has started. */
  adminToken?: string
}

export interface Hub {
  services: HubServices
  /** The Fastify app; undefined when http is off. */
  app: FastifyInstance | undefined
  /** Starts everything; with http on, listens and resolves to the base URL. */
  start (): Promise<string | undefined>
  stop (): Promise<void>
}

/** The composition root: wires store, queue, events, channels, workers and HTTP from a config. */
export async function createHub (config: HubConfig, options: HubOptions = {}): Promise<Hub> {
  const logger = options.logger ?? createLogger(config.log.level)
  const clock = options.clock ?? (() => new Date())
  const registry = options.registry ?? await PluginRegistry.load()
  const store = await createStore(config.store)
  const queue = await createQueue(config.queue, logger)
  const bus: EventBus = config.queue.driver === 'bullmq'
    ? new RedisEventBus(config.queue.redis, config.queue.prefix, logger)
    : new LocalEventBus()
  const services = {
    config, store, queue, bus, channels: new Map<string, Channel>(), desks: new Map(), guards: new ReplyGuards(config.guards), files: new LocalFileStore(config.files.dir) as FileStore, routing: strategies[config.routing.strategy]!, logger, clock
  } as HubServices
  services.channelHealth = new Map()
  services.rules = new RuleBook(services)
  services.presence = new CustomerPresence(services)
  // A new customer message: translated, greeted, the robot's turn, routed, an away or busy reply, to agents, its mood read.
  services.routeSteps = [translationStep, greetStep, robotStep, routingStep, awayOrBusyStep, deliveryStep, moodStep]
  services.inboundTaps = [ratingInboundTap]
  // An agent given a conversation greets the customer with their own welcome.
  services.assignmentListeners = [async (conversation, agent) => { if (agent.welcome !== null) await agentWelcome(services, conversation, agent.id) }]
  services.closeListeners = [async conversation => await inviteOnClose(services, conversation)]
  // What supervisors keep in the app replaces the YAML's in this process: banned words, channels' automatic replies.
  const applyRules = (book: RuleBook): void => {
    services.guards.useBannedWords(book.get('hub').bannedWords, new Map([...book.teams()].map(([team, r]) => [team, r.bannedWords])))
    for (const channel of services.channels.values()) {
      channel.autoReplies = book.get(`channel:${channel.id}`).autoReplies ?? config.channels.find(c => c.id === channel.id)!.autoReplies
    }
  }
  services.rules.onChange(applyRules)
  let unsubscribeRules: (() => void) | undefined
  if (config.translation.url !== undefined && config.translation.url !== '') services.translator = new LibreTranslate({ url: config.translation.url, apiKey: config.translation.apiKey, timeoutMs: config.translation.timeoutMs })
  services.deskHealth = new Map()
  services.queueAnnouncer = new QueueAnnouncer(services)
  services.roster = new AgentRoster(services)

  /** A hub-wide secret every process shares: the first to start makes it, the others read that one. */
  const sharedSecret = async (name: string): Promise<string> => {
    await store.kvSetIfAbsent('hub', name, FileLinks.newSecret())
    return (await store.kvGet('hub', name))!
  }

  let app: FastifyInstance | undefined
  let streams: AgentStreams | undefined
  let unsubscribeDesks: (() => void) | undefined
  const timers: NodeJS.Timeout[] = []
  const every = (ms: number, what: string, task: () => Promise<unknown>): void => {
    const timer = setInterval(() => { task().catch(err => logger.warn({ err: { message: (err as Error).message } }, `${what} failed`)) }, ms)
    timer.unref()
    timers.push(timer)
  }

  let releaseSingleHub: (() => void) | undefined
  // Stopping twice (a signal during a test's teardown) waits for the first stop.
  let stopping: Promise<void> | undefined
  const stopAll = async (): Promise<void> => {
    for (const timer of timers) clearInterval(timer)
    services.queueAnnouncer.stop()
    services.roster.stop()
    unsubscribeDesks?.()
    unsubscribeRules?.()
    services.presence.stop()
    streams?.close()
    await app?.close()
    for (const channel of services.channels.values()) await channel.instance.stop?.()
    for (const desk of services.desks.values()) await desk.instance.stop?.()
    await queue.close()
    await bus.close()
    await store.close()
    releaseSingleHub?.()
    logger.info('hub stopped')
  }

  const hub: Hub = {
    services,
    get app () { return app },

    async start () {
      if (config.queue.driver === 'bullmq') await waitForRedis(config.queue.redis, config.queue.startupWaitMs, logger)
      if (options.http !== false && config.store.driver === 'sqlite' && config.store.path !== ':memory:' && config.queue.driver === 'inline') releaseSingleHub = holdSingleHub(config.store.path)
      await store.open()
      if (bus instanceof RedisEventBus) await bus.open()
      unsubscribeRules = await services.rules.start()
      services.presence.start()
      if (options.adminToken !== undefined && options.adminToken !== '') {
        await store.ensureAgentWithToken({ name: 'Admin', email: 'admin@omnihub.local', role: 'admin', teams: [], tokenHash: hashToken(options.adminToken) }, clock())
      }
      services.links = new FileLinks(Buffer.from(config.files.linkSecret ?? await sharedSecret('file-links')), config.files.linkTtlSeconds)
      services.ratingLinks = new RatingLinks(Buffer.from(await sharedSecret('rating-links')))
      for (const settings of config.channels.filter(c => c.enabled)) {
        const definition = registry.get(settings.plugin)!
        services.channels.set(settings.id, { id: settings.id, team: settings.team ?? null, robot: settings.robot, autoReplies: settings.autoReplies, ratings: settings.ratings, definition, instance: await definition.create(settings.settings, channelContext(services, settings.id, definition)) })
      }
      for (const settings of config.desks.filter(d => d.enabled)) {
        const definition = registry.desk(settings.plugin)!
        services.desks.set(settings.id, { id: settings.id, definition, instance: await definition.create(settings.settings, deskContext(services, settings.id)) })
      }
      if (services.desks.size > 0) unsubscribeDesks = relayEvents(services, services.desks)
      applyRules(services.rules)
      if (options.workers ?? config.workers.inHub) {
        const { concurrency } = config.workers
        await queue.work('route', async data => await routeJob(services, data), { concurrency: concurrency.route })
        await queue.work('send', async (data, job) => await sendJob(services, data, job), { concurrency: concurrency.send })
        // One drain at a time per process keeps the queue's order; assignments themselves are atomic.
        await queue.work('drain', async () => { await drainQueue(services) }, { concurrency: 1 })
        if (services.desks.size > 0) {
          // Serial across every process: what a desk posts keeps each conversation's order.
          await queue.work('desk', async data => await deskJob(services.desks, data), { concurrency: 1, serial: true })
          await sweepDesks(services, services.desks, clock())
          every(config.recovery.intervalMs, 'desk sweep', async () => await sweepDesks(services, services.desks, clock()))
        }
        // What a crash left unfinished is in the store: queue it again now and then periodically.
        await recoverUnfinished(services, clock())
        every(config.recovery.intervalMs, 'recovery sweep', async () => await recoverUnfinished(services, new Date(clock().getTime() - config.recovery.minAgeMs)))
        every(config.presence.sweepMs, 'presence sweep', async () => await sweepPresence(services))
        every(config.presence.sweepMs, 'auto-close sweep', async () => { await sweepAutoClose(services) })
        const alert = new ResponseAlert(services)
        every(config.reports.alertCheckMs, 'response-time check', async () => { await alert.check() })
      }
      for (const settings of config.channels.filter(c => c.enabled && c.team !== undefined)) {
        if (await store.getTeam(settings.team!) === null) logger.warn({ channelId: settings.id, teamId: settings.team }, 'channel names a team that does not exist yet; its conversations wait until it has agents')
      }
      let url: string | undefined
      if (options.http !== false) {
        ({ app, streams } = await buildApp(services))
        url = await app.listen({ host: config.http.host, port: config.http.port })
        services.listenUrl = url
      }
      for (const channel of services.channels.values()) await channel.instance.start?.()
      for (const desk of services.desks.values()) await desk.instance.start?.()
      logger.info({ store: store.driver, queue: queue.driver, channels: [...services.channels.keys()], desks: [...services.desks.keys()], url }, 'hub started')
      return url
    },

    async stop () {
      stopping ??= stopAll()
      await stopping
    }
  }

  return hub
}
