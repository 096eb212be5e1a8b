import { createHash, randomBytes } from 'node:crypto'

/** API tokens are 256 random bits; only their SHA-256 is stored, so a leaked database leaks no token. */
export function newAgentToken (): string {
  return `oh_${randomBytes(32).toString('base64url')}`
}

export function hashToken (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
