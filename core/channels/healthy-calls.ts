import type { ChannelHealth, ChannelSendError } from './contract.js'

/**
 * Calls to a channel's remote that keep the channel's health: a success marks it healthy; a
 * failure is classified into a ChannelSendError, and one only an admin can mend (a revoked
 * token) marks the channel unhealthy in `/readyz` and for agents until a call succeeds again.
 */
export function healthyCalls (reportHealth: (health: ChannelHealth) => void, classify: (err: unknown) => ChannelSendError, adminCodes: readonly string[]) {
  return async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work()
      reportHealth({ ok: true })
      return result
    } catch (err) {
      const error = classify(err)
      if (adminCodes.includes(error.code)) reportHealth({ ok: false, code: error.code, message: error.message })
      throw error
    }
  }
}
