import type { FileLinks, FileStore } from '../files/index.js'
import { ChannelSendError, type ChannelFiles } from './contract.js'

const MAX_BYTES = 25 * 1024 * 1024

/**
 * What a plugin sees of the file store: the hub's own files read from it, any other URL fetched
 * (bounded in time and size). Failures are ChannelSendErrors, so a send can fail or retry on them.
 */
export function channelFiles (files: FileStore, links: FileLinks, clock: () => Date, timeoutMs = 15_000): ChannelFiles {
  return {
    link: url => links.sign(url, clock()),
    signDeep: value => links.signDeep(value, clock()),
    put: async (data, meta) => await files.put(data, meta),
    async read (url) {
      const own = await files.read(url)
      if (own !== null) return own
      if (!/^https?:\/\//i.test(url)) throw new ChannelSendError('attachment_missing', 'The attachment is no longer in the hub\'s file store.', { retryable: false })
      let response: Response
      try {
        response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
      } catch (err) {
        throw new ChannelSendError('attachment_unreachable', 'The attachment\'s URL could not be read.', { retryable: true, cause: err })
      }
      if (!response.ok) throw new ChannelSendError('attachment_unreachable', `Reading the attachment's URL answered ${response.status}.`, { retryable: response.status >= 500 })
      const data = Buffer.from(await response.arrayBuffer())
      if (data.length > MAX_BYTES) throw new ChannelSendError('attachment_too_large', `The attachment is larger than ${MAX_BYTES / 1024 / 1024} MB.`, { retryable: false })
      const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || 'attachment'
      return { meta: { name, mimeType: response.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream', size: data.length }, data }
    }
  }
}
