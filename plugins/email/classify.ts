import type { ParsedMail } from 'mailparser'
import { feedbackReport, type FeedbackReport } from './arf.js'
import { automatedReason, fromMachine, type AutomatedReason } from './auto-reply.js'
import { bounceSignature } from './bounce-signatures.js'
import { deliveryStatus, type DeliveryStatus } from './dsn.js'

/** What kind of mail this is, before it becomes a message. Only `customer` mail is ever answered. */
export type MailKind =
  | { kind: 'customer' }
  /** Sent by a machine on its own (an out-of-office, a list, a no-reply sender): a note where it belongs, never answered. */
  | { kind: 'automated', reason: AutomatedReason }
  /** Our mail did not reach a recipient (`failed`) or has not yet (`delayed`). */
  | ({ kind: 'bounce', server: string } & DeliveryStatus)
  | FeedbackReport

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
  if (type === 'feedback-report') return feedbackReport(mail)
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
