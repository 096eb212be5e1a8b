import type { ParsedMail } from 'mailparser'

/** What kind of mail this is, before it becomes a message. */
export type MailKind =
  | { kind: 'customer' }
  /** Sent by a machine: an out-of-office, a list, a newsletter. Kept as a note, never answered. */
  | { kind: 'automated', reason: 'auto_submitted' | 'autoreply' | 'bulk' | 'list' }
  /** A delivery status notification: our mail to `recipient` failed. */
  | { kind: 'bounce', originalMessageId: string | null, recipient: string | null, status: string | null, diagnostic: string | null }

const header = (mail: ParsedMail, name: string): string | null => {
  const value = mail.headers.get(name)
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value
  return String(value)
}

export function classify (mail: ParsedMail, rawHeaders: string): MailKind {
  const contentType = mail.headers.get('content-type') as { value?: string, params?: Record<string, string> } | undefined
  const report = contentType?.value?.toLowerCase() === 'multipart/report' && contentType.params?.['report-type']?.toLowerCase() === 'delivery-status'
  const nullSender = /^return-path:\s*<>\s*$/im.test(rawHeaders)
  if (report || (nullSender && /mailer-daemon|postmaster/i.test(mail.from?.value[0]?.address ?? ''))) return bounceOf(mail)

  const autoSubmitted = header(mail, 'auto-submitted')?.trim().toLowerCase()
  if (autoSubmitted !== undefined && autoSubmitted !== null && !autoSubmitted.startsWith('no')) return { kind: 'automated', reason: 'auto_submitted' }
  if (header(mail, 'x-autoreply') !== null || header(mail, 'x-autorespond') !== null) return { kind: 'automated', reason: 'autoreply' }
  if (/^(bulk|junk|list)$/i.test(header(mail, 'precedence')?.trim() ?? '')) return { kind: 'automated', reason: 'bulk' }
  // mailparser folds List-* headers into one `list` object: read the raw header instead.
  if (/^list-id:/im.test(rawHeaders)) return { kind: 'automated', reason: 'list' }
  return { kind: 'customer' }
}

/** Reads the machine-readable part of a DSN (RFC 3464) and the returned headers of our mail. */
function bounceOf (mail: ParsedMail): MailKind {
  const parts = mail.attachments.map(a => ({ type: a.contentType.toLowerCase(), text: a.content.toString('utf8') }))
  const status = parts.find(p => p.type === 'message/delivery-status')?.text ?? mail.text ?? ''
  const field = (name: string): string | null => new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(status)?.[1]?.trim() ?? null
  const returned = parts.filter(p => p.type === 'message/rfc822' || p.type === 'text/rfc822-headers').map(p => p.text).join('\n')
  const originalMessageId = /^message-id:\s*(<[^>\s]+>)/im.exec(returned)?.[1] ?? mail.inReplyTo ?? null
  const recipient = field('Final-Recipient')?.replace(/^rfc822;\s*/i, '') ?? field('Original-Recipient')?.replace(/^rfc822;\s*/i, '') ?? null
  return { kind: 'bounce', originalMessageId, recipient, status: field('Status'), diagnostic: field('Diagnostic-Code')?.replace(/^smtp;\s*/i, '') ?? null }
}
