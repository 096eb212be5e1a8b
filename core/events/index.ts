export * from './bus.js'
export { LocalEventBus } from './local.js'
export { RedisEventBus } from './redis.js'
