import { randomBytes } from 'node:crypto'

// Crockford base32: ids sort by creation time as plain strings, so cursors can use them.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

let lastTime = -1
let lastRandom: number[] = []

function encodeTime (ms: number): string {
  let out = ''
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out
    ms = Math.floor(ms / 32)
  }
  return out
}

/** A ULID: 10 chars of milliseconds, 16 of randomness, monotonic within one process. */
export function newId (now = Date.now()): string {
  if (now <= lastTime) {
    now = lastTime
    // Same millisecond: increment the random part so order still follows creation.
    let i = lastRandom.length - 1
    while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0
    if (i >= 0) lastRandom[i] = (lastRandom[i] ?? 0) + 1
  } else {
    lastTime = now
    lastRandom = [...randomBytes(16)].map(b => b % 32)
  }
  return encodeTime(now) + lastRandom.map(n => ALPHABET[n]).join('')
}
