import { HubError } from '../errors.js'
import { fetchRemote, jsonObject, RemoteError, type RemoteResponse } from '../remote/index.js'

/** Turns text from one language into another; `source: 'auto'` detects it. Languages are ISO 639-1 codes. */
export interface TranslationProvider {
  translate (text: string, options: { source: string, target: string }): Promise<{ text: string, source: string }>
}

const unavailable = (why: string): HubError =>
  new HubError('translation_unavailable', `The translation service ${why}; try again in a moment, or turn translation off for this conversation.`, 503)

/** A LibreTranslate-compatible server: POST /translate {q, source, target, format, api_key}. */
export class LibreTranslate implements TranslationProvider {
  constructor (private readonly settings: { url: string, apiKey?: string | undefined, timeoutMs: number }) {}

  async translate (text: string, options: { source: string, target: string }): Promise<{ text: string, source: string }> {
    let response: RemoteResponse
    try {
      response = await fetchRemote(new URL('translate', this.settings.url.replace(/\/?$/, '/')), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ q: text, source: options.source, target: options.target, format: 'text', ...(this.settings.apiKey !== undefined ? { api_key: this.settings.apiKey } : {}) }),
        timeoutMs: this.settings.timeoutMs,
        what: 'The translation service'
      })
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err
      throw unavailable(err.failure === 'timeout' ? `did not answer within ${this.settings.timeoutMs} ms` : err.failure === 'unreachable' ? 'could not be reached' : err.failure === 'redirected' ? 'answered with a redirect, which Omnihub does not follow' : 'answered with more than Omnihub reads')
    }
    const body = jsonObject(response.body) as { translatedText?: unknown, detectedLanguage?: { language?: unknown }, error?: unknown } | null
    if (!response.ok || typeof body?.translatedText !== 'string') {
      throw unavailable(`answered ${response.status}${typeof body?.error === 'string' ? ` (${body.error})` : ''}`)
    }
    const detected = body.detectedLanguage?.language
    return { text: body.translatedText, source: typeof detected === 'string' ? detected : options.source }
  }
}
