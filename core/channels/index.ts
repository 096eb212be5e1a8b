export * from './contract.js'
export { PluginRegistry, DEFAULT_PLUGINS_DIR } from './registry.js'
export { sign, verify } from './signature.js'
export { channelFiles } from './files.js'
