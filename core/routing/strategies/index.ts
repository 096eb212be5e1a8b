import type { RoutingStrategy } from '../strategy.js'
import { leastBusy } from './least-busy.js'
import { manual } from './manual.js'
import { roundRobin } from './round-robin.js'

export const strategies: Record<string, RoutingStrategy> = {
  [leastBusy.name]: leastBusy,
  [roundRobin.name]: roundRobin,
  [manual.name]: manual
}
