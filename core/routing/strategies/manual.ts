import type { RoutingStrategy } from '../strategy.js'

/** Nothing is assigned automatically: conversations wait and agents pick them from the queue. */
export const manual: RoutingStrategy = {
  name: 'manual',
  automatic: false,
  order: () => []
}
