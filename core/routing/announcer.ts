import type { HubServices } from '../services.js'

/**
 * Queue sizes for supervisors, and places in line for customers whose channel can show them,
 * announced at most once per `delayMs` per team: a busy queue changes many times a second,
 * and recounting it on every change would cost more than the changes themselves. Only a
 * customer leaving the line moves those behind them: one joining at the back (told their own
 * place as they join) moves nobody, so a burst into a long queue tells nobody else anything.
 */
export class QueueAnnouncer {
  private readonly teams = new Set<string | null>()
  /** Teams someone left the line of since the last flush: their customers' places moved. */
  private readonly moved = new Set<string | null>()
  private timer: NodeJS.Timeout | undefined

  constructor (private readonly s: HubServices, private readonly delayMs = 250) {}

  /** Someone joined this team's line, or left it (assigned, closed, handed to the robot). */
  changed (teamId: string | null, how: 'joined' | 'left'): void {
    this.teams.add(teamId)
    if (how === 'left') this.moved.add(teamId)
    this.timer ??= setTimeout(() => {
      this.flush().catch(err => this.s.logger.warn({ err: { message: (err as Error).message } }, 'queue announcement failed'))
    }, this.delayMs)
  }

  async flush (): Promise<void> {
    this.timer = undefined
    const teams = [...this.teams]
    const moved = [...this.moved]
    this.teams.clear()
    this.moved.clear()
    if (teams.length === 0) return
    const sizes = new Map((await this.s.store.queueSizes()).map(q => [q.teamId, q.size]))
    for (const teamId of teams) {
      await this.s.bus.publish({ type: 'queue.updated', teamId, size: sizes.get(teamId) ?? 0, audience: { teams: teamId === null ? 'all' : [teamId], agents: [] } })
    }
    if (moved.length === 0 || ![...this.s.channels.values()].some(c => c.instance.notify !== undefined)) return
    // Customers further back moved up: tell the ones whose channel can show it.
    const places = new Map<string | null, number>()
    for (const conversation of await this.s.store.listQueue(500)) {
      const place = (places.get(conversation.teamId) ?? 0) + 1
      places.set(conversation.teamId, place)
      const notify = this.s.channels.get(conversation.channelId)?.instance.notify
      if (notify === undefined || !moved.includes(conversation.teamId)) continue
      await notify(conversation, { type: 'queued', position: place, reason: conversation.queueReason! })
        .catch(err => this.s.logger.warn({ conversationId: conversation.id, err: { message: (err as Error).message } }, 'wait notice failed'))
    }
  }

  stop (): void {
    clearTimeout(this.timer)
  }
}
