import { fetchRemote, jsonObject } from '../../core/remote/index.js'

/** An error body of the Cloud API: `{ error: { message, type, code, error_data: { details }, fbtrace_id } }`. */
export class CloudError extends Error {
  constructor (readonly status: number, readonly code: number | undefined, message: string, readonly details: string | undefined, readonly retryAfterMs?: number) {
    super(message)
    this.name = 'CloudError'
  }
}

export interface CloudOptions {
  baseUrl: string
  version: string
  accessToken: string
  timeoutMs: number
  /** Media a customer sends, at most (WhatsApp's own limit is 100 MB for documents). */
  maxMediaBytes: number
}

/** A template as `GET /{waba-id}/message_templates` returns it. */
export interface RemoteTemplate {
  name: string
  language: string
  status: string
  category: string
  components: Array<{ type: string, format?: string, text?: string, example?: { body_text?: string[][] } }>
}

/** The WhatsApp Business Cloud API, as a phone number of a business uses it. */
export class CloudClient {
  constructor (private readonly options: CloudOptions) {}

  private url (path: string): string {
    return `${this.options.baseUrl.replace(/\/$/, '')}/${this.options.version}/${path}`
  }

  private async call (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetchRemote(this.url(path), {
      method,
      // A system user's token, in a header so no proxy log holds it.
      headers: { authorization: `Bearer ${this.options.accessToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs: this.options.timeoutMs,
      what: 'The WhatsApp Cloud API'
    })
    const json = jsonObject(response.body) ?? {}
    if (response.ok) return json
    const error = (json.error ?? {}) as { code?: number, message?: string, error_data?: { details?: string } }
    throw new CloudError(response.status, error.code, error.message ?? `HTTP ${response.status}`, error.error_data?.details, response.retryAfterMs)
  }

  /** POST /{phone-number-id}/messages; resolves with the message's wamid. */
  async send (phoneNumberId: string, message: Record<string, unknown>): Promise<string> {
    const answer = await this.call('POST', `${phoneNumberId}/messages`, { messaging_product: 'whatsapp', recipient_type: 'individual', ...message }) as { messages?: Array<{ id?: string }> }
    const id = answer.messages?.[0]?.id
    if (id === undefined) throw new CloudError(200, undefined, 'The Cloud API answered without a message id.', undefined)
    return id
  }

  /** Marks a customer's message read (blue ticks), optionally showing the typing indicator (up to 25 s or the next message). */
  async markRead (phoneNumberId: string, messageId: string, typing: boolean): Promise<void> {
    await this.call('POST', `${phoneNumberId}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: messageId, ...(typing ? { typing_indicator: { type: 'text' } } : {}) })
  }

  /** A customer's media: its URL from GET /{media-id}, then the bytes with the same token. */
  async download (mediaId: string): Promise<{ data: Buffer, mimeType: string }> {
    const meta = await this.call('GET', mediaId) as { url?: string, mime_type?: string }
    if (meta.url === undefined) throw new CloudError(200, undefined, 'The media has no URL.', undefined)
    const response = await fetchRemote(meta.url, { method: 'GET', headers: { authorization: `Bearer ${this.options.accessToken}` }, timeoutMs: this.options.timeoutMs, maxBytes: this.options.maxMediaBytes, what: 'WhatsApp media' })
    if (!response.ok) throw new CloudError(response.status, undefined, `media download answered HTTP ${response.status}`, undefined)
    return { data: response.body, mimeType: meta.mime_type ?? response.headers.get('content-type') ?? 'application/octet-stream' }
  }

  /** Uploads a file Meta cannot fetch by link (on a private network); resolves with its media id. */
  async upload (phoneNumberId: string, file: Blob, name: string): Promise<string> {
    const form = new FormData()
    form.set('messaging_product', 'whatsapp')
    form.set('type', file.type)
    form.set('file', file, name)
    const response = await fetchRemote(this.url(`${phoneNumberId}/media`), { method: 'POST', headers: { authorization: `Bearer ${this.options.accessToken}` }, body: form, timeoutMs: this.options.timeoutMs, what: 'The WhatsApp Cloud API' })
    const json = (jsonObject(response.body) ?? {}) as { id?: string, error?: { code?: number, message?: string } }
    if (!response.ok || json.id === undefined) throw new CloudError(response.status, json.error?.code, json.error?.message ?? `HTTP ${response.status}`, undefined)
    return json.id
  }

  /** Every template of the WhatsApp Business Account, following the pages. */
  async templates (wabaId: string): Promise<RemoteTemplate[]> {
    const all: RemoteTemplate[] = []
    let after: string | undefined
    for (let page = 0; page < 50; page++) {
      const answer = await this.call('GET', `${wabaId}/message_templates?fields=name,language,status,category,components&limit=100${after !== undefined ? `&after=${encodeURIComponent(after)}` : ''}`) as { data?: RemoteTemplate[], paging?: { cursors?: { after?: string }, next?: string } }
      all.push(...(answer.data ?? []))
      after = answer.paging?.next !== undefined ? answer.paging.cursors?.after : undefined
      if (after === undefined) break
    }
    return all
  }
}
