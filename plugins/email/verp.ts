import { ownMessageId } from './thread.js'
import { field, reportParts, returnedCopies } from './report-parts.js'
import type { Email } from './parse.js'

/**
 * VERP (variable envelope return path): each outbound mail's envelope sender names it,
 * `bounces+<message id>.<conversation id>@domain`, so its bounce maps back to it even when the
 * remote server returns no copy of it or mangles the copy's headers.
 */

const TOKEN = /^([0-9a-z]{26})\.([0-9a-z]{26})$/i

const split = (address: string): [string, string] => {
  const at = address.lastIndexOf('@')
  return [address.slice(0, at).toLowerCase(), address.slice(at + 1).toLowerCase()]
}

/** The envelope sender of one outbound message. Lowercase: some servers fold addresses. */
export function verpAddress (returnPath: string, messageId: string, conversationId: string): string {
  const [local, domain] = split(returnPath)
  return `${local}+${messageId.toLowerCase()}.${conversationId.toLowerCase()}@${domain}`
}

/** The Message-ID of ours that a VERP address names, or null when it is not one of ours. */
export function verpMessageId (address: string, returnPath: string, ownDomain: string): string | null {
  const [local, domain] = split(returnPath)
  const [rLocal, rDomain] = split(address.replace(/^<|>$/g, '').trim())
  if (rDomain !== domain || !rLocal.startsWith(`${local}+`)) return null
  const token = TOKEN.exec(rLocal.slice(local.length + 1))
  return token === null ? null : ownMessageId(token[1]!.toUpperCase(), token[2]!.toUpperCase(), ownDomain)
}

/** Our Message-IDs named by VERP where a bounce or report carries them: its recipients, and the returned copy's Return-Path. */
export function verpMessageIds (email: Email, returnPath: string, ownDomain: string): string[] {
  const returned = returnedCopies(reportParts(email.parsed)).flatMap(copy => field(copy, 'Return-Path') ?? [])
  return [...new Set([...email.recipients, ...returned].flatMap(a => verpMessageId(a, returnPath, ownDomain) ?? []))]
}
