/** Files Meta's servers cannot fetch: the hub's own (`/files/…`), loopback, private ranges, .local and .internal names. */
export function isPrivateUrl (url: string): boolean {
  if (url.startsWith('/')) return true
  let host: string
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return false
  }
  return host === 'localhost' || host === '::1' || /\.(local|internal)$/.test(host) ||
    /^127\./.test(host) || /^10\./.test(host) || /^192\.168\./.test(host) || /^172\.(1[6-9]|2\d|3[01])\./.test(host) || /^f[cd][0-9a-f]{2}:/i.test(host)
}
