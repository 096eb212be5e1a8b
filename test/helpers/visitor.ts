import WebSocket from 'ws'

export interface Frame { type: string, [key: string]: any }

/** A widget connection without the widget: sends frames, collects what the hub answers. */
export class VisitorClient {
  readonly frames: Frame[] = []
  closed: { code: number, reason: string } | null = null
  private waiters: Array<() => void> = []

  private constructor (readonly socket: WebSocket) {
    socket.on('message', data => {
      this.frames.push(JSON.parse(data.toString()) as Frame)
      this.wake()
    })
    socket.on('close', (code, reason) => { this.closed = { code, reason: reason.toString() }; this.wake() })
  }

  private wake (): void {
    for (const wake of this.waiters) wake()
  }

  /** Connects to a webchat channel; with no token, the hub makes a new visitor. */
  static async connect (hubUrl: string, options: { channel?: string, token?: string, origin?: string } = {}): Promise<VisitorClient> {
    const query = options.token !== undefined ? `?token=${encodeURIComponent(options.token)}` : ''
    const socket = new WebSocket(`${hubUrl.replace(/^http/, 'ws')}/channels/${options.channel ?? 'webchat'}/ws${query}`, options.origin !== undefined ? { origin: options.origin } : {})
    const client = new VisitorClient(socket)
    await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject) })
    return client
  }

  get token (): string {
    return this.frames.find(f => f.type === 'ready')?.token
  }

  send (frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** The first frame (seen or to come, after `from`) matching. */
  async next (predicate: (f: Frame) => boolean, options: { ms?: number, from?: number } = {}): Promise<Frame> {
    const end = Date.now() + (options.ms ?? 10_000)
    for (;;) {
      const found = this.frames.slice(options.from ?? 0).find(predicate)
      if (found !== undefined) return found
      const left = end - Date.now()
      if (left <= 0 || this.closed !== null) throw new Error(`no matching frame; got ${this.frames.map(f => f.type + (f.code !== undefined ? `:${f.code}` : '')).join(', ')}${this.closed !== null ? ` (closed ${this.closed.code})` : ''}`)
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, Math.min(left, 200))
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
      this.waiters = []
    }
  }

  /** Waits until the hub closes the connection; its close code. */
  async closedCode (ms = 5000): Promise<number> {
    const end = Date.now() + ms
    while (this.closed === null && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 50))
    if (this.closed === null) throw new Error(`the connection is still open after ${ms} ms`)
    return this.closed.code
  }

  async ready (): Promise<Frame> {
    await this.next(f => f.type === 'history')
    return this.frames.find(f => f.type === 'ready')!
  }

  /** Sends a message and waits for its ack (or its error). */
  async say (text: string, clientId = `c${Math.random().toString(36).slice(2, 12)}`, extra: Record<string, unknown> = {}): Promise<Frame> {
    const from = this.frames.length
    this.send({ type: 'message', clientId, text, ...extra })
    return await this.next(f => (f.type === 'ack' || f.type === 'error') && f.clientId === clientId, { from })
  }

  close (): void {
    this.socket.close()
  }
}
