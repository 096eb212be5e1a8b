import { App, LogLevel, webApi, type Logger as SlackLogger } from '@slack/bolt'
import type { Logger } from 'pino'
import { DeskRelayError, defineDesk } from '../../core/desks/index.js'
import { boundedFetch, RemoteError } from '../../core/remote/index.js'
import { SlackDeskSettings, validateSlackDesk } from './config.js'
import { SlackInbound } from './inbound.js'
import { SlackPeople } from './people.js'
import { FastifyReceiver } from './receiver.js'
import { SlackRelay } from './relay.js'

/** Slack errors no retry can mend: an admin must act (invite the bot, fix the token). */
const NEEDS_AN_ADMIN: Record<string, string> = {
  channel_not_found: 'the Slack channel in the desk config does not exist, or the bot cannot see it',
  not_in_channel: 'the bot is not in the Slack channel; invite it (/invite @your-app)',
  is_archived: 'the Slack channel is archived; unarchive it or choose another in the desk config',
  invalid_auth: 'Slack did not accept the bot token; check botToken',
  token_revoked: 'the bot token was revoked; reinstall the app and update botToken',
  account_inactive: 'the bot token belongs to a deactivated app or workspace',
  missing_scope: 'the app lacks a scope it needs (chat:write, users:read, users:read.email); add it and reinstall'
}

/**
 * Slack's libraries log request bodies at debug level (customer text, tokens redacted or not):
 * their debug lines are dropped, the rest go to pino as plain sentences.
 */
function slackLogger (logger: Logger): SlackLogger {
  return {
    debug: () => {},
    info: (...msg: unknown[]) => { logger.debug(msg.map(String).join(' ')) },
    warn: (...msg: unknown[]) => { logger.warn(msg.map(String).join(' ')) },
    error: (...msg: unknown[]) => { logger.error(msg.map(String).join(' ')) },
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {}
  }
}

/**
 * A failed call only an admin can mend: one of Slack's own errors above, or an answer the hub
 * will not take (a redirect, an oversized body) from the configured API address.
 */
function adminProblem (err: unknown): { code: string, advice: string } | null {
  const code = (err as { data?: { error?: string } }).data?.error
  if (code !== undefined && NEEDS_AN_ADMIN[code] !== undefined) return { code, advice: NEEDS_AN_ADMIN[code] }
  // The client's request error carries the hub's own refusal of Slack's answer.
  const remote = (err as { original?: unknown }).original
  return remote instanceof RemoteError && !remote.retryable ? { code: remote.failure, advice: `${remote.message.replace(/\.$/, '')} (check clientOptions.slackApiUrl)` } : null
}

/** The largest Web API answer read: the desk's calls answer a few KiB (users.info, chat.postMessage). */
const SLACK_MAX_ANSWER_BYTES = 1024 * 1024

export default defineDesk({
  name: 'slack',
  configSchema: SlackDeskSettings,
  secretSettings: ['botToken', 'signingSecret', 'appToken'],
  validate: validateSlackDesk,
  async create (config, ctx) {
    const logger = slackLogger(ctx.logger)
    // Every call of the desk's and Bolt's clients: no redirects, answers capped, Retry-After bounded.
    const clientOptions = { slackApiUrl: config.clientOptions.slackApiUrl, fetch: boundedFetch('Slack', SLACK_MAX_ANSWER_BYTES) }
    const client = new webApi.WebClient(config.botToken, {
      ...clientOptions,
      logger,
      // A hung call would hold every desk job (they run one at a time): give up and let the job retry.
      timeout: 10_000,
      retryConfig: { retries: 3, factor: 2, minTimeout: 500 }
    })
    let identity: { botId?: string, botUserId?: string } | undefined
    /** Who the app is in Slack: Bolt drops the app's own messages by it. */
    const whoAmI = async (): Promise<{ botId?: string, botUserId?: string }> => {
      if (identity !== undefined) return identity
      try {
        const me = await client.auth.test()
        identity = { ...(me.bot_id !== undefined ? { botId: me.bot_id } : {}), ...(me.user_id !== undefined ? { botUserId: me.user_id } : {}) }
        ctx.reportHealth({ ok: true })
        return identity
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error ?? (err as { code?: string }).code ?? 'unreachable'
        ctx.reportHealth({ ok: false, code: `slack_${code}`, message: `Slack did not accept the bot token (${code}); check botToken and the app's installation.` })
        return {}
      }
    }
    const receiver = config.socketMode ? undefined : new FastifyReceiver(config.signingSecret!, ctx.logger)
    const app = new App({
      ...(receiver !== undefined ? { receiver } : { socketMode: true, appToken: config.appToken! }),
      authorize: async () => ({ botToken: config.botToken, ...await whoAmI() }),
      clientOptions,
      logger,
      deferInitialization: true
    })
    // A listener's failure is logged (without the event: it holds people's text) and answered by the listener itself.
    app.error(async err => { ctx.logger.warn({ code: (err as { code?: string }).code, err: { message: err.message } }, 'slack listener failed') })
    const people = new SlackPeople(ctx, client, config.users)
    new SlackInbound(ctx, client, people).listen(app)
    const relay = await SlackRelay.open(ctx, client, config)

    return {
      routes: receiver !== undefined ? async fastify => { await receiver.routes(fastify) } : undefined,
      async start () {
        await app.init()
        await whoAmI()
        if (config.socketMode) await app.start()
      },
      async stop () {
        if (config.socketMode) await app.stop()
      },
      async relay (job) {
        try {
          await relay.relay(job)
        } catch (err) {
          const problem = adminProblem(err)
          if (problem === null) throw err
          ctx.reportHealth({ ok: false, code: `slack_${problem.code}`, message: `Conversations are not reaching Slack: ${problem.advice}.` })
          throw new DeskRelayError(`slack_${problem.code}`, problem.advice, { retryable: false })
        }
        ctx.reportHealth({ ok: true })
      }
    }
  }
})
