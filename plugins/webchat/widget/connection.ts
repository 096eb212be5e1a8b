import type { ClientFrame, ServerFrame, WireAttachment } from '../frames.js'

/** A visitor message not yet acknowledged by the hub: kept in storage, so a reload or an outage loses nothing. */
export interface Pending {
  clientId: string
  text: string
  attachments: WireAttachment[]
  at: string
  /** A tapped choice's payload, sent with the text. */
  payload?: string
  /** Set when the hub refused it for good (too long, …): shown, not sent again. */
  error?: string
}

const store = {
  get (key: string): string | null {
    try { return localStorage.getItem(key) } catch { return null }
  },
  set (key: string, value: string | null): void {
    try {
      if (value === null) localStorage.removeItem(key)
      else localStorage.setItem(key, value)
    } catch {}
  }
}

const newClientId = (): string => {
  const bytes = new Uint8Array(12)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
}

/**
 * The visitor's WebSocket: reconnects with backoff, keeps the visitor token and the outbox in
 * localStorage (shared by the site's tabs), and sends the outbox again after every `ready`.
 * The hub stores each client id once, so resending is safe.
 */
export class Connection {
  private ws: WebSocket | null = null
  private attempt = 0
  private stopped = false
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Frames that make sense only once connected (identify, attributes): the latest of each kind waits. */
  private control = new Map<string, ClientFrame>()
  ready = false

  constructor (private readonly base: string, private readonly onFrame: (frame: ServerFrame) => void, private readonly onState: (connected: boolean) => void) {}

  private key (name: string): string {
    return `omnihub:${this.base}:${name}`
  }

  get token (): string | null {
    return store.get(this.key('token'))
  }

  get outbox (): Pending[] {
    try { return JSON.parse(store.get(this.key('outbox')) ?? '[]') as Pending[] } catch { return [] }
  }

  private set outbox (items: Pending[]) {
    store.set(this.key('outbox'), items.length === 0 ? null : JSON.stringify(items))
  }

  connect (): void {
    this.stopped = false
    const token = this.token
    const url = `${this.base.replace(/^http/, 'ws')}/ws${token !== null ? `?token=${encodeURIComponent(token)}` : ''}`
    const ws = new WebSocket(url)
    this.ws = ws
    ws.onmessage = event => {
      let frame: ServerFrame
      try { frame = JSON.parse(String(event.data)) as ServerFrame } catch { return }
      if (frame.type === 'ready') {
        store.set(this.key('token'), frame.token)
        this.ready = true
        this.attempt = 0
        this.onState(true)
        this.onFrame(frame)
        for (const f of this.control.values()) this.raw(f)
        this.control.clear()
        this.flush()
        return
      }
      if (frame.type === 'ack') this.outbox = this.outbox.filter(p => p.clientId !== frame.clientId)
      if (frame.type === 'error' && frame.clientId !== undefined) this.refused(frame.clientId, frame.code, frame.message, frame.retryAfterMs)
      this.onFrame(frame)
    }
    ws.onclose = event => {
      if (this.ws !== ws) return
      this.ws = null
      this.ready = false
      this.onState(false)
      if (this.stopped || event.code === 4003) return
      // Backoff with jitter: a restarted hub is not hit by every visitor at once.
      const base = event.code === 4029 ? 15_000 : Math.min(30_000, 1000 * 2 ** this.attempt++)
      this.timer = setTimeout(() => this.connect(), base / 2 + Math.random() * base / 2)
    }
  }

  /** Sends when connected; control frames wait for the next connection. */
  send (frame: ClientFrame): void {
    if (frame.type === 'identify' || frame.type === 'attributes' || frame.type === 'profile') {
      if (!this.ready) { this.control.set(frame.type, frame); return }
    }
    this.raw(frame)
  }

  private raw (frame: ClientFrame): void {
    if (this.ready && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame))
  }

  /** Queues a message in the outbox and sends it if connected. */
  message (text: string, attachments: WireAttachment[] = [], payload?: string): Pending {
    const pending: Pending = { clientId: newClientId(), text, attachments, at: new Date().toISOString(), ...(payload !== undefined ? { payload } : {}) }
    this.outbox = [...this.outbox, pending]
    this.raw(frameOf(pending))
    return pending
  }

  private flush (): void {
    for (const p of this.outbox) if (p.error === undefined) this.raw(frameOf(p))
  }

  private refused (clientId: string, code: string, message: string, retryAfterMs: number | undefined): void {
    if (code === 'rate_limited' || code === 'try_again') {
      setTimeout(() => {
        const p = this.outbox.find(item => item.clientId === clientId)
        if (p !== undefined) this.raw(frameOf(p))
      }, retryAfterMs ?? 2000)
      return
    }
    this.outbox = this.outbox.map(p => p.clientId === clientId ? { ...p, error: message } : p)
  }

  /** Forgets a message the hub refused (the visitor dismissed it). */
  drop (clientId: string): void {
    this.outbox = this.outbox.filter(p => p.clientId !== clientId)
  }

  async upload (file: File): Promise<{ attachment: WireAttachment, link: string }> {
    const response = await fetch(`${this.base}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token ?? ''}`, 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name), 'x-file-type': file.type || 'application/octet-stream' },
      body: file
    })
    const body = await response.json() as { attachment: WireAttachment, link: string, code?: string, message?: string }
    if (!response.ok) throw new Error(body.code ?? 'upload_failed')
    return body
  }

  /** Logout: a new anonymous visitor from now on. */
  reset (): void {
    store.set(this.key('token'), null)
    store.set(this.key('outbox'), null)
    this.stop()
    this.connect()
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.timer)
    const ws = this.ws
    this.ws = null
    this.ready = false
    ws?.close()
  }
}

const frameOf = (p: Pending): ClientFrame => ({ type: 'message', clientId: p.clientId, text: p.text, attachments: p.attachments, ...(p.payload !== undefined ? { payload: p.payload } : {}) })
