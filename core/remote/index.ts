export { fetchRemote, jsonObject, RemoteError, DEFAULT_MAX_BYTES, type RemoteFailure, type RemoteInit, type RemoteResponse } from './fetch.js'
export { boundedFetch } from './library-fetch.js'
export { retryAfterMs, retryableStatus, MAX_RETRY_AFTER_MS } from './retry-after.js'
