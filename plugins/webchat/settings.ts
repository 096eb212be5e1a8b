import { Type, type Static } from 'typebox'
import { BusinessHours } from '../../core/config/index.js'
import { hoursProblems } from '../../core/hours.js'

const Field = Type.Enum(['off', 'optional', 'required'], { default: 'off' })
/** The webchat channel's settings in config (beside id, plugin, enabled, team). */
export const WebchatSettings = Type.Object({
  /** Shown in the widget's header. */
  title: Type.String({ default: 'Chat with us', minLength: 1, maxLength: 80 }),
  /** The bubble's and header's colour. */
  color: Type.String({ default: '#2563eb', pattern: '^#[0-9a-fA-F]{6}$' }),
  /** The widget's language; `auto` follows the visitor's browser. A page may set its own. */
  locale: Type.Enum(['auto', 'en', 'zh'], { default: 'auto' }),
  /**
   * With a secret, `omnihub.setUser(id, {hash})` must carry hex HMAC-SHA256(secret, id), made by
   * the seller's server; only then is the visitor known as that user (and sees their history).
   */
  identitySecret: Type.Optional(Type.String({ minLength: 16 })),
  /** Sites that may embed the widget, as origins (`https://shop.example`); empty: any. */
  allowedOrigins: Type.Array(Type.String({ pattern: '^https?://[^/]+$' }), { default: [] }),
  /** Asked before the first message. */
  preChat: Type.Object({ name: Field, email: Field, phone: Field }, { additionalProperties: false, default: {} }),
  /** When nobody can answer, ask for an email address so the conversation can go on by email. */
  offlineEmail: Type.Boolean({ default: true }),
  /** Open hours; outside them the widget shows away. Absent: always open (when agents are online). */
  businessHours: Type.Optional(BusinessHours),
  attachments: Type.Object({
    maxBytes: Type.Integer({ default: 10 * 1024 * 1024, minimum: 1024, maximum: 100 * 1024 * 1024 }),
    /** MIME types visitors may send; `image/*` style wildcards allowed. */
    types: Type.Array(Type.String({ pattern: '^[a-z]+/([a-z0-9.+-]+|\\*)$' }), { default: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'] })
  }, { additionalProperties: false, default: {} }),
  limits: Type.Object({
    /** Longest visitor message, in characters. */
    maxTextLength: Type.Integer({ default: 5000, minimum: 1, maximum: 100_000 }),
    /** Messages (and uploads) a visitor may send per minute; a burst of a third of it is fine. */
    messagesPerMinute: Type.Integer({ default: 30, minimum: 1 }),
    /** Other frames (typing, page views, receipts) per visitor per minute. */
    eventsPerMinute: Type.Integer({ default: 240, minimum: 1 }),
    /** Open widget connections per IP address (a household or office shares one). */
    connectionsPerIp: Type.Integer({ default: 30, minimum: 1 }),
    /** New connections per IP address per minute. */
    connectsPerIpPerMinute: Type.Integer({ default: 120, minimum: 1 })
  }, { additionalProperties: false, default: {} }),
  /** Visitors (their visitor id, shown to agents as the webchat identity) and IP addresses refused outright. */
  blocked: Type.Object({
    visitors: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    ips: Type.Array(Type.String({ minLength: 1 }), { default: [] })
  }, { additionalProperties: false, default: {} }),
  /** How often the online/away status is checked again (agents coming and going). */
  statusCheckMs: Type.Integer({ default: 15_000, minimum: 100 }),
  /** Serve a demo shop page with the widget at /demo. Turn off in production. */
  demo: Type.Boolean({ default: true })
}, { additionalProperties: false })

export type WebchatSettings = Static<typeof WebchatSettings>

/** Problems the schema cannot state. */
export function settingsProblems (settings: WebchatSettings): string[] {
  return hoursProblems(settings.businessHours, 'businessHours')
}
