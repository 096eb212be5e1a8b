import type { HubConfig } from './index.js'

/** Where people reach the hub: http.publicUrl, else the address it listens on (all interfaces are reached at 127.0.0.1). */
export function publicBaseUrl (http: HubConfig['http'], listening?: string): string {
  if (http.publicUrl !== undefined) return http.publicUrl.replace(/\/$/, '')
  if (listening !== undefined) return listening
  const host = ['0.0.0.0', '::'].includes(http.host) ? '127.0.0.1' : http.host
  return `http://${host}:${http.port}`
}
