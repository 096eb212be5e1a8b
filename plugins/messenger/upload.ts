import { ChannelSendError } from '../../core/channels/index.js'

/** Hosts Meta's servers cannot reach: loopback, private ranges, .local and .internal names. */
export function isPrivateUrl (url: string): boolean {
  let host: string
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return false
  }
  return host === 'localhost' || host === '::1' || /\.(local|internal)$/.test(host) ||
    /^127\./.test(host) || /^10\./.test(host) || /^192\.168\./.test(host) || /^172\.(1[6-9]|2\d|3[01])\./.test(host) || /^f[cd][0-9a-f]{2}:/i.test(host)
}

/** Reads a file the hub can reach, to upload it to Meta. */
export async function download (url: string, timeoutMs: number): Promise<{ file: Blob, name: string }> {
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    throw new ChannelSendError('attachment_unreachable', 'The attachment could not be read to upload it to Messenger.', { retryable: true, cause: err })
  }
  if (!response.ok) throw new ChannelSendError('attachment_unreachable', `Reading the attachment answered ${response.status}.`, { retryable: response.status >= 500 })
  return { file: await response.blob(), name: decodeURIComponent(new URL(url).pathname.split('/').pop() || 'attachment') }
}
