export { routeConversation, routingStep, drainQueue, announceAssigned } from './router.js'
export { decide, capacityOf, type Decision, type RoutingSettings } from './decide.js'
export { strategies } from './strategies/index.js'
export type { RoutingStrategy } from './strategy.js'
