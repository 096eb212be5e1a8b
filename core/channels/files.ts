import type { FileLinks, FileStore } from '../files/index.js'
import { fetchRemote, RemoteError, type RemoteResponse } from '../remote/index.js'
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
      let response: RemoteResponse
      try {
        response = await fetchRemote(url, { timeoutMs, maxBytes: MAX_BYTES, what: "The attachment's URL" })
      } catch (err) {
        if (!(err instanceof RemoteError)) throw err
        if (err.failure === 'too_large') throw new ChannelSendError('attachment_too_large', `The attachment is larger than ${MAX_BYTES / 1024 / 1024} MB.`, { retryable: false })
        throw new ChannelSendError('attachment_unreachable', err.message, { retryable: err.retryable, cause: err })
      }
      if (!response.ok) throw new ChannelSendError('attachment_unreachable', `Reading the attachment's URL answered ${response.status}.`, { retryable: response.retryable })
      const data = response.body
      const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || 'attachment'
      return { meta: { name, mimeType: response.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream', size: data.length }, data }
    }
  }
}
