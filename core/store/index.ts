export * from './store.js'
export { createStore } from './create.js'
