import { RemoteError } from '../remote/index.js'
import { ChannelSendError } from './contract.js'

/**
 * A remote call that got no usable answer, as a send error: `<prefix>_timeout`,
 * `_unreachable`, `_redirected` or `_too_large`, retryable as the call said. Anything else
 * is passed on as it is.
 */
export function remoteSendError (prefix: string, err: unknown): unknown {
  if (!(err instanceof RemoteError)) return err
  return new ChannelSendError(`${prefix}_${err.failure}`, err.message, { retryable: err.retryable, cause: err })
}
