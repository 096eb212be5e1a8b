import type { Attachment } from './types.js'

const TOKEN_KEY = 'omnihub.inbox.token'

/** A refusal from the hub: its stable code, its sentence, and the rest of its body (e.g. banned words). */
export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string, readonly body: Record<string, unknown>) {
    super(message)
  }
}

/** The agent's token lives for the browser tab's session only. */
export const session = {
  get token (): string | null { return sessionStorage.getItem(TOKEN_KEY) },
  set (token: string): void { sessionStorage.setItem(TOKEN_KEY, token) },
  clear (): void { sessionStorage.removeItem(TOKEN_KEY) },
  /** Called when the hub no longer accepts the token. */
  onExpired: (): void => {}
}

async function failure (response: Response): Promise<ApiError> {
  const body = await response.json().catch(() => ({})) as Record<string, unknown>
  return new ApiError(response.status, String(body.code ?? 'http_error'), String(body.message ?? response.statusText), body)
}

export async function api<T> (method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {}
  if (session.token !== null) headers.authorization = `Bearer ${session.token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`/api/v1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
  if (response.status === 401 && session.token !== null) {
    session.clear()
    session.onExpired()
  }
  if (!response.ok) throw await failure(response)
  return (response.status === 204 ? undefined : await response.json()) as T
}

export const get = async <T>(path: string): Promise<T> => await api<T>('GET', path)

/** Query string from the set values only. */
export function query (params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v))
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

export async function upload (file: File): Promise<Attachment> {
  const response = await fetch('/api/v1/files', {
    method: 'POST',
    headers: { authorization: `Bearer ${session.token ?? ''}`, 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name), 'x-file-type': file.type },
    body: file
  })
  if (!response.ok) throw await failure(response)
  return (await response.json() as { attachment: Attachment }).attachment
}
