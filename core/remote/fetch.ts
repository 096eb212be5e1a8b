import { retryAfterMs, retryableStatus } from './retry-after.js'

/** Bodies read from a remote stop here unless the caller says otherwise: an answer to a send is small. */
export const DEFAULT_MAX_BYTES = 1024 * 1024

export type RemoteFailure = 'timeout' | 'unreachable' | 'redirected' | 'too_large'

/** A call that got no usable answer; `retryable` says whether the same call may work later. */
export class RemoteError extends Error {
  constructor (readonly failure: RemoteFailure, message: string, readonly retryable: boolean, options: { cause?: unknown } = {}) {
    super(message, options)
    this.name = 'RemoteError'
  }
}

export interface RemoteInit extends Omit<RequestInit, 'redirect' | 'signal'> {
  timeoutMs: number
  /** The most of the answer's body that is read; more is a `too_large` failure. */
  maxBytes?: number
  /** Names the remote in sentences: "The callback", "Messenger". */
  what: string
}

export interface RemoteResponse {
  status: number
  ok: boolean
  headers: Headers
  body: Buffer
  /** 408, 425, 429 and 5xx: the same call may succeed later. */
  retryable: boolean
  /** The remote's Retry-After, read in both forms and capped. */
  retryAfterMs: number | undefined
}

/**
 * The one way the hub calls another system over HTTP (callbacks, Graph, marketplaces,
 * translation, attachments): never follows a redirect (a 3xx is a final `redirected`
 * failure, so a signed body is never re-posted elsewhere nor a reply marked sent because a
 * GET somewhere answered 200), reads at most `maxBytes` of the answer, bounds the whole call,
 * headers and body alike, by `timeoutMs`, and classifies what it got.
 */
export async function fetchRemote (url: string | URL, init: RemoteInit): Promise<RemoteResponse> {
  const { timeoutMs, maxBytes = DEFAULT_MAX_BYTES, what, ...request } = init
  const signal = AbortSignal.timeout(timeoutMs)
  let response: Response
  try {
    response = await fetch(url, { ...request, redirect: 'manual', signal })
  } catch (err) {
    throw failed(err, what, timeoutMs)
  }
  let body: Buffer
  try {
    await refuseRedirect(response, what)
    body = await readCapped(response, maxBytes, what)
  } catch (err) {
    if (err instanceof RemoteError) throw err
    throw failed(err, what, timeoutMs)
  }
  return {
    status: response.status,
    ok: response.ok,
    headers: response.headers,
    body,
    retryable: retryableStatus(response.status),
    retryAfterMs: retryAfterMs(response.headers.get('retry-after'), new Date())
  }
}

/** A 3xx is a final `redirected` failure: the hub never follows one. */
export async function refuseRedirect (response: Response, what: string): Promise<void> {
  if (response.status < 300 || response.status >= 400) return
  await response.body?.cancel().catch(() => {})
  throw new RemoteError('redirected', `${what} answered ${response.status}, a redirect; Omnihub never follows redirects, so configure the address it redirects to.`, false)
}

/** The answer's body, read up to `maxBytes`; a longer one is a `too_large` failure, cut off there. */
export async function readCapped (response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).byteLength
    if (size > maxBytes) {
      await response.body?.cancel().catch(() => {})
      throw new RemoteError('too_large', `${what}'s answer is larger than the ${Math.round(maxBytes / 1024)} KiB Omnihub reads.`, false)
    }
    chunks.push(Buffer.from(chunk as Uint8Array))
  }
  return Buffer.concat(chunks)
}

function failed (err: unknown, what: string, timeoutMs: number): RemoteError {
  const timeout = (err as Error).name === 'TimeoutError'
  return timeout
    ? new RemoteError('timeout', `${what} did not answer within ${timeoutMs} ms.`, true, { cause: err })
    : new RemoteError('unreachable', `${what} could not be reached.`, true, { cause: err })
}

/** The answer's body as JSON, or null when it is not a JSON object. */
export function jsonObject (body: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'))
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : null
  } catch {
    return null
  }
}
