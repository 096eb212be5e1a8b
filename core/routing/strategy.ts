import type { Agent } from '../model/index.js'

/**
 * How a new conversation picks among agents who can take it. One small strategy per file in
 * strategies/, chosen by `routing.strategy` in config (after Rocket.Chat's routing methods).
 */
export interface RoutingStrategy {
  name: string
  /** False: nothing is assigned automatically; conversations wait for an agent to pick them. */
  automatic: boolean
  /** The candidates (all online, all below capacity) in the order to try them. */
  order (candidates: Agent[]): Agent[]
}

/** Oldest routing first; never routed counts as oldest. */
export const byLastRouted = (a: Agent, b: Agent): number =>
  (a.lastRoutedAt?.getTime() ?? 0) - (b.lastRoutedAt?.getTime() ?? 0) || a.id.localeCompare(b.id)
