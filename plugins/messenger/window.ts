import type { Draft, Verdict } from '../../core/channels/index.js'
import type { Conversation } from '../../core/model/index.js'
import { retiredAt, type TagRule } from './tags.js'

const HOUR = 3_600_000
const STANDARD_WINDOW_MS = 24 * HOUR
/** How long the window an ad opens lasts, from the person's first message after the click. */
export const AD_WINDOW_MS = 7 * 24 * HOUR
/** The conversation's channel state key: when the window an ad opened closes (ms). */
export const AD_WINDOW = 'adWindowUntil'

export interface WindowSettings {
  humanAgent: boolean
  tags: Map<string, TagRule>
}

const ago = (ms: number): string => ms < 48 * HOUR ? `${Math.round(ms / HOUR)} hours ago` : `${Math.round(ms / (24 * HOUR))} days ago`

/**
 * Messenger's and Instagram's rules, measured from the customer's last message by the events'
 * own timestamps: within 24 h anything goes (RESPONSE), and within 7 days of a first message
 * after an ad click; after that only a tagged message whose rule allows it: HUMAN_AGENT for
 * 7 days, for a person (never automated), if the Page has the permission.
 */
export function windowVerdict (conversation: Conversation, draft: Draft, now: Date, settings: WindowSettings): Verdict {
  if (draft.tag !== null) {
    const rule = settings.tags.get(draft.tag)
    if (rule === undefined) return { verdict: 'deny', code: 'unknown_tag', message: `Messenger has no tag "${draft.tag}"; use one of: ${[...settings.tags.keys()].join(', ')}.` }
    const retired = retiredAt(rule)
    if (retired !== null && now >= retired) {
      return { verdict: 'deny', code: 'tag_retired', message: `Meta stopped accepting the ${rule.tag} tag on ${rule.retiredOn}; send it as a normal reply while the customer's 24-hour window is open.` }
    }
  }
  const last = conversation.lastInboundAt
  if (last === null) {
    return { verdict: 'deny', code: 'window_closed', message: 'The customer has not written to this Page yet; Messenger only allows replies once they do.' }
  }
  const sinceMs = now.getTime() - new Date(last).getTime()
  const standardCloses = new Date(new Date(last).getTime() + STANDARD_WINDOW_MS)
  if (sinceMs < STANDARD_WINDOW_MS) return { verdict: 'allow', windowClosesAt: standardCloses }
  // A first message after a Click-to-Messenger / Click-to-Direct ad opens a window of up to 7 days (Meta's policy, 2026-09-28).
  const adCloses = Number(conversation.channelState[AD_WINDOW] ?? 0)
  if (draft.tag === null && now.getTime() < adCloses) return { verdict: 'allow', windowClosesAt: new Date(adCloses) }

  const usable = [...settings.tags.values()].filter(rule =>
    (retiredAt(rule) === null || now < retiredAt(rule)!) &&
    (rule.windowHours === null || sinceMs < rule.windowHours * HOUR) &&
    (!rule.needsHumanAgent || (settings.humanAgent && !draft.automated)))
  if (draft.tag !== null && usable.some(rule => rule.tag === draft.tag)) {
    const rule = settings.tags.get(draft.tag)!
    return { verdict: 'allow', ...(rule.windowHours !== null ? { windowClosesAt: new Date(new Date(last).getTime() + rule.windowHours * HOUR) } : {}) }
  }
  if (usable.length === 0) {
    const humanWindow = [...settings.tags.values()].find(r => r.needsHumanAgent)?.windowHours ?? 0
    const reason = draft.automated
      ? 'automated messages may only go within 24 hours of the customer\'s last message'
      : !settings.humanAgent && sinceMs < humanWindow * HOUR
        ? 'this Page has no human agent permission (humanAgent: false in config), so nothing can be sent until the customer writes again'
        : 'Messenger allows no reply this long after the customer\'s last message'
    return { verdict: 'deny', code: 'window_closed', message: `The customer last wrote ${ago(sinceMs)}: ${reason}.`, windowClosesAt: standardCloses }
  }
  const closes = Math.max(...usable.map(rule => rule.windowHours === null ? 0 : new Date(last).getTime() + rule.windowHours * HOUR))
  return {
    verdict: 'tag_required',
    tags: usable.map(rule => rule.tag),
    code: 'outside_window',
    message: `The customer last wrote ${ago(sinceMs)}, outside Messenger's 24-hour window: a reply must carry one of these tags: ${usable.map(r => r.tag).join(', ')}.`,
    ...(closes > 0 ? { windowClosesAt: new Date(closes) } : {})
  }
}
