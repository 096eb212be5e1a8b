// The inbox's service worker. It makes the inbox installable and lets it open without the
// network (the last shell it loaded); the API and its WebSocket never pass through a cache.
// Network first: a deploy shows at once, and the cache answers only when the network cannot.
const SHELL = 'omnihub-shell-v1'
const FILES = ['./', 'inbox.js', 'inbox.css', 'manifest.webmanifest', 'icon-192.png']

self.addEventListener('install', event => {
  event.waitUntil(caches.open(SHELL).then(cache => cache.addAll(FILES)).then(() => self.skipWaiting()))
})

self.addEventListener('activate', event => {
  event.waitUntil(self.clients.claim())
})

self.addEventListener('fetch', event => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || !url.pathname.startsWith('/inbox/')) return
  event.respondWith(fetch(event.request).then(response => {
    if (response.ok) {
      const copy = response.clone()
      event.waitUntil(caches.open(SHELL).then(cache => cache.put(event.request, copy)))
    }
    return response
  }).catch(async () => (await caches.match(event.request)) ?? Response.error()))
})

// A notification (phones show them only through the worker) opens its conversation.
self.addEventListener('notificationclick', event => {
  event.notification.close()
  const id = event.notification.tag
  event.waitUntil(self.clients.matchAll({ type: 'window' }).then(windows => {
    const open = windows[0]
    if (open === undefined) return self.clients.openWindow(`./#/c/${id}`)
    open.postMessage({ openConversation: id })
    return open.focus()
  }))
})
