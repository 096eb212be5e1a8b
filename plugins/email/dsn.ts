import type { ParsedMail } from 'mailparser'
import { DELAY } from './bounce-signatures.js'
import { address, field, reportParts, returnedCopies, returnedIds } from './report-parts.js'

/** What a bounce says happened to one recipient of our mail. */
export interface DeliveryStatus {
  action: 'failed' | 'delayed' | 'delivered'
  recipient: string | null
  /** The enhanced status code (RFC 3463): 5.x.x permanent, 4.x.x transient. */
  status: string | null
  /** The remote server's own words (`Diagnostic-Code`, or the SMTP reply quoted in the body). */
  diagnostic: string | null
  /** Message-IDs of our mail that the bounce returns (headers or an inline copy), most specific first. */
  returnedIds: string[]
}

const actionOf = (action: string | null, status: string | null, body: string): DeliveryStatus['action'] => {
  const a = action?.toLowerCase() ?? ''
  if (a.startsWith('failed')) return 'failed'
  if (a.startsWith('delayed')) return 'delayed'
  if (a.startsWith('delivered') || a.startsWith('relayed') || a.startsWith('expanded')) return 'delivered'
  if (status?.startsWith('4') === true) return 'delayed'
  if (status?.startsWith('5') === true) return 'failed'
  return DELAY.test(body.slice(0, 4000)) ? 'delayed' : 'failed'
}

/**
 * The first recipient's status of an RFC 3464 report (`message/delivery-status`), or of a
 * bounce written for people: the enhanced status code, the SMTP reply and the address it names.
 */
export function deliveryStatus (mail: ParsedMail): DeliveryStatus {
  const all = reportParts(mail)
  const body = mail.text ?? ''
  const returned = returnedCopies(all)
  // An inline copy ("----- Original message -----" and its headers) is in the body itself.
  const copyStart = body.search(/^(from|message-id|received|return-path):/im)
  const ids = returnedIds([...returned, copyStart === -1 ? '' : body.slice(copyStart)])
  // mailparser shows some reports' `message/delivery-status` part as body text: read it there too.
  const report = all.find(p => p.type === 'message/delivery-status')?.text ?? (/^final-recipient:/im.test(body) ? body : undefined)
  if (report !== undefined) {
    // Per-recipient blocks follow the per-message block, separated by blank lines.
    const blocks = report.split(/\r?\n\s*\r?\n/).filter(b => /^(final|original)-recipient:/im.test(b))
    const block = blocks.find(b => /^action:\s*failed/im.test(b)) ?? blocks[0] ?? report
    const status = field(block, 'Status')?.match(/\d\.\d{1,3}\.\d{1,3}/)?.[0] ?? null
    return {
      action: actionOf(field(block, 'Action'), status, body),
      recipient: address(field(block, 'Final-Recipient') ?? field(block, 'Original-Recipient')),
      status,
      diagnostic: field(block, 'Diagnostic-Code')?.replace(/^smtp;\s*/i, '') ?? null,
      returnedIds: ids
    }
  }
  // A bounce written for people: read the explanation, before the returned copy (whose From is ours).
  const explanation = copyStart === -1 ? body : body.slice(0, copyStart)
  const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(explanation)?.[1] ?? null
  const smtp = /^\s*(?:[^\n]*?\s)?([45]\d\d[ :-].{4,200})$/m.exec(explanation)?.[1]?.trim() ?? null
  const recipient = /<([^<>\s@]+@[^<>\s@]+)>/.exec(explanation)?.[1] ?? /([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/.exec(explanation)?.[1] ?? null
  return { action: actionOf(null, status ?? (smtp !== null ? `${smtp[0]}.0.0` : null), explanation), recipient: recipient?.toLowerCase() ?? null, status, diagnostic: smtp, returnedIds: ids }
}
