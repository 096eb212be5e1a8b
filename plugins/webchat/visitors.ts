import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { ChannelKv } from '../../core/channels/index.js'

/** What the hub remembers of a visitor (one browser's storage), in the channel's key-value. */
export interface VisitorState {
  /** Set once the seller's site proved who the visitor is (setUser with a valid hash). */
  userId: string | null
  name: string | null
  email: string | null
  phone: string | null
  attributes: Record<string, string | number | boolean | null>
  /** The pre-chat form was filled. */
  prechatDone: boolean
}

const fresh = (): VisitorState => ({ userId: null, name: null, email: null, phone: null, attributes: {}, prechatDone: false })

const equal = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * Visitors: a token in the browser's storage (`<visitorId>.<signature>`, so it cannot be forged
 * or guessed) names the visitor; their state and their conversation live in the store, so every
 * tab, page load and hub process sees the same.
 */
export class Visitors {
  private constructor (private readonly kv: ChannelKv, private readonly secret: Buffer) {}

  static async open (kv: ChannelKv): Promise<Visitors> {
    let secret = await kv.get('token-secret')
    if (secret === null) {
      await kv.set('token-secret', randomBytes(32).toString('base64url'))
      secret = (await kv.get('token-secret'))!
    }
    return new Visitors(kv, Buffer.from(secret))
  }

  private sign (visitorId: string): string {
    return createHmac('sha256', this.secret).update(visitorId).digest('base64url').slice(0, 32)
  }

  /** The visitor a token names, or null when it is missing, forged or from another hub. */
  verify (token: string | undefined): string | null {
    const match = /^(v_[A-Za-z0-9_-]{20,40})\.([A-Za-z0-9_-]{32})$/.exec(token ?? '')
    return match !== null && equal(match[2]!, this.sign(match[1]!)) ? match[1]! : null
  }

  create (): { visitorId: string, token: string } {
    const visitorId = `v_${randomBytes(16).toString('base64url')}`
    return { visitorId, token: `${visitorId}.${this.sign(visitorId)}` }
  }

  async state (visitorId: string): Promise<VisitorState> {
    const raw = await this.kv.get(`visitor:${visitorId}`)
    return raw === null ? fresh() : { ...fresh(), ...JSON.parse(raw) as Partial<VisitorState> }
  }

  async save (visitorId: string, state: VisitorState): Promise<void> {
    await this.kv.set(`visitor:${visitorId}`, JSON.stringify(state))
  }

  /** The identity the visitor writes as: their verified user id, else their visitor id. */
  static externalId (visitorId: string, state: VisitorState): string {
    return state.userId !== null ? `user:${state.userId}` : visitorId
  }

  /** The conversation an identity writes in (last one it had), by external id. */
  async conversationOf (externalId: string): Promise<string | null> {
    return await this.kv.get(`conversation:${externalId}`)
  }

  async setConversation (externalId: string, conversationId: string): Promise<void> {
    await this.kv.set(`conversation:${externalId}`, conversationId)
    await this.kv.set(`identity:${conversationId}`, externalId)
  }

  /** Who writes in a conversation: for notices that name only the conversation. */
  async identityOf (conversationId: string): Promise<string | null> {
    return await this.kv.get(`identity:${conversationId}`)
  }
}

/** hex HMAC-SHA256(secret, userId): what the seller's server computes for setUser. */
export function identityHash (secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId).digest('hex')
}

export function validIdentity (secret: string, userId: string, hash: string | undefined): boolean {
  return hash !== undefined && equal(hash.toLowerCase(), identityHash(secret, userId))
}
