import { createHmac, timingSafeEqual } from 'node:crypto'

/** How long a rating link works. */
const TTL_SECONDS = 30 * 86_400

/**
 * The rating page's links: `<conversation id>.<expiry>.<signature>`, so a customer can rate
 * their own conversation (from an email, say) without signing in, and nobody can rate another's.
 */
export class RatingLinks {
  constructor (private readonly secret: Buffer) {}

  private signature (conversationId: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`rating.${conversationId}.${exp}`).digest('base64url')
  }

  token (conversationId: string, now: Date): string {
    const exp = Math.floor(now.getTime() / 1000) + TTL_SECONDS
    return `${conversationId}.${exp}.${this.signature(conversationId, exp)}`
  }

  /** The conversation the token is for, or why it cannot be used. */
  check (token: string, now: Date): { conversationId: string } | 'expired' | 'invalid' {
    const [conversationId, exp, sig, extra] = token.split('.')
    if (conversationId === undefined || exp === undefined || sig === undefined || extra !== undefined || !/^\d{1,12}$/.test(exp)) return 'invalid'
    const expected = Buffer.from(this.signature(conversationId, Number(exp)))
    const given = Buffer.from(sig)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid'
    return Number(exp) * 1000 < now.getTime() ? 'expired' : { conversationId }
  }
}
