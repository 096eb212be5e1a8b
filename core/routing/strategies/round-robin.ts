import { byLastRouted, type RoutingStrategy } from '../strategy.js'

/** Each agent in turn: the one routed longest ago, whatever their load (capacity still holds). */
export const roundRobin: RoutingStrategy = {
  name: 'round-robin',
  automatic: true,
  order: candidates => [...candidates].sort(byLastRouted)
}
