import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Sentences the fake knows in both languages; anything else comes back marked with the target language. */
const PHRASEBOOK: Array<{ en: string, zh: string }> = [
  { en: 'Where is my parcel?', zh: '我的包裹在哪里？' },
  { en: 'Your parcel arrives tomorrow.', zh: '您的包裹明天到。' },
  { en: 'Can I return it?', zh: '可以退货吗？' },
  { en: 'Yes, within 7 days.', zh: '可以，7天内。' }
]

/**
 * A local stand-in for a LibreTranslate server as its API documents it: POST /translate with
 * JSON {q, source ('auto' detects), target, format, api_key} → {translatedText, detectedLanguage:
 * {language, confidence}}; errors as {error} with 400 (bad request) or 403 (bad key).
 */
export class FakeLibreTranslate {
  readonly calls: Array<{ q: string, source: string, target: string }> = []
  /** Answers the next calls with these statuses (500: the server is down). */
  failures: number[] = []
  url = ''
  private server: Server | undefined

  constructor (readonly apiKey = 'lt-key') {}

  async listen (): Promise<string> {
    this.server = createServer((request, response) => {
      let raw = ''
      request.on('data', chunk => { raw += chunk })
      request.on('end', () => {
        const [status, body] = this.answer(request.url ?? '', raw)
        response.writeHead(status, { 'content-type': 'application/json' })
        response.end(JSON.stringify(body))
      })
    })
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this.url
  }

  async close (): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise(resolve => this.server?.close(resolve))
  }

  private answer (path: string, raw: string): [number, unknown] {
    if (path !== '/translate') return [404, { error: 'Not Found' }]
    const failure = this.failures.shift()
    if (failure !== undefined) return [failure, { error: 'Internal error' }]
    const { q, source, target, api_key: key } = JSON.parse(raw) as { q?: string, source?: string, target?: string, api_key?: string }
    if (key !== this.apiKey) return [403, { error: 'Invalid API key' }]
    if (typeof q !== 'string' || typeof source !== 'string' || typeof target !== 'string') return [400, { error: 'Invalid request: missing q, source or target parameter' }]
    this.calls.push({ q, source, target })
    const from = source === 'auto' ? (/\p{Script=Han}/u.test(q) ? 'zh' : 'en') : source
    const known = PHRASEBOOK.find(p => p[from as 'en' | 'zh'] === q)
    const translatedText = from === target ? q : known?.[target as 'en' | 'zh'] ?? `[${target}] ${q}`
    return [200, { translatedText, ...(source === 'auto' ? { detectedLanguage: { confidence: 90, language: from } } : {}) }]
  }
}
