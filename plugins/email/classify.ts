import type { ParsedMail } from 'mailparser'
import { automatedReason, fromMachine, type AutomatedReason } from './auto-reply.js'
import { bounceSignature } from './bounce-signatures.js'
import { deliveryStatus, type DeliveryStatus } from './dsn.js'
import { messageIds } from './message-ids.js'

/** What kind of mail this is, before it becomes a message. Only `customer` mail is ever answered. */
export type MailKind =
  | { kind: 'customer' }
  /** Sent by a machine on its own (an out-of-office, a list, a no-reply sender): a note where it belongs, never answered. */
  | { kind: 'automated', reason: AutomatedReason }
  /** Our mail did not reach a recipient (`failed`) or has not yet (`delayed`). */
  | ({ kind: 'bounce', server: string } & DeliveryStatus)
  /** A recipient's provider reports our mail as spam (RFC 5965 ARF). */
  | { kind: 'feedback', feedbackType: string, recipient: string | null, returnedIds: string[] }

const reportType = (mail: ParsedMail): string | null => {
  const contentType = mail.headers.get('content-type') as { value?: string, params?: Record<string, string> } | undefined
  return contentType?.value?.toLowerCase() === 'multipart/report' ? contentType.params?.['report-type']?.toLowerCase() ?? null : null
}

/**
 * Tells machine mail from people, most specific evidence first: a standard report (RFC 3464
 * delivery status, RFC 5965 feedback, RFC 8098 read receipts), then the non-standard bounces
 * servers still send, then auto-reply and list headers and subjects, then a sender that cannot
 * be answered (null return path, mailer-daemon, no-reply).
 */
export function classify (mail: ParsedMail, rawHeaders: string): MailKind {
  const type = reportType(mail)
  const machine = fromMachine((mail.from?.value[0]?.address ?? '').toLowerCase(), rawHeaders)
  if (type === 'delivery-status') {
    const status = deliveryStatus(mail)
    return status.action === 'delivered' ? { kind: 'automated', reason: 'delivery_report' } : { kind: 'bounce', server: 'rfc3464', ...status }
  }
  if (type === 'feedback-report') return feedbackOf(mail)
  if (type === 'disposition-notification') return { kind: 'automated', reason: 'read_receipt' }

  const signature = bounceSignature(mail.subject ?? '', mail.text ?? '', machine)
  if (signature !== null) {
    const status = deliveryStatus(mail)
    if (status.action !== 'delivered') return { kind: 'bounce', server: signature.server, ...status }
  }
  const reason = automatedReason(mail, rawHeaders)
  if (reason !== null) return { kind: 'automated', reason }
  return machine ? { kind: 'automated', reason: 'machine_sender' } : { kind: 'customer' }
}

/** The feedback report's type and the complaining recipient, and the ids of our mail it returns. */
function feedbackOf (mail: ParsedMail): MailKind {
  const parts = mail.attachments.map(a => ({ type: a.contentType.toLowerCase(), text: a.content.toString('utf8') }))
  const report = parts.find(p => p.type === 'message/feedback-report')?.text ?? ''
  const field = (name: string): string | null => new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(report)?.[1]?.trim() ?? null
  const returned = parts.filter(p => p.type === 'message/rfc822' || p.type === 'text/rfc822-headers').map(p => p.text).join('\n')
  const ownId = /^message-id:\s*(<[^>\s]+>)/im.exec(returned)?.[1]
  return {
    kind: 'feedback',
    feedbackType: field('Feedback-Type')?.toLowerCase() ?? 'abuse',
    recipient: (field('Original-Rcpt-To') ?? /^to:\s*.*?([^\s<>]+@[^\s<>]+)/im.exec(returned)?.[1] ?? null)?.replace(/^<|>$/g, '').toLowerCase() ?? null,
    returnedIds: [...(ownId !== undefined ? [ownId] : []), ...messageIds(/^in-reply-to:\s*(.+)$/im.exec(returned)?.[1] ?? '')]
  }
}
