/** esbuild bundles imported CSS into inbox.css. */
declare module '*.css'
