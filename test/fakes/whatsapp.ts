import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sign } from '../../core/channels/signature.js'

export interface CloudCall { method: string, path: string, token: string | null, body: Record<string, any>, raw: string }
export interface CloudTemplate { name: string, language: string, status: string, category: string, components: Array<Record<string, unknown>> }

/**
 * A local stand-in for the WhatsApp Business Cloud API as Meta documents it:
 * - `POST /{v}/{phone-number-id}/messages` → `{messaging_product, contacts: [{input, wa_id}], messages: [{id: "wamid…"}]}`,
 *   or `{success: true}` for a read mark (`status: "read"`, optional `typing_indicator`);
 * - `GET /{v}/{media-id}` → `{url, mime_type, sha256, file_size, id}`, and the URL serves the bytes to the same bearer token;
 * - `POST /{v}/{phone-number-id}/media` (multipart) → `{id}`;
 * - `GET /{v}/{waba-id}/message_templates?fields=…&limit=…&after=…` → `{data, paging: {cursors: {before, after}, next?}}`;
 * - errors as `{error: {message, type, code, error_data: {messaging_product, details}, fbtrace_id}}`, 401 for a bad token (code 190);
 * - signed webhook deliveries (`X-Hub-Signature-256`).
 * Sends are checked as the API checks them: a template must exist, be APPROVED and get as many body parameters as it has.
 */
export class FakeCloud {
  readonly calls: CloudCall[] = []
  readonly validTokens = new Set<string>()
  readonly media = new Map<string, { data: Buffer, mimeType: string }>()
  templates: CloudTemplate[] = []
  /** Templates per page of `message_templates`, to exercise paging. */
  pageSize = 2
  /** Errors for the next sends, in order. */
  errors: Array<{ status: number, code: number, message: string, details?: string }> = []
  url = ''
  private server: Server | undefined
  private nextId = 0

  get sends (): CloudCall[] {
    return this.calls.filter(c => c.method === 'POST' && c.path.endsWith('/messages') && c.body.status !== 'read')
  }

  get reads (): CloudCall[] {
    return this.calls.filter(c => c.method === 'POST' && c.path.endsWith('/messages') && c.body.status === 'read')
  }

  static async start (t: { teardown: (fn: () => Promise<void>) => void }, tokens: string[]): Promise<FakeCloud> {
    const fake = new FakeCloud()
    for (const token of tokens) fake.validTokens.add(token)
    fake.server = createServer((request, response) => { void fake.answer(request).then(([status, body, type]) => {
      response.writeHead(status, { 'content-type': type })
      response.end(Buffer.isBuffer(body) ? body : JSON.stringify(body))
    }) })
    await new Promise<void>(resolve => fake.server!.listen(0, '127.0.0.1', resolve))
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`
    t.teardown(async () => {
      fake.server?.closeAllConnections()
      await new Promise<void>(resolve => fake.server?.close(() => resolve()))
    })
    return fake
  }

  private async answer (request: IncomingMessage): Promise<[number, unknown, string]> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString()
    const url = new URL(request.url ?? '/', 'http://fake')
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? null
    const json = (request.headers['content-type'] ?? '').startsWith('application/json') && raw !== ''
    const call: CloudCall = { method: request.method ?? 'GET', path: url.pathname, token, body: json ? JSON.parse(raw) as Record<string, any> : {}, raw }
    this.calls.push(call)
    const error = (status: number, code: number, message: string, details?: string): [number, unknown, string] =>
      [status, { error: { message, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details: details ?? message }, fbtrace_id: 'FAKE' } }, 'application/json']
    if (token === null || !this.validTokens.has(token)) return error(401, 190, 'Error validating access token: Session has expired.')
    const [, , id, edge] = url.pathname.split('/')
    if (url.pathname.startsWith('/download/')) {
      const item = this.media.get(url.pathname.slice('/download/'.length))
      return item === undefined ? error(404, 131052, 'Media download error') : [200, item.data, item.mimeType]
    }
    if (call.method === 'GET' && edge === 'message_templates') {
      const after = Number(url.searchParams.get('after') ?? 0)
      const page = this.templates.slice(after, after + this.pageSize)
      const next = after + this.pageSize < this.templates.length ? String(after + this.pageSize) : undefined
      return [200, { data: page, paging: { cursors: { before: String(after), after: next ?? String(after) }, ...(next !== undefined ? { next: `${this.url}${url.pathname}?after=${next}` } : {}) } }, 'application/json']
    }
    if (call.method === 'GET' && edge === undefined) {
      const item = this.media.get(id ?? '')
      if (item === undefined) return error(400, 100, 'Unsupported get request.')
      return [200, { messaging_product: 'whatsapp', url: `${this.url}/download/${id}`, mime_type: item.mimeType, sha256: 'x', file_size: item.data.length, id }, 'application/json']
    }
    if (call.method === 'POST' && edge === 'media') {
      if (!raw.includes('name="messaging_product"') || !raw.includes('name="file"')) return error(400, 100, '(#100) Param file is required')
      return [200, { id: `media_${++this.nextId}` }, 'application/json']
    }
    if (call.method !== 'POST' || edge !== 'messages') return error(400, 100, 'Unknown path components')
    if (call.body.messaging_product !== 'whatsapp') return error(400, 100, '(#100) The parameter messaging_product is required.')
    if (call.body.status === 'read') return call.body.message_id === undefined ? error(400, 100, '(#100) message_id is required') : [200, { success: true }, 'application/json']
    const scripted = this.errors.shift()
    if (scripted !== undefined) return error(scripted.status, scripted.code, scripted.message, scripted.details)
    if (call.body.type === 'template') {
      const t = this.templates.find(x => x.name === call.body.template?.name && x.language === call.body.template?.language?.code)
      if (t === undefined || t.status !== 'APPROVED') return error(404, 132001, 'Template name does not exist in the translation')
      const bodyText = String((t.components.find(c => c.type === 'BODY') as { text?: string } | undefined)?.text ?? '')
      const wanted = new Set([...bodyText.matchAll(/\{\{(\d+)\}\}/g)].map(m => m[1])).size
      const given = (call.body.template.components?.find((c: { type: string }) => c.type === 'body')?.parameters ?? []).length
      if (wanted !== given) return error(400, 132000, 'Number of parameters does not match the expected number of params')
    }
    return [200, { messaging_product: 'whatsapp', contacts: [{ input: call.body.to, wa_id: call.body.to }], messages: [{ id: `wamid.fake${++this.nextId}` }] }, 'application/json']
  }

  /** Delivers a webhook to a hub channel the way Meta does: JSON signed with X-Hub-Signature-256. */
  static async deliver (webhookUrl: string, appSecret: string, payload: unknown): Promise<Response> {
    const raw = JSON.stringify(payload)
    return await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(appSecret, raw) }, body: raw })
  }
}
