import nodemailer, { type Transporter } from 'nodemailer'
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js'
import { ChannelSendError } from '../../core/channels/index.js'
import type { EmailConfig } from './settings.js'

/** One outgoing mail, composed by the channel; nodemailer encodes it. */
export interface OutgoingMail {
  to: string
  /** The envelope sender: where the recipient's server returns a bounce. */
  returnPath: string
  replyTo: string
  subject: string
  text: string
  html: string
  messageId: string
  inReplyTo: string | null
  references: string[]
  attachments: Array<{ filename: string, content: Buffer, contentType: string }>
  /** Bots and auto-replies: `Auto-Submitted: auto-replied` so other machines don't answer them. */
  automated: boolean
}

/** Pooled SMTP: a few connections kept open, each reused for many messages. */
export class Outbox {
  private readonly transport: Transporter<SMTPPool.SentMessageInfo>
  private readonly from: { name: string, address: string }

  constructor (config: EmailConfig) {
    const { smtp } = config
    const auth = smtp.user === undefined
      ? undefined
      : smtp.accessToken !== undefined ? { type: 'OAuth2' as const, user: smtp.user, accessToken: smtp.accessToken } : { user: smtp.user, pass: smtp.password! }
    this.transport = nodemailer.createTransport({
      pool: true,
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      maxConnections: smtp.maxConnections,
      connectionTimeout: smtp.timeoutMs,
      greetingTimeout: smtp.timeoutMs,
      socketTimeout: smtp.timeoutMs,
      tls: { rejectUnauthorized: smtp.rejectUnauthorized },
      ...(auth !== undefined ? { auth } : {}),
      ...(smtp.dkim !== undefined ? { dkim: smtp.dkim } : {})
    } as SMTPPool.Options)
    this.from = { name: config.fromName, address: config.address }
  }

  async send (mail: OutgoingMail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: mail.to,
        envelope: { from: mail.returnPath, to: mail.to },
        replyTo: mail.replyTo,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        ...(mail.inReplyTo !== null ? { inReplyTo: mail.inReplyTo } : {}),
        ...(mail.references.length > 0 ? { references: mail.references } : {}),
        attachments: mail.attachments,
        headers: mail.automated ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {}
      })
    } catch (err) {
      throw smtpError(err)
    }
  }

  close (): void {
    this.transport.close()
  }
}

/**
 * SMTP replies say whether to try again: 4xx is temporary (greylisting, a full queue), 5xx is
 * final and its text is what the agent needs to read. Connection trouble is temporary.
 */
export function smtpError (err: unknown): ChannelSendError {
  const e = err as { responseCode?: number, response?: string, code?: string, message?: string }
  if (typeof e.responseCode === 'number') {
    const reply = (e.response ?? e.message ?? '').replace(/\s+/g, ' ').trim().slice(0, 500)
    if (e.responseCode >= 500) return new ChannelSendError('smtp_rejected', `The mail server refused the message: ${reply}`, { retryable: false, cause: err })
    return new ChannelSendError('smtp_temporary', `The mail server deferred the message: ${reply}`, { retryable: true, cause: err })
  }
  if (e.code === 'EAUTH') return new ChannelSendError('smtp_auth_failed', 'The mail server refused the SMTP credentials; an admin must fix them in config.', { retryable: true, cause: err })
  if (e.code === 'EENVELOPE') return new ChannelSendError('invalid_recipient', `The recipient address was refused: ${e.message ?? ''}`.trim(), { retryable: false, cause: err })
  return new ChannelSendError('smtp_unreachable', 'The mail server could not be reached; the message will be retried.', { retryable: true, cause: err })
}
