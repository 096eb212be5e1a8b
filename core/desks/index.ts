export * from './contract.js'
export { deskContext } from './context.js'
export { deskJob, relayEvents, sweepDesks, type Desk, type DeskJob } from './relay.js'
