import { Type, type Static } from 'typebox'

const Tls = Type.Boolean({ default: true, description: 'false accepts self-signed certificates (a test server); never in production' })

const Imap = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ default: 993, minimum: 1, maximum: 65535 }),
  /** true: TLS from the start (993); false: STARTTLS when the server offers it (143). */
  secure: Type.Boolean({ default: true }),
  user: Type.String({ minLength: 1 }),
  password: Type.Optional(Type.String({ minLength: 1 })),
  /** OAuth2 access token (XOAUTH2), for providers that refuse passwords. */
  accessToken: Type.Optional(Type.String({ minLength: 1 })),
  folder: Type.String({ default: 'INBOX', minLength: 1 }),
  /** What the first connection of a new channel imports: unread mail, all of it, or only mail from now on. */
  firstSync: Type.Enum(['unseen', 'all', 'new'], { default: 'unseen' }),
  /** IDLE is broken and restarted this often: some servers and NATs drop a silent one. */
  idleRestartMs: Type.Integer({ default: 300_000, minimum: 1000 }),
  /** Poll interval for servers without IDLE. */
  pollMs: Type.Integer({ default: 60_000, minimum: 1000 }),
  timeoutMs: Type.Integer({ default: 30_000, minimum: 1000 }),
  /** Reconnect delays after a drop: doubling from min to max. */
  reconnectMinMs: Type.Integer({ default: 1000, minimum: 10 }),
  reconnectMaxMs: Type.Integer({ default: 60_000, minimum: 10 }),
  rejectUnauthorized: Tls
}, { additionalProperties: false })

const Smtp = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ default: 587, minimum: 1, maximum: 65535 }),
  secure: Type.Boolean({ default: false, description: 'true for implicit TLS (465); false uses STARTTLS when offered' }),
  user: Type.Optional(Type.String({ minLength: 1 })),
  password: Type.Optional(Type.String({ minLength: 1 })),
  accessToken: Type.Optional(Type.String({ minLength: 1 })),
  /** Pooled connections kept open to the server. */
  maxConnections: Type.Integer({ default: 5, minimum: 1, maximum: 100 }),
  timeoutMs: Type.Integer({ default: 30_000, minimum: 1000 }),
  rejectUnauthorized: Tls,
  dkim: Type.Optional(Type.Object({
    domainName: Type.String({ minLength: 1 }),
    keySelector: Type.String({ minLength: 1 }),
    privateKey: Type.String({ minLength: 1 })
  }, { additionalProperties: false }))
}, { additionalProperties: false })

/** A plausible mail address: what config, contacts' emails and senders are checked against. */
export const ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/

export const EmailSettings = Type.Object({
  /** The support address customers write to, e.g. support@shop.example. */
  address: Type.String({ pattern: ADDRESS.source }),
  fromName: Type.String({ default: 'Support', minLength: 1, maxLength: 100 }),
  /** Reply-To `local+<token>@domain`: replies thread by address even when a client drops every header. */
  plusAddressing: Type.Boolean({ default: false }),
  imap: Imap,
  smtp: Smtp,
  /** Where bounces go (the envelope sender, Return-Path): it must deliver into the mailbox the hub reads. */
  bounces: Type.Object({
    /** Default: the support address. */
    address: Type.Optional(Type.String({ pattern: ADDRESS.source })),
    /** `local+<message>@domain` per mail (VERP), so every bounce names its message; needs plus-addressing there. Default: plusAddressing. */
    verp: Type.Optional(Type.Boolean())
  }, { additionalProperties: false, default: {} }),
  /** What happens to fetched mail on the server: nothing, marked read, or moved to `folder`. */
  processed: Type.Object({
    action: Type.Enum(['none', 'seen', 'move'], { default: 'seen' }),
    folder: Type.Optional(Type.String({ minLength: 1 }))
  }, { additionalProperties: false, default: {} }),
  /** Last resort threading, for clients that drop In-Reply-To and References: same sender and subject within this many days; 0 turns it off. */
  threadBySubjectDays: Type.Integer({ default: 7, minimum: 0, maximum: 365 }),
  /** Quote the customer's last message under the reply, as mail clients do. */
  quoteHistory: Type.Boolean({ default: true }),
  /** Subject of a first mail to a contact who never wrote by email (a webchat visitor). */
  subject: Type.String({ default: 'Your conversation with {fromName}', minLength: 1, maxLength: 200 })
}, { additionalProperties: false })

export type EmailConfig = Static<typeof EmailSettings>

/** Problems the schema cannot express; start-up refuses the channel with these. */
export function settingsProblems (config: EmailConfig): string[] {
  const problems: string[] = []
  if (config.imap.password === undefined && config.imap.accessToken === undefined) problems.push('imap: set password or accessToken')
  if ((config.smtp.password !== undefined || config.smtp.accessToken !== undefined) && config.smtp.user === undefined) problems.push('smtp.user: required with a password or accessToken')
  if (config.processed.action === 'move' && config.processed.folder === undefined) problems.push('processed.folder: required when action is "move"')
  return problems
}
