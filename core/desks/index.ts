export * from './contract.js'
export { deskContext, hubBaseUrl } from './context.js'
export { deskJob, relayEvents, sweepDesks, type Desk, type DeskJob } from './relay.js'
