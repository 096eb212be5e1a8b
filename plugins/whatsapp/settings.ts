import { Type, type Static } from 'typebox'

export const WhatsAppSettings = Type.Object({
  /** The business phone number's id in the Cloud API (not the number itself). */
  phoneNumberId: Type.String({ pattern: '^[0-9]+$' }),
  /** The WhatsApp Business Account that owns the number and its templates. */
  wabaId: Type.String({ pattern: '^[0-9]+$' }),
  /** A system user's access token with whatsapp_business_messaging and whatsapp_business_management. */
  accessToken: Type.String({ minLength: 1 }),
  /** Verifies X-Hub-Signature-256 on webhooks. */
  appSecret: Type.String({ minLength: 8 }),
  verifyToken: Type.String({ minLength: 1 }),
  graphBaseUrl: Type.String({ default: 'https://graph.facebook.com', pattern: '^https?://' }),
  graphVersion: Type.String({ default: 'v24.0', pattern: '^v[0-9]+\\.[0-9]+$' }),
  /** Templates are read again this often (and on demand from the reply box). */
  templatesRefreshMs: Type.Integer({ default: 15 * 60_000, minimum: 10_000 }),
  timeoutMs: Type.Integer({ default: 10_000, minimum: 100, maximum: 120_000 }),
  /** The largest media file a customer's message is downloaded with (WhatsApp allows documents of 100 MB). */
  maxMediaBytes: Type.Integer({ default: 100 * 1024 * 1024, minimum: 1024 })
}, { additionalProperties: false })

export type WhatsAppConfig = Static<typeof WhatsAppSettings>
