export * from './files.js'
export { LocalFileStore } from './local.js'
