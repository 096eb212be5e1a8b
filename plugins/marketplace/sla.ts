import type { ChannelContext } from '../../core/channels/index.js'

/**
 * Marketplaces score sellers on how fast buyers get an answer. A buyer whose message waits past
 * the target raises conversation.sla_breached for the assigned agent and supervisors, once per
 * buyer per shop day, whichever hub process sees it first.
 */
export class SlaWatch {
  private timer: NodeJS.Timeout | undefined
  private readonly day: Intl.DateTimeFormat

  constructor (private readonly ctx: ChannelContext, private readonly settings: { targetMs: number, checkMs: number, timeZone: string }) {
    this.day = new Intl.DateTimeFormat('en-CA', { timeZone: settings.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  }

  start (): void {
    this.timer = setInterval(() => {
      this.check().catch(err => this.ctx.logger.warn({ err: { message: (err as Error).message } }, 'response-time check failed'))
    }, this.settings.checkMs)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
  }

  async check (): Promise<void> {
    const now = this.ctx.clock()
    const late = await this.ctx.unanswered(new Date(now.getTime() - this.settings.targetMs), 200)
    for (const conversation of late) {
      const first = await this.ctx.kv.setIfAbsent(`sla:${conversation.contactId}:${this.day.format(now)}`, conversation.id)
      if (!first) continue
      await this.ctx.slaBreached(conversation.id, { waitedMs: now.getTime() - conversation.lastInboundAt!.getTime(), targetMs: this.settings.targetMs })
    }
  }
}
