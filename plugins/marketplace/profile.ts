import { createHmac, timingSafeEqual } from 'node:crypto'
import { ChannelSendError, type InboundMessage } from '../../core/channels/index.js'
import type { Card } from '../../core/model/index.js'

/**
 * What makes one marketplace different from another. The adapter (index.ts) does the HTTP, the
 * storing and the timers; a profile only maps: push signatures and bodies in, sends and catch-up
 * calls out. A new marketplace is a new file in profiles/ (see README.md).
 */

/** The shop's credentials on the marketplace, from the channel's config. */
export interface Credentials {
  /** App key / partner id. */
  appKey: string
  /** App secret / partner key: signs pushes and API calls. */
  appSecret: string
  accessToken: string
  shopId: string
  /** The push URL the marketplace calls (Shopee signs it with the body). */
  pushUrl: string
}

/** A push as it arrived: the raw bytes the signature covers, and the headers (lower-case names). */
export interface Push { raw: Buffer, headers: Record<string, string | undefined> }

/** One message of a marketplace conversation, mapped to the hub's model. */
export interface MarketMessage {
  /** `from.externalId` is the buyer's id; `direction: 'outbound'` for the seller's own messages (echoes). */
  message: InboundMessage
  /** The marketplace's conversation (session) id: replies go there. */
  conversationRef: string
}

/** A part of an agent's reply: each marketplace sends text and each card as its own message. */
export type OutboundPart = { type: 'text', text: string } | { type: 'card', card: Card & { kind: CardKind, id: string } }
export type CardKind = 'product' | 'order'

export interface Outbound { conversationRef: string | null, buyerId: string, part: OutboundPart }

/** One call to the marketplace's API; the adapter adds the base URL, sends it and parses the JSON answer. */
export interface ApiCall { method: 'GET' | 'POST', path: string, query?: Record<string, string>, headers?: Record<string, string>, body?: unknown }
export type Api = (call: ApiCall) => Promise<{ status: number, body: any }>

export interface CatchUp { messages: MarketMessage[], cursor: string | null, more: boolean }

export interface MarketplaceProfile {
  /** The file's name: what `profile:` in config says. */
  name: string
  title: string
  /** How long the marketplace waits for a push's answer before it counts it failed. */
  ackDeadlineMs: number
  limits: { maxTextLength: number, cards: CardKind[] }
  verifyPush (push: Push, credentials: Credentials): boolean
  /** The messages in a push (none for events that carry none). Throws PushError when it is not this marketplace's shape. */
  parsePush (body: unknown, credentials: Credentials): MarketMessage[]
  /** Sends one part; resolves with the marketplace's message id, or throws ChannelSendError (use `refused`). */
  send (api: Api, outbound: Outbound, credentials: Credentials, now: Date): Promise<string>
  /** Messages since `cursor` (null: from now on), for pushes the marketplace failed to deliver. */
  catchUp (api: Api, cursor: string | null, credentials: Credentials, now: Date): Promise<CatchUp>
}

export const defineProfile = (profile: MarketplaceProfile): MarketplaceProfile => profile

/** A push body that is not what the marketplace sends. */
export class PushError extends Error {}

export const hmacHex = (secret: string, data: string | Buffer): string => createHmac('sha256', secret).update(data).digest('hex')

/** Timing-safe comparison of a received hex signature with the expected one (case-insensitive). */
/** TikTok Shop's and Lazada's push signature: hex HMAC-SHA256(app secret, app key + raw body) in Authorization. */
export const signedWithAppKey = (push: Push, c: Credentials): boolean =>
  sameSignature(push.headers.authorization, hmacHex(c.appSecret, Buffer.concat([Buffer.from(c.appKey), push.raw])))

export function sameSignature (given: string | undefined, expected: string): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given.trim().toLowerCase())
  const b = Buffer.from(expected.toLowerCase())
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * A marketplace's refusal as the hub reports it: its content filter (sensitive words) becomes
 * `content_rejected` with the marketplace's reason; rate limits and outages are retried.
 */
export function refused (kind: 'content' | 'retry' | 'final', marketplace: string, code: string, reason: string): ChannelSendError {
  if (kind === 'content') return new ChannelSendError('content_rejected', `${marketplace} rejected the content: ${reason}`, { retryable: false })
  return new ChannelSendError(kind === 'retry' ? 'marketplace_unavailable' : 'marketplace_refused', `${marketplace} answered ${code}: ${reason}`, { retryable: kind === 'retry' })
}

/** Reads a JSON string field of a push (marketplaces nest JSON in strings). */
export function parseJson (text: unknown, what: string): Record<string, any> {
  if (typeof text !== 'string') throw new PushError(`${what} is not a string`)
  try {
    const value: unknown = JSON.parse(text)
    if (value !== null && typeof value === 'object') return value as Record<string, any>
  } catch {}
  throw new PushError(`${what} is not JSON`)
}

export function field<T> (value: T | undefined | null, what: string): T {
  if (value === undefined || value === null || value === '') throw new PushError(`${what} is missing`)
  return value
}
