import type { ParsedMail } from 'mailparser'
import { address, field, reportParts, returnedCopies, returnedIds } from './report-parts.js'

/** A recipient's provider reports our mail as spam (RFC 5965 ARF). */
export interface FeedbackReport {
  kind: 'feedback'
  feedbackType: string
  /** Who complained: the report's Original-Rcpt-To, or the returned copy's To. */
  recipient: string | null
  returnedIds: string[]
}

export function feedbackReport (mail: ParsedMail): FeedbackReport {
  const parts = reportParts(mail)
  const report = parts.find(p => p.type === 'message/feedback-report')?.text ?? ''
  const copies = returnedCopies(parts)
  return {
    kind: 'feedback',
    feedbackType: field(report, 'Feedback-Type')?.toLowerCase() ?? 'abuse',
    recipient: address(field(report, 'Original-Rcpt-To') ?? field(copies.join('\n'), 'To')),
    returnedIds: returnedIds(copies)
  }
}
