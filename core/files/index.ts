export * from './files.js'
export { FileLinks, type LinkCheck } from './links.js'
export { LocalFileStore } from './local.js'
