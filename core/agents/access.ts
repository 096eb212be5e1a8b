import type { HubServices } from '../services.js'

/** The signal every process hears when an agent's rights may have changed. */
export const ACCESS_CHANGED = 'agent-access'

/**
 * A token rotated, a role or teams changed: every process re-checks that agent's open sockets
 * at once (a socket on a token that no longer works is closed; the others get the new rights).
 * Fire-and-forget: the streams' periodic check catches what a lost signal missed.
 */
export async function announceAccessChanged (s: Pick<HubServices, 'bus' | 'logger'>, agentId: string): Promise<void> {
  await s.bus.signal(ACCESS_CHANGED, { agentId }).catch((err: unknown) => {
    s.logger.warn({ agentId, err: { message: (err as Error).message } }, 'access change not signalled; the periodic check will catch it')
  })
}
