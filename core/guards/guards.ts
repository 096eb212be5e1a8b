import type { HubConfig } from '../config/index.js'
import type { Agent } from '../model/index.js'
import type { Draft } from '../channels/index.js'
import { AttitudeGuard } from './attitude.js'
import { BannedWords } from './banned-words.js'

/** A guard's refusal: a stable code, a sentence, and what the agent needs to fix it. */
export interface GuardRefusal {
  code: string
  message: string
  details: Record<string, unknown>
}

/** Channel-agnostic rules on replies, run after the channel's policy allowed the draft. */
export class ReplyGuards {
  private hubWide: BannedWords
  private perTeam: Map<string, BannedWords>
  readonly attitude: AttitudeGuard

  constructor (settings: HubConfig['guards']) {
    this.hubWide = new BannedWords(settings.bannedWords)
    this.perTeam = new Map(Object.entries(settings.teams).map(([team, s]) => [team, new BannedWords(s.bannedWords)]))
    this.attitude = new AttitudeGuard(settings.attitude)
  }

  /** The banned words as supervisors keep them in the app (core/settings/rules.ts), in place of the YAML's. */
  useBannedWords (hub: string[], teams: Map<string, string[]>): void {
    this.hubWide = new BannedWords(hub)
    this.perTeam = new Map([...teams].map(([team, words]) => [team, new BannedWords(words)]))
  }

  /** The banned words in a text, as the hub's and the author's teams' lists have them: what a send would refuse. */
  bannedWordsIn (text: string, author: Agent | null): string[] {
    const lists = [this.hubWide, ...(author?.teams ?? []).flatMap(t => this.perTeam.get(t) ?? [])]
    return [...new Set(lists.flatMap(list => list.find(text)))]
  }

  /** `confirmed`: the agent saw the attitude warning and sends it as written (blocked categories still refuse). */
  check (draft: Draft, author: Agent | null, confirmed = false): GuardRefusal | null {
    const words = this.bannedWordsIn(draft.text, author)
    if (words.length > 0) {
      return {
        code: 'banned_words',
        message: `The reply contains words your team does not allow: ${words.join(', ')}. Rephrase and send again.`,
        details: { words }
      }
    }
    const reading = this.attitude.read(draft.text)
    if (reading === null) return null
    const heard = reading.words.join(', ')
    if (this.attitude.blocks(reading.category)) {
      return { code: 'attitude_blocked', message: `The reply reads as ${reading.category} (${heard}); your team does not send that. Rephrase it.`, details: { ...reading } }
    }
    if (confirmed) return null
    return {
      code: 'attitude_warning',
      message: `The reply may read as ${reading.category} to the customer (${heard}). Edit it, or send it as written with confirm: true.`,
      details: { ...reading, confirmable: true }
    }
  }
}
