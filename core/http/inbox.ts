import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * The agents' inbox, built by `npm run build` into dist/web/inbox: found beside the compiled
 * core (dist/core/http → dist/web/inbox), or in dist/ when running from source (tests).
 */
const DIRS = ['../../web/inbox/', '../../dist/web/inbox/'].map(p => fileURLToPath(new URL(p, import.meta.url)))
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8', 'inbox.js': 'text/javascript; charset=utf-8', 'inbox.css': 'text/css; charset=utf-8',
  // Installable: the manifest, its icons, the service worker, the favicon.
  'manifest.webmanifest': 'application/manifest+json', 'sw.js': 'text/javascript; charset=utf-8',
  'icon.svg': 'image/svg+xml', 'icon-192.png': 'image/png', 'icon-512.png': 'image/png', 'favicon.ico': 'image/x-icon'
}
const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "connect-src 'self' ws: wss:",
  // Customers' email images and channel avatars live elsewhere; attachments come from the hub.
  "img-src 'self' data: blob: https: http:", "media-src 'self' blob:", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"
].join('; ')

interface Asset { body: Buffer, etag: string }
const cache = new Map<string, Asset>()

function asset (name: string): Asset | null {
  if (cache.has(name)) return cache.get(name)!
  // The built folder has the bundle; the source folder (web/inbox, seen from core/http when run from source) does not.
  const dir = DIRS.find(d => existsSync(d + 'inbox.js'))
  const found = dir === undefined || !existsSync(dir + name) ? null : { body: readFileSync(dir + name), etag: '' }
  if (found === null) return null // not built yet: looked for again on the next request
  found.etag = `"${createHash('sha256').update(found.body).digest('base64url').slice(0, 16)}"`
  cache.set(name, found)
  return found
}

/** Serves /inbox/: a static page that talks to /api/v1 with the agent's token. */
export async function inboxRoutes (app: FastifyInstance): Promise<void> {
  app.get('/inbox', { schema: { hide: true } }, async (_request, reply) => await reply.redirect('/inbox/'))
  const serve = async (name: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (!(name in FILES)) return await reply.status(404).send({ code: 'not_found', message: 'The inbox has no such file; open /inbox/.' })
    const found = asset(name)
    if (found === null) return await reply.status(503).send({ code: 'inbox_not_built', message: 'The inbox is not built; run npm run build.' })
    // Revalidated on every load: a deploy shows at once, and unchanged files cost a 304.
    void reply.header('etag', found.etag).header('cache-control', 'no-cache')
      .header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
    if (request.headers['if-none-match'] === found.etag) return await reply.status(304).send()
    return await reply.type(FILES[name]!).send(found.body)
  }
  app.get('/inbox/', { schema: { hide: true } }, async (request, reply) => await serve('index.html', request, reply))
  app.get<{ Params: { file: string } }>('/inbox/:file', { schema: { hide: true } }, async (request, reply) => await serve(request.params.file, request, reply))
  // Browsers ask every site for /favicon.ico; the hub's is the inbox's.
  app.get('/favicon.ico', { schema: { hide: true } }, async (request, reply) => await serve('favicon.ico', request, reply))
}
