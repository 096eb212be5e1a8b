import type { ParsedMail } from 'mailparser'

export type AutomatedReason = 'auto_submitted' | 'autoreply' | 'bulk' | 'list' | 'machine_sender' | 'read_receipt' | 'delivery_report'

/** Local parts that only machines send from; a person never answers there. */
const MACHINE_LOCAL = /^(mailer[-_.]?daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|bounce[-_.+].*|mail[-_.]?delivery[-_.]?(system|subsystem)?|auto[-_.]?(reply|responder))$/i

/** Subjects of out-of-office and vacation replies, in the languages clients send them. */
const AUTO_REPLY_SUBJECT = /^(automatic reply|auto(matic)?[- ]?(reply|response)|autoreply|out of (the )?office|vacation|on vacation|abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática|risposta automatica|resposta automática|automatisch antwoord|自动回复|自動回覆|自動応答|自動返信|不在通知|休假)\s*[:：(（-]?/i

const header = (mail: ParsedMail, name: string): string | null => {
  const value = mail.headers.get(name)
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value
  return String(value)
}

/** A null return path or a machine's address: the sender cannot be answered. */
export function fromMachine (fromAddress: string, rawHeaders: string): boolean {
  if (/^return-path:\s*<\s*>\s*$/im.test(rawHeaders)) return true
  const local = fromAddress.slice(0, fromAddress.lastIndexOf('@'))
  return fromAddress === '' || MACHINE_LOCAL.test(local)
}

/** Why a mail reads as sent by a machine on its own (RFC 3834 and what servers really send), or null. */
export function automatedReason (mail: ParsedMail, rawHeaders: string): AutomatedReason | null {
  const autoSubmitted = header(mail, 'auto-submitted')?.trim().toLowerCase()
  if (autoSubmitted !== undefined && autoSubmitted !== null && !autoSubmitted.startsWith('no')) return 'auto_submitted'
  if (header(mail, 'x-autoreply') !== null || header(mail, 'x-autorespond') !== null || header(mail, 'x-auto-response-suppress') !== null) return 'autoreply'
  if (/^auto[-_]?reply$/i.test(header(mail, 'precedence')?.trim() ?? '')) return 'autoreply'
  if (AUTO_REPLY_SUBJECT.test((mail.subject ?? '').trim())) return 'autoreply'
  if (/^(bulk|junk|list)$/i.test(header(mail, 'precedence')?.trim() ?? '')) return 'bulk'
  // mailparser folds List-* headers into one `list` object: read the raw headers instead.
  if (/^list-(id|unsubscribe):/im.test(rawHeaders)) return 'list'
  return null
}
