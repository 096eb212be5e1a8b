import WebSocket from 'ws'

export interface StreamEvent { id?: string, type: string, conversationId?: string, message?: Record<string, any>, conversation?: Record<string, any>, [key: string]: any }

/** An agent's WebSocket: collects every event and waits for the ones a test expects. */
export class AgentStream {
  readonly events: StreamEvent[] = []
  private waiters: Array<() => void> = []
  private constructor (readonly socket: WebSocket) {
    socket.on('message', data => {
      this.events.push(JSON.parse(data.toString()) as StreamEvent)
      for (const wake of this.waiters) wake()
    })
  }

  static async connect (baseUrl: string, token: string, lastEventId?: string): Promise<AgentStream> {
    const query = lastEventId !== undefined ? `?lastEventId=${encodeURIComponent(lastEventId)}` : ''
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/stream${query}`, { headers: { authorization: `Bearer ${token}` } })
    const stream = new AgentStream(socket)
    await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject) })
    await stream.next(e => e.type === 'ready')
    return stream
  }

  /** The first event (seen or to come) matching `predicate`. */
  async next (predicate: (e: StreamEvent) => boolean, ms = 10_000): Promise<StreamEvent> {
    const end = Date.now() + ms
    for (;;) {
      const found = this.events.find(predicate)
      if (found !== undefined) return found
      const left = end - Date.now()
      if (left <= 0) throw new Error(`no matching event within ${ms} ms; got ${this.events.map(e => e.type).join(', ')}`)
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
      this.waiters = []
    }
  }

  /** Every event so far of these types, in order. */
  ofType (...types: string[]): StreamEvent[] {
    return this.events.filter(e => types.includes(e.type))
  }

  close (): void {
    this.socket.close()
  }
}
