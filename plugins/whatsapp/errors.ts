import { ChannelSendError, remoteSendError } from '../../core/channels/index.js'
import { RemoteError } from '../../core/remote/index.js'
import { CloudError } from './cloud.js'

/**
 * The Cloud API's error codes (Meta's "Error codes" reference) as the hub's: what the agent
 * reads, and whether the queue tries again. Never by message text.
 */
const CODES: Record<number, { code: string, message: string, retryable: boolean }> = {
  131047: { code: 'reengagement_required', message: 'More than 24 hours have passed since the customer last wrote: only a template can reach them now.', retryable: false },
  130429: { code: 'rate_limited', message: 'The phone number is over its throughput limit; sending again later.', retryable: true },
  131056: { code: 'rate_limited', message: 'Too many messages to this customer in a short time; sending again later.', retryable: true },
  80007: { code: 'rate_limited', message: 'The WhatsApp Business Account is over a rate limit; sending again later.', retryable: true },
  131026: { code: 'undeliverable', message: 'WhatsApp could not deliver to this number: it may not be on WhatsApp, or may need to accept the latest terms.', retryable: false },
  131049: { code: 'undeliverable', message: 'Meta held the message back to keep engagement healthy (too many marketing messages to this person).', retryable: false },
  133010: { code: 'phone_not_registered', message: "The business's phone number is not registered with the Cloud API; an admin must register it.", retryable: false },
  132000: { code: 'template_parameters', message: "The template's parameters do not match what it was approved with.", retryable: false },
  132001: { code: 'template_missing', message: 'The template does not exist in this language, or is not approved yet.', retryable: false },
  132005: { code: 'template_too_long', message: 'The template with its parameters is too long.', retryable: false },
  132007: { code: 'template_rejected', message: "The template's content breaks WhatsApp's policy.", retryable: false },
  132015: { code: 'template_paused', message: 'Meta paused this template for low quality; choose another one.', retryable: false },
  132016: { code: 'template_disabled', message: 'Meta disabled this template for low quality; choose another one.', retryable: false },
  131052: { code: 'media_download_failed', message: "WhatsApp could not download the customer's media.", retryable: false },
  131053: { code: 'media_upload_failed', message: 'WhatsApp could not fetch or upload the attachment: check its link and type.', retryable: false },
  131051: { code: 'unsupported_message', message: 'WhatsApp does not support this kind of message.', retryable: false },
  131000: { code: 'whatsapp_temporary', message: 'WhatsApp had a temporary problem.', retryable: true },
  131016: { code: 'whatsapp_temporary', message: 'WhatsApp is overloaded or down for a moment.', retryable: true },
  131048: { code: 'spam_rate_limited', message: 'Meta limited this number: too many of its messages were blocked or reported.', retryable: false },
  368: { code: 'account_restricted', message: 'Meta temporarily blocked this account for policy violations.', retryable: false },
  190: { code: 'channel_auth_failed', message: 'The access token is invalid or expired; an admin must issue a new system-user token.', retryable: false }
}

/** A failed status's error or a refused send, with Meta's code and title kept in the sentence. */
export function mapped (code: number | undefined, title: string): { code: string, message: string, retryable: boolean } {
  const known = code !== undefined ? CODES[code] : undefined
  const detail = `WhatsApp said: ${title} (code ${code ?? '-'})`
  return known !== undefined ? { ...known, message: `${known.message} ${detail}` } : { code: 'whatsapp_rejected', message: `WhatsApp refused the message. ${detail}`, retryable: false }
}

export function classify (err: unknown): ChannelSendError {
  if (err instanceof RemoteError) return remoteSendError('whatsapp', err) as ChannelSendError
  if (!(err instanceof CloudError)) return new ChannelSendError('send_failed', 'Sending to WhatsApp failed unexpectedly.', { retryable: true, cause: err })
  const m = err.code === undefined && err.status >= 500 ? { code: 'whatsapp_temporary', message: `WhatsApp had a temporary problem (HTTP ${err.status}).`, retryable: true } : mapped(err.code, err.details ?? err.message)
  return new ChannelSendError(m.code, m.message, { retryable: m.retryable || err.status === 429, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}), cause: err })
}
