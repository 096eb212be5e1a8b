export * from './queue.js'
export { createQueue } from './create.js'
