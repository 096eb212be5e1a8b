import type { Agent } from '../model/index.js'
import type { AgentStore } from '../store/index.js'

/** The agent with this email; emails are kept lower-case, so any case finds them. */
export async function findAgentByEmail (store: Pick<AgentStore, 'listAgents'>, email: string): Promise<Agent | null> {
  const wanted = email.trim().toLowerCase()
  return (await store.listAgents()).find(a => a.email === wanted) ?? null
}
