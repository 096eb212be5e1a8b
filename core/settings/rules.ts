import type { Logger } from 'pino'
import type { ChannelSettings, HubConfig } from '../config/index.js'
import type { EventBus } from '../events/index.js'
import type { AgentStore, KeyValueStore } from '../store/index.js'
import { SpamFilter, type SpamRules } from './spam.js'
import type { WelcomeGroup } from './welcome.js'

/** The rules supervisors keep in the app for their teams and channels (admins the hub's). */
export interface Rules {
  /** Replies containing one are refused (hub and teams). */
  bannedWords: string[]
  /** Close a conversation whose customer stayed silent this long after a person's reply (teams and channels; a channel's wins); null: never. */
  autoClose: AutoClose | null
  /** A channel's automatic replies as its team's supervisors set them; null: the YAML's (`autoReplies` of the channel). */
  autoReplies: ChannelSettings['autoReplies'] | null
  /** Customer messages that match are held aside as spam (hub and teams). */
  spam: SpamRules
  /** Store-entry welcomes, one group per occasion or product line; the first is the default (hub and teams). */
  welcomes: WelcomeGroup[]
  /** The welcome group a channel shows unless the page asks for another; null: its team's first. */
  welcomeGroup: string | null
}

export interface AutoClose {
  afterMinutes: number
  /** Sent to the customer as it closes; null: nothing. */
  message: string | null
}

/** `hub`, `team:<id>` or `channel:<id>`: whose rules, and who may change them (admins; the team's supervisors). */
export type RulesScope = 'hub' | `team:${string}` | `channel:${string}`

const NAMESPACE = 'settings'
/** The signal every process hears when rules changed: each reads them again. */
export const RULES_CHANGED = 'rules-changed'
const EMPTY: Rules = { bannedWords: [], autoClose: null, autoReplies: null, spam: { phrases: [], patterns: [] }, welcomes: [], welcomeGroup: null }

interface Deps { store: KeyValueStore & Pick<AgentStore, 'listTeams'>, bus: EventBus, config: Pick<HubConfig, 'guards' | 'channels'>, logger: Logger }

/**
 * The rules as the store keeps them, one key per scope, and in every process a copy that the
 * guards read. The YAML's words seed each scope once, on the first start that sees it; after
 * that the app is where they change. A change reaches every process through a bus signal, and
 * each process reads everything again (a missed signal is caught at the next change or start).
 */
export class RuleBook {
  private rules = new Map<RulesScope, Rules>()
  /** The spam filter of each team with the hub's, built when the rules are read ('' : every agent's channels). */
  private spamFilters = new Map<string, SpamFilter>()
  private readonly listeners: Array<(book: RuleBook) => void> = []

  constructor (private readonly d: Deps) {}

  /** Seeds what the YAML has and the store does not, then reads every scope; listens for changes. */
  async start (): Promise<() => void> {
    const seeds: Array<[RulesScope, Rules]> = [
      ['hub', { ...EMPTY, bannedWords: this.d.config.guards.bannedWords }],
      ...Object.entries(this.d.config.guards.teams).map(([team, s]) => [`team:${team}`, { ...EMPTY, bannedWords: s.bannedWords }] as [RulesScope, Rules])
    ]
    for (const [scope, rules] of seeds) await this.d.store.kvSetIfAbsent(NAMESPACE, scope, JSON.stringify(rules))
    await this.reload()
    return this.d.bus.onSignal(RULES_CHANGED, () => {
      this.reload().catch(err => this.d.logger.warn({ err: { message: (err as Error).message } }, 'rules not reloaded'))
    })
  }

  onChange (listener: (book: RuleBook) => void): void { this.listeners.push(listener) }

  get (scope: RulesScope): Rules { return this.rules.get(scope) ?? EMPTY }

  /** Every team's rules kept, by team id. */
  teams (): Map<string, Rules> { return this.ofKind('team:') }

  /** Every channel's rules kept, by channel id. */
  channels (): Map<string, Rules> { return this.ofKind('channel:') }

  private ofKind (prefix: 'team:' | 'channel:'): Map<string, Rules> {
    return new Map([...this.rules].filter(([scope]) => scope.startsWith(prefix)).map(([scope, r]) => [scope.slice(prefix.length), r]))
  }

  /** The auto-close of a conversation on this channel served by this team: the channel's rule, else the team's. */
  autoCloseFor (channelId: string, teamId: string | null): AutoClose | null {
    const channel = this.rules.get(`channel:${channelId}`)
    if (channel?.autoClose != null) return channel.autoClose
    return teamId === null ? null : this.rules.get(`team:${teamId}`)?.autoClose ?? null
  }

  /** The shortest auto-close anywhere, or null when nothing closes by itself. */
  shortestAutoClose (): number | null {
    const minutes = [...this.rules.values()].flatMap(r => r.autoClose === null ? [] : [r.autoClose.afterMinutes])
    return minutes.length === 0 ? null : Math.min(...minutes)
  }

  /** The spam phrase or pattern that matches a customer's text on a channel of this team (the hub's too), or null. */
  spamMatch (teamId: string | null, text: string): string | null {
    return (this.spamFilters.get(teamId ?? '') ?? this.spamFilters.get(''))?.match(text) ?? null
  }

  /** Replaces the rules given; the others stay as the store has them (another process may have changed them just now). */
  async save (scope: RulesScope, rules: Partial<Rules>): Promise<void> {
    const raw = await this.d.store.kvGet(NAMESPACE, scope)
    const stored = raw === null ? EMPTY : { ...EMPTY, ...JSON.parse(raw) as Partial<Rules> }
    await this.d.store.kvSet(NAMESPACE, scope, JSON.stringify({ ...stored, ...rules }))
    await this.reload()
    await this.d.bus.signal(RULES_CHANGED, { scope }).catch(err => this.d.logger.warn({ scope, err: { message: (err as Error).message } }, 'rules change not signalled'))
  }

  private async reload (): Promise<void> {
    const scopes: RulesScope[] = [
      'hub',
      ...new Set([...(await this.d.store.listTeams()).map(t => t.id), ...Object.keys(this.d.config.guards.teams)].map(id => `team:${id}` as const)),
      ...this.d.config.channels.map(c => `channel:${c.id}` as const)
    ]
    const next = new Map<RulesScope, Rules>()
    for (const scope of scopes) {
      const raw = await this.d.store.kvGet(NAMESPACE, scope)
      if (raw !== null) next.set(scope, { ...EMPTY, ...JSON.parse(raw) as Partial<Rules> })
    }
    this.rules = next
    const hub = this.get('hub').spam
    this.spamFilters = new Map([['', new SpamFilter([hub])], ...[...this.teams()].map(([team, r]) => [team, new SpamFilter([hub, r.spam])] as const)])
    for (const listener of this.listeners) listener(this)
  }
}
