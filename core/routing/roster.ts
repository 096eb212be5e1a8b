import type { Agent } from '../model/index.js'
import type { HubServices } from '../services.js'

/**
 * The agents routing chooses from, kept in memory: reading every agent for every new
 * conversation was a third of the hub's CPU at 2,000 arrivals/s. It is reloaded every
 * `ttlMs`, at once after any status change, and updated locally on each assignment. A stale
 * copy can only make a worse choice, never a wrong one: the store's atomic assignment checks
 * capacity and status itself.
 */
export class AgentRoster {
  private agents: Agent[] | null = null
  private loadedAt = 0
  private readonly unsubscribe: () => void

  constructor (private readonly s: HubServices, private readonly ttlMs = 1000) {
    this.unsubscribe = s.bus.subscribe(event => { if (event.type === 'agent.status') this.invalidate() })
  }

  async current (): Promise<Agent[]> {
    const now = Date.now()
    if (this.agents === null || now - this.loadedAt > this.ttlMs) {
      this.loadedAt = now
      this.agents = await this.s.store.listAgents()
    }
    return this.agents
  }

  /** This process just gave the agent a conversation. */
  assigned (agentId: string, at: Date): void {
    const agent = this.agents?.find(a => a.id === agentId)
    if (agent === undefined) return
    agent.activeCount++
    agent.lastRoutedAt = at
  }

  invalidate (): void {
    this.agents = null
  }

  stop (): void {
    this.unsubscribe()
  }
}
