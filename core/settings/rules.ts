import type { Logger } from 'pino'
import type { HubConfig } from '../config/index.js'
import type { EventBus } from '../events/index.js'
import type { AgentStore, KeyValueStore } from '../store/index.js'

/** The team's rules supervisors keep in the app (admins the hub's): replies' banned words, for now. */
export interface Rules {
  bannedWords: string[]
}

/** `hub`, or `team:<id>`: whose rules, and who may change them (admins; a team's supervisors). */
export type RulesScope = 'hub' | `team:${string}`

const NAMESPACE = 'settings'
/** The signal every process hears when rules changed: each reads them again. */
export const RULES_CHANGED = 'rules-changed'
const EMPTY: Rules = { bannedWords: [] }

interface Deps { store: KeyValueStore & Pick<AgentStore, 'listTeams'>, bus: EventBus, config: Pick<HubConfig, 'guards'>, logger: Logger }

/**
 * The rules as the store keeps them, one key per scope, and in every process a copy that the
 * guards read. The YAML's words seed each scope once, on the first start that sees it; after
 * that the app is where they change. A change reaches every process through a bus signal, and
 * each process reads everything again (a missed signal is caught at the next change or start).
 */
export class RuleBook {
  private rules = new Map<RulesScope, Rules>()
  private readonly listeners: Array<(book: RuleBook) => void> = []

  constructor (private readonly d: Deps) {}

  /** Seeds what the YAML has and the store does not, then reads every scope; listens for changes. */
  async start (): Promise<() => void> {
    const seeds: Array<[RulesScope, Rules]> = [
      ['hub', { bannedWords: this.d.config.guards.bannedWords }],
      ...Object.entries(this.d.config.guards.teams).map(([team, s]) => [`team:${team}`, { bannedWords: s.bannedWords }] as [RulesScope, Rules])
    ]
    for (const [scope, rules] of seeds) await this.d.store.kvSetIfAbsent(NAMESPACE, scope, JSON.stringify(rules))
    await this.reload()
    return this.d.bus.onSignal(RULES_CHANGED, () => {
      this.reload().catch(err => this.d.logger.warn({ err: { message: (err as Error).message } }, 'rules not reloaded'))
    })
  }

  onChange (listener: (book: RuleBook) => void): void { this.listeners.push(listener) }

  get (scope: RulesScope): Rules { return this.rules.get(scope) ?? EMPTY }

  /** Every team's rules that differ from nothing, by team id. */
  teams (): Map<string, Rules> {
    return new Map([...this.rules].filter(([scope]) => scope.startsWith('team:')).map(([scope, r]) => [scope.slice(5), r]))
  }

  async save (scope: RulesScope, rules: Rules): Promise<void> {
    await this.d.store.kvSet(NAMESPACE, scope, JSON.stringify(rules))
    await this.reload()
    await this.d.bus.signal(RULES_CHANGED, { scope }).catch(err => this.d.logger.warn({ scope, err: { message: (err as Error).message } }, 'rules change not signalled'))
  }

  private async reload (): Promise<void> {
    const scopes: RulesScope[] = ['hub', ...new Set([...(await this.d.store.listTeams()).map(t => t.id), ...Object.keys(this.d.config.guards.teams)].map(id => `team:${id}` as const))]
    const next = new Map<RulesScope, Rules>()
    for (const scope of scopes) {
      const raw = await this.d.store.kvGet(NAMESPACE, scope)
      if (raw !== null) next.set(scope, { ...EMPTY, ...JSON.parse(raw) as Partial<Rules> })
    }
    this.rules = next
    for (const listener of this.listeners) listener(this)
  }
}
