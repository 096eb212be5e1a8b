import { ChannelSendError, remoteSendError } from '../../core/channels/index.js'
import { fetchRemote, jsonObject, RemoteError } from '../../core/remote/index.js'

/** An error body from the Graph API: `{ error: { message, type, code, error_subcode, fbtrace_id } }`. */
export class GraphError extends Error {
  constructor (readonly status: number, readonly code: number | undefined, readonly subcode: number | undefined, message: string, readonly retryAfterMs?: number) {
    super(message)
    this.name = 'GraphError'
  }
}

export interface GraphOptions {
  baseUrl: string
  version: string
  pageAccessToken: string
  timeoutMs: number
}

/** The parts of the Graph API a Page or Instagram channel uses: the Send API, the profile lookup, the handover protocol. */
export class GraphClient {
  constructor (private readonly options: GraphOptions) {}

  private url (path: string): string {
    return `${this.options.baseUrl.replace(/\/$/, '')}/${this.options.version}/${path}`
  }

  private async call (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetchRemote(this.url(path), {
      method,
      // The token goes in a header, not the URL, so no proxy log ever holds it.
      headers: { authorization: `Bearer ${this.options.pageAccessToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs: this.options.timeoutMs,
      what: 'The Graph API'
    })
    const json = jsonObject(response.body) ?? {}
    if (response.ok) return json
    const error = (json.error ?? {}) as { code?: number, error_subcode?: number, message?: string }
    throw new GraphError(response.status, error.code, error.error_subcode, error.message ?? `HTTP ${response.status}`, response.retryAfterMs)
  }

  /** POST /{pageId}/messages; resolves with the message id. */
  async sendMessage (pageId: string, body: Record<string, unknown>): Promise<string> {
    const answer = await this.call('POST', `${pageId}/messages`, body)
    return String(answer.message_id)
  }

  /**
   * Attachment Upload API: for a file Meta cannot fetch itself (on a private network), the hub
   * reads it and uploads the bytes; the returned id is sent instead of a URL.
   */
  async upload (pageId: string, type: string, file: Blob, name: string): Promise<string> {
    const form = new FormData()
    form.set('message', JSON.stringify({ attachment: { type, payload: { is_reusable: true } } }))
    form.set('filedata', file, name)
    const response = await fetchRemote(this.url(`${pageId}/message_attachments`), {
      method: 'POST', headers: { authorization: `Bearer ${this.options.pageAccessToken}` }, body: form, timeoutMs: this.options.timeoutMs, what: 'The Graph API'
    })
    const json = (jsonObject(response.body) ?? {}) as { attachment_id?: string, error?: { code?: number, error_subcode?: number, message?: string } }
    if (!response.ok || json.attachment_id === undefined) throw new GraphError(response.status, json.error?.code, json.error?.error_subcode, json.error?.message ?? `HTTP ${response.status}`)
    return json.attachment_id
  }

  /** A typing indicator or seen mark, as its own Send API call. */
  async senderAction (accountId: string, recipient: Record<string, string>, action: 'typing_on' | 'typing_off' | 'mark_seen'): Promise<void> {
    await this.call('POST', `${accountId}/messages`, { recipient, sender_action: action })
  }

  /** The customer's profile fields (User Profile API; Instagram's has other fields than Messenger's). */
  async profile (personId: string, fields: string): Promise<Record<string, unknown>> {
    return await this.call('GET', `${personId}?fields=${fields}`)
  }

  /** Handover protocol: this app takes the person's thread (from the Page inbox or another app). */
  async takeThread (accountId: string, personId: string, metadata: string): Promise<void> {
    await this.call('POST', `${accountId}/take_thread_control`, { recipient: { id: personId }, metadata })
  }

  /** Handover protocol: this app passes the person's thread to another app (the Page inbox, 263902037430900). */
  async passThread (accountId: string, personId: string, targetAppId: string, metadata: string): Promise<void> {
    await this.call('POST', `${accountId}/pass_thread_control`, { recipient: { id: personId }, target_app_id: targetAppId, metadata })
  }
}

/** Meta's errors, by code and subcode (never by message text), as the core's send errors. */
export function classify (err: unknown): ChannelSendError {
  if (err instanceof RemoteError) return remoteSendError('graph', err) as ChannelSendError
  if (!(err instanceof GraphError)) return new ChannelSendError('send_failed', 'Sending to Messenger failed unexpectedly.', { retryable: true, cause: err })
  const { status, code, subcode } = err
  const detail = `Messenger said: ${err.message} (code ${code ?? '-'}${subcode !== undefined ? `/${subcode}` : ''})`
  const final = (c: string, message: string): ChannelSendError => new ChannelSendError(c, `${message} ${detail}`, { retryable: false, cause: err })
  const retry = (c: string, message: string): ChannelSendError =>
    new ChannelSendError(c, `${message} ${detail}`, { retryable: true, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}), cause: err })
  if (code === 190) return final('channel_auth_failed', "The Page access token is invalid or expired; an admin must issue a new one.")
  if (code === 10 && subcode === 2018278) return final('window_closed', "The customer's messaging window is closed.")
  if (code === 551 || (code === 200 && subcode === 1545041)) return final('recipient_unavailable', 'This person is not receiving messages from the Page right now.')
  if (code === 100 && subcode === 2018109) return final('attachment_too_large', 'The attachment is larger than Messenger accepts.')
  if (code === 4 || code === 613 || code === 32 || status === 429) return retry('rate_limited', 'The Page is over a Messenger rate limit; sending again later.')
  if (code === 1200 || code === 2 || status >= 500) return retry('graph_temporary', 'Messenger had a temporary problem.')
  return final('graph_rejected', 'Messenger refused the message.')
}
