import { randomBytes } from 'node:crypto'
import type { WebSocket } from 'ws'
import type { ChannelContext } from '../../core/channels/index.js'
import type { ServerFrame, WireStatus } from './frames.js'
import { isOpen } from '../../core/hours.js'
import type { WebchatSettings } from './settings.js'

/** What one process holds of a visitor's open widget (a tab). */
export interface VisitorSocket {
  id: string
  visitorId: string
  /** The identity it writes as; changes when the site identifies the visitor. */
  externalId: string
  socket: WebSocket
  send (frame: ServerFrame): void
  /** Re-reads the visitor's state (another tab identified them or filled the form). */
  reload (): void
}

/** Sent between hub processes: a frame for every tab of an identity (or a visitor), wherever it is connected. */
type Envelope =
  | { to: string, frame: ServerFrame, except?: string }
  | { reloadVisitor: string }

const MAX_BUFFERED = 1024 * 1024

/**
 * The visitor sockets of this process. Frames for a visitor go through the hub's broadcast, so
 * an agent's reply sent by a worker reaches the process that holds the visitor's socket.
 */
export class VisitorSockets {
  private readonly sockets = new Set<VisitorSocket>()
  private readonly nonce = randomBytes(4).toString('hex')
  private seq = 0
  private readonly unsubscribe: () => void
  private timer: NodeJS.Timeout | undefined
  private status: WireStatus | undefined
  private statusAt = 0

  constructor (private readonly ctx: ChannelContext, private readonly settings: WebchatSettings) {
    this.unsubscribe = ctx.onBroadcast(payload => this.deliver(payload as Envelope))
  }

  newId (): string {
    return `${this.nonce}-${++this.seq}`
  }

  add (socket: VisitorSocket): void {
    this.sockets.add(socket)
    this.timer ??= setInterval(() => { this.refreshStatus().catch(() => {}) }, this.settings.statusCheckMs)
    this.timer.unref()
  }

  /** Whether another tab of this identity is open in this process. */
  hasOther (socket: VisitorSocket): boolean {
    for (const s of this.sockets) if (s !== socket && s.externalId === socket.externalId) return true
    return false
  }

  remove (socket: VisitorSocket): void {
    this.sockets.delete(socket)
    if (this.sockets.size === 0) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }

  /** To every tab of this identity, in any process. */
  async toIdentity (externalId: string, frame: ServerFrame, except?: string): Promise<void> {
    await this.ctx.broadcast({ to: externalId, frame, ...(except !== undefined ? { except } : {}) } satisfies Envelope)
  }

  async reloadVisitor (visitorId: string): Promise<void> {
    await this.ctx.broadcast({ reloadVisitor: visitorId } satisfies Envelope)
  }

  private deliver (envelope: Envelope): void {
    for (const s of this.sockets) {
      if ('reloadVisitor' in envelope) {
        if (s.visitorId === envelope.reloadVisitor) s.reload()
      } else if (s.externalId === envelope.to && s.id !== envelope.except) {
        s.send(envelope.frame)
      }
    }
  }

  /** Online when within business hours and an agent who serves the channel is online with room for another conversation. Cached briefly. */
  async currentStatus (): Promise<WireStatus> {
    if (this.status !== undefined && Date.now() - this.statusAt < this.settings.statusCheckMs / 3) return this.status
    return await this.refreshStatus()
  }

  private async refreshStatus (): Promise<WireStatus> {
    const open = isOpen(this.settings.businessHours, this.ctx.clock())
    const agents = open ? await this.ctx.agentsOnline() : { online: 0, free: 0 }
    const online = agents.free > 0
    const status: WireStatus = { online, reason: online ? null : !open ? 'closed' : agents.online > 0 ? 'agents_busy' : 'agents_offline' }
    const changed = this.status !== undefined && (this.status.online !== status.online || this.status.reason !== status.reason)
    this.status = status
    this.statusAt = Date.now()
    if (changed) for (const s of this.sockets) s.send({ type: 'status', status })
    return status
  }

  close (): void {
    this.unsubscribe()
    clearInterval(this.timer)
    for (const s of this.sockets) s.socket.close(1001, 'hub shutting down')
  }
}

/** Sends a frame unless the socket is gone or too far behind (then it is closed: the widget reconnects and syncs). */
export function sendFrame (socket: WebSocket, frame: ServerFrame): void {
  if (socket.readyState !== socket.OPEN) return
  if (socket.bufferedAmount > MAX_BUFFERED) {
    socket.close(1013, 'too slow; reconnect')
    return
  }
  socket.send(JSON.stringify(frame))
}
