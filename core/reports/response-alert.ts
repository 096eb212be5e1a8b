import { conversationAudience } from '../events/index.js'
import type { Conversation } from '../model/index.js'
import type { HubServices } from '../services.js'
import { countEvent } from './counting.js'
import { targetsFor } from './targets.js'

/** Late conversations looked at per check: the most recently active first. */
const PER_CHECK = 500

/**
 * The response-time alert (1688's two-minute rule), for every channel: a customer whose last
 * message has waited past the target for a person's reply (an automatic message is no answer)
 * raises conversation.sla_breached for the assignee and the team's supervisors, once per
 * customer per day in the hub's time zone, night included, and the breach is counted. Every
 * process checks; the store's setIfAbsent lets exactly one of them raise each alert.
 */
export class ResponseAlert {
  private readonly day: Intl.DateTimeFormat
  /** Alerts this process has seen raised today, so a late customer costs no write per check. */
  private raised = new Set<string>()
  private today = ''

  constructor (private readonly s: HubServices) {
    this.day = new Intl.DateTimeFormat('en-CA', { timeZone: s.config.reports.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  }

  /** The shortest alert target of any channel or team: conversations younger than that are not late anywhere. */
  private shortestMs (): number {
    const { reports } = this.s.config
    const all = [reports.alertAfterSeconds, ...[...Object.values(reports.teams), ...Object.values(reports.channels)].map(t => t.alertAfterSeconds ?? reports.alertAfterSeconds)]
    const on = all.filter(seconds => seconds > 0)
    return on.length === 0 ? 0 : Math.min(...on) * 1000
  }

  async check (): Promise<number> {
    const shortest = this.shortestMs()
    if (shortest === 0) return 0
    const now = this.s.clock()
    const today = this.day.format(now)
    if (today !== this.today) { this.today = today; this.raised = new Set() }
    const late = (await this.s.store.listConversations({ unansweredSince: new Date(now.getTime() - shortest) }, { limit: PER_CHECK })).items
    let raised = 0
    for (const conversation of late) {
      const targetMs = targetsFor(this.s.config.reports, conversation.channelId, conversation.teamId).alertAfterMs
      const waitedMs = now.getTime() - conversation.lastInboundAt!.getTime()
      const key = `alert:${conversation.contactId}:${today}`
      if (targetMs === 0 || waitedMs < targetMs || this.raised.has(key)) continue
      this.raised.add(key)
      if (!await this.s.store.kvSetIfAbsent('reports', key, conversation.id)) continue
      await this.raise(conversation, { waitedMs, targetMs })
      raised++
    }
    return raised
  }

  private async raise (conversation: Conversation, breach: { waitedMs: number, targetMs: number }): Promise<void> {
    this.s.logger.warn({ conversationId: conversation.id, channelId: conversation.channelId, ...breach }, 'response-time target missed')
    await countEvent(this.s, conversation, { measure: 'sla_breach', at: this.s.clock(), agentId: conversation.assigneeId, value: breach.waitedMs })
    await this.s.bus.publish({
      type: 'conversation.sla_breached', conversationId: conversation.id, conversation, ...breach,
      audience: { ...conversationAudience(conversation), supervisorsOnly: true }
    })
  }
}
