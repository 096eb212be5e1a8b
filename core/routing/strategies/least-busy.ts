import { byLastRouted, type RoutingStrategy } from '../strategy.js'

/** The agent with the fewest open conversations; ties go to the one routed longest ago. */
export const leastBusy: RoutingStrategy = {
  name: 'least-busy',
  automatic: true,
  order: candidates => [...candidates].sort((a, b) => a.activeCount - b.activeCount || byLastRouted(a, b))
}
