export * from './phrases.js'
