import type { ParsedMail } from 'mailparser'
import { messageIds } from './message-ids.js'

/** The parts of a report (RFC 6522) as text: the machine-readable part, the returned copy. */
export const reportParts = (mail: ParsedMail): Array<{ type: string, text: string }> =>
  mail.attachments.map(a => ({ type: a.contentType.toLowerCase(), text: a.content.toString('utf8') }))

/** The returned copy of our mail, whole or headers only. */
export const returnedCopies = (parts: Array<{ type: string, text: string }>): string[] =>
  parts.filter(p => p.type === 'message/rfc822' || p.type === 'text/rfc822-headers').map(p => p.text)

/** A header-style field (`Name: value`, folded lines joined) of a report or a returned copy. */
export const field = (text: string, name: string): string | null =>
  new RegExp(`^${name}:[ \\t]*(.+(?:\\r?\\n[ \\t]+.+)*)$`, 'im').exec(text)?.[1]?.replace(/\s+/g, ' ').trim() ?? null

/** `rfc822; <a@b>` or `Name <a@b>` → `a@b`. */
export const address = (value: string | null): string | null =>
  value === null ? null : (/([^\s<>;]+@[^\s<>;]+)/.exec(value)?.[1] ?? null)?.toLowerCase() ?? null

/** The Message-IDs in the returned copies of our mail: their own, then what they replied to. */
export function returnedIds (texts: string[]): string[] {
  const ids: string[] = []
  for (const text of texts) ids.push(...messageIds(field(text, 'Message-ID') ?? ''))
  for (const text of texts) ids.push(...messageIds(field(text, 'In-Reply-To') ?? ''), ...messageIds(field(text, 'References') ?? ''))
  return [...new Set(ids)]
}
