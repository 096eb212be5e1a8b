import { randomBytes } from 'node:crypto'
import { HubError } from '../errors.js'
import type { Agent } from '../model/index.js'
import { StoreError, type AgentStore, type KeyValueStore } from '../store/index.js'
import { hashToken, newAgentToken } from './tokens.js'

const NAMESPACE = 'sign-in'
/** A sign-in link works once, within a day. */
export const SIGN_IN_LINK_TTL_MS = 24 * 3_600_000
const FIRST_ADMIN = { name: 'Admin', email: 'admin@omnihub.local' }

/** The inbox address that signs an agent in with a one-time code; the code rides in the fragment, which browsers never send to servers or in Referer. */
export const signInUrl = (base: string, code: string): string => `${base.replace(/\/$/, '')}/inbox/#code=${code}`

/** A one-time sign-in code for an agent; only its hash is kept. */
export async function createSignInCode (store: KeyValueStore, agentId: string, now: Date): Promise<string> {
  const code = randomBytes(24).toString('base64url')
  await store.kvSet(NAMESPACE, hashToken(code), JSON.stringify({ agentId, expiresAt: now.getTime() + SIGN_IN_LINK_TTL_MS }))
  return code
}

/**
 * Trades a sign-in code for a fresh API token (the agent's previous token stops working).
 * The code is taken atomically, so of two tabs opening the same link, one signs in.
 */
export async function redeemSignInCode (store: KeyValueStore & AgentStore, code: string, now: Date): Promise<{ agent: Agent, token: string }> {
  const raw = await store.kvTake(NAMESPACE, hashToken(code))
  const entry = raw === null ? null : JSON.parse(raw) as { agentId: string, expiresAt: number }
  const agent = entry === null ? null : await store.getAgent(entry.agentId)
  if (entry === null || agent === null) {
    throw new HubError('sign_in_link_invalid', 'This sign-in link was already used or is not one; ask an admin for a new one (omnihub agent link --email …).', 401)
  }
  if (agent.deactivatedAt !== null) {
    throw new HubError('agent_deactivated', 'This account is deactivated; ask a supervisor or an admin to reactivate it.', 401)
  }
  if (entry.expiresAt <= now.getTime()) {
    throw new HubError('sign_in_link_expired', 'This sign-in link has expired (links work for 24 hours); ask an admin for a new one.', 401)
  }
  const token = newAgentToken()
  await store.rotateAgentToken(agent.id, hashToken(token))
  return { agent, token }
}

/**
 * On a hub without agents, creates the first admin and a sign-in code for them; null when
 * agents exist (or another process just made the admin).
 */
export async function ensureFirstAdmin (store: KeyValueStore & AgentStore, now: Date): Promise<{ agent: Agent, code: string } | null> {
  if ((await store.listAgents()).length > 0) return null
  let agent: Agent
  try {
    // Its token is never shown: the admin signs in with the link, which issues one.
    agent = await store.createAgent({ ...FIRST_ADMIN, role: 'admin', teams: [], tokenHash: hashToken(newAgentToken()) }, now)
  } catch (err) {
    if (err instanceof StoreError && err.code === 'agent_exists') return null
    throw err
  }
  return { agent, code: await createSignInCode(store, agent.id, now) }
}
