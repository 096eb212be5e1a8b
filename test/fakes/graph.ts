import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sign } from '../../core/channels/signature.js'

export interface GraphCall { method: string, path: string, token: string | null, body: Record<string, any> }
export interface ScriptedError { status: number, code?: number, subcode?: number, message?: string, retryAfter?: number }

/**
 * A local stand-in for Meta's Graph API as its public docs describe it: the Send API
 * (`POST /{version}/{page-id or ig-id}/messages` → `{recipient_id, message_id}`), sender actions,
 * the User Profile API (`GET /{version}/{psid}?fields=first_name,last_name,profile_pic`, and
 * Instagram's `name,username,profile_pic` for IG-scoped ids), the handover protocol
 * (`take_thread_control`, `pass_thread_control` → `{success: true}`), error bodies
 * `{error: {message, type, code, error_subcode, fbtrace_id}}`, and signed webhook deliveries.
 * Instagram accounts (`instagramAccounts`) refuse what the Messenger API for Instagram does not
 * take: text over 1,000 characters and file attachments.
 */
export class FakeGraph {
  readonly calls: GraphCall[] = []
  /** Raw multipart bodies of attachment uploads. */
  readonly uploads: string[] = []
  /** Answers for the next Send API calls, in order; then success. */
  errors: ScriptedError[] = []
  /** Tokens the fake accepts; any other gets error 190. */
  readonly validTokens = new Set<string>()
  /** Profile fields by person id: Messenger's (first_name, last_name, profile_pic, locale, timezone) or Instagram's (name, username, profile_pic). */
  readonly profiles = new Map<string, Record<string, string | number>>()
  readonly instagramAccounts = new Set<string>()
  profileStatus = 200
  url = ''
  private server: Server | undefined
  private nextId = 0

  get sends (): GraphCall[] {
    return this.calls.filter(c => c.method === 'POST' && c.path.endsWith('/messages') && c.body.sender_action === undefined)
  }

  get profileCalls (): GraphCall[] {
    return this.calls.filter(c => c.method === 'GET')
  }

  async listen (): Promise<string> {
    this.server = createServer((request, response) => { void this.answer(request).then(([status, body, headers]) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers })
      response.end(JSON.stringify(body))
    }) })
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this.url
  }

  private async answer (request: IncomingMessage): Promise<[number, unknown, Record<string, string>]> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString()
    const url = new URL(request.url ?? '/', 'http://fake')
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? url.searchParams.get('access_token')
    const json = (request.headers['content-type'] ?? '').startsWith('application/json') && raw !== ''
    const call: GraphCall = { method: request.method ?? 'GET', path: url.pathname, token, body: json ? JSON.parse(raw) as Record<string, any> : {} }
    this.calls.push(call)
    const error = (status: number, code: number, message: string, subcode?: number, headers: Record<string, string> = {}): [number, unknown, Record<string, string>] =>
      [status, { error: { message, type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: 'FAKE' } }, headers]
    if (token === null || !this.validTokens.has(token)) return error(400, 190, 'Error validating access token: Session has expired.', 463)
    const [, , id, edge] = url.pathname.split('/')
    if (call.method === 'GET') {
      const profile = this.profiles.get(id ?? '')
      if (this.profileStatus !== 200 || profile === undefined) return error(this.profileStatus === 200 ? 400 : this.profileStatus, 100, 'Unsupported get request.')
      // The User Profile API answers the fields asked for (`?fields=`), no others.
      const asked = url.searchParams.get('fields')?.split(',') ?? Object.keys(profile)
      return [200, { ...Object.fromEntries(Object.entries(profile).filter(([k]) => asked.includes(k))), id }, {}]
    }
    if (edge === 'message_attachments') {
      // Attachment Upload API: multipart with `message` (JSON) and `filedata` (the bytes).
      if (!(request.headers['content-type'] ?? '').startsWith('multipart/form-data') || !raw.includes('name="filedata"')) return error(400, 100, '(#100) Upload attachment failure.')
      this.uploads.push(raw)
      return [200, { attachment_id: `att_${this.uploads.length}` }, {}]
    }
    if (edge === 'take_thread_control' || edge === 'pass_thread_control') {
      if (call.body.recipient?.id === undefined || (edge === 'pass_thread_control' && call.body.target_app_id === undefined)) return error(400, 100, '(#100) The parameter recipient is required')
      return [200, { success: true }, {}]
    }
    if (edge !== 'messages') return error(400, 100, 'Unknown path components')
    if (this.instagramAccounts.has(id ?? '') && call.body.sender_action === undefined) {
      if ([...(call.body.message?.text ?? '')].length > 1000) return error(400, 100, '(#100) Length of param message[text] must be less than or equal to 1000')
      if (call.body.message?.attachment?.type === 'file') return error(400, 100, '(#100) Unsupported attachment type')
    }
    const scripted = this.errors.shift()
    if (scripted !== undefined) {
      return error(scripted.status, scripted.code ?? 0, scripted.message ?? 'scripted error', scripted.subcode, scripted.retryAfter !== undefined ? { 'retry-after': String(scripted.retryAfter) } : {})
    }
    if (call.body.sender_action !== undefined) return [200, { recipient_id: call.body.recipient?.id }, {}]
    // Quick replies, as the Send API documents them: at most 13, titles of at most 20 characters, payloads of at most 1000.
    const quick = call.body.message?.quick_replies as Array<{ content_type?: string, title?: string, payload?: string }> | undefined
    if (quick !== undefined) {
      if (quick.length > 13) return error(400, 100, '(#100) param message[quick_replies] must have at most 13 elements')
      const bad = quick.findIndex(q => q.content_type === 'text' && ([...(q.title ?? '')].length === 0 || [...(q.title ?? '')].length > 20 || (q.payload ?? '').length > 1000))
      if (bad >= 0) return error(400, 100, `(#100) param message[quick_replies][${bad}] has an invalid title or payload`)
    }
    return [200, { recipient_id: call.body.recipient?.id, message_id: `m_${++this.nextId}` }, {}]
  }

  /** A fake listening for one test file, accepting these tokens, closed when the file ends. */
  static async start (t: { teardown: (fn: () => Promise<void>) => void }, tokens: string[]): Promise<FakeGraph> {
    const graph = new FakeGraph()
    await graph.listen()
    for (const token of tokens) graph.validTokens.add(token)
    t.teardown(async () => { await graph.close() })
    return graph
  }

  /** Delivers a webhook to a hub channel the way Meta does: JSON signed with X-Hub-Signature-256. */
  static async deliver (webhookUrl: string, appSecret: string, payload: unknown, signature?: string): Promise<Response> {
    const raw = JSON.stringify(payload)
    return await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? sign(appSecret, raw) }, body: raw })
  }

  async close (): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>(resolve => this.server?.close(() => resolve()) ?? resolve())
  }
}
