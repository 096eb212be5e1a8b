import { DEFAULT_MAX_BYTES, readCapped, refuseRedirect } from './fetch.js'
import { MAX_RETRY_AFTER_MS, retryAfterMs } from './retry-after.js'

/**
 * A WHATWG `fetch` with fetchRemote's limits, for a client library that makes its own calls
 * (Slack's WebClient): a redirect is refused, the answer's body is read up to `maxBytes`, and a
 * Retry-After the library would sleep on is capped at MAX_RETRY_AFTER_MS (Slack's client
 * pauses every call for it, so a huge one would stop the desk for good). Failures are
 * RemoteErrors, which the library passes on as its request errors.
 */
export function boundedFetch (what: string, maxBytes = DEFAULT_MAX_BYTES): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, { ...init, redirect: 'manual' })
    await refuseRedirect(response, what)
    const body = await readCapped(response, maxBytes, what)
    const headers = new Headers(response.headers)
    const wait = retryAfterMs(headers.get('retry-after'), new Date())
    if (wait !== undefined) headers.set('retry-after', String(Math.ceil(Math.min(wait, MAX_RETRY_AFTER_MS) / 1000)))
    // The body is decoded now: its length and encoding headers no longer describe it.
    headers.delete('content-length')
    headers.delete('content-encoding')
    const empty = body.length === 0 || [204, 205, 304].includes(response.status)
    return new Response(empty ? null : new Uint8Array(body), { status: response.status, statusText: response.statusText, headers })
  }
}
