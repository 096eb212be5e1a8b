import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import { ACCESS_CHANGED } from '../agents/access.js'
import { canSee, compareIds, SeenKeys, type HubEvent } from '../events/index.js'
import type { Agent } from '../model/index.js'
import type { HubServices } from '../services.js'

/** A socket that has this much unsent data is too slow to keep up: it is closed, not buffered forever. */
const MAX_BUFFERED = 4 * 1024 * 1024
const PING_EVERY_MS = 30_000

interface Connection {
  /** As of the last check of their access: what they may see. */
  agent: Agent
  /** The token the socket was opened with: it must keep working for the socket to stay open. */
  tokenHash: string
  socket: WebSocket
  alive: boolean
  /** While missed events are replayed, live ones wait here, so order holds and none is sent twice. */
  held: Array<[HubEvent, string]> | null
  lastSentId: string | null
}

/**
 * The agent WebSockets of this process. Events arrive from the bus (from any process) and go
 * to each connected agent allowed to see them. A socket that reconnects with the id of the last
 * event it got receives what it missed, or `resync` when that is no longer kept.
 */
export class AgentStreams {
  private readonly connections = new Set<Connection>()
  /** Every socket here hears the same events: a repeat (a job run twice) is dropped once for all, live or replayed. */
  private readonly seen = new SeenKeys()
  private readonly unsubscribe: () => void
  private readonly timers: NodeJS.Timeout[]
  /** Sockets holding this turn's frames, written out together at its end. */
  private readonly corked = new Set<Socket>()

  constructor (private readonly s: HubServices) {
    const unsubscribe = s.bus.subscribe((event, frame) => this.broadcast(event, frame))
    const unsignal = s.bus.onSignal(ACCESS_CHANGED, payload => { void this.recheck((payload as { agentId: string }).agentId) })
    this.unsubscribe = () => { unsubscribe(); unsignal() }
    this.timers = [
      // Dead peers (a laptop lid closed) never send a close frame: ping, and drop who stays silent.
      setInterval(() => {
        for (const c of this.connections) {
          if (!c.alive) { c.socket.terminate(); continue }
          c.alive = false
          c.socket.ping()
        }
      }, PING_EVERY_MS),
      // Presence: an agent with a live socket here is seen, whichever process sweeps. Their rights are
      // checked again too, for a change whose signal was lost.
      setInterval(() => {
        const ids = [...new Set([...this.connections].map(c => c.agent.id))]
        this.s.store.touchAgents(ids, this.s.clock()).catch(err => this.s.logger.warn({ err: { message: (err as Error).message } }, 'presence heartbeat failed'))
        for (const id of ids) void this.recheck(id)
      }, s.config.presence.sweepMs)
    ]
    for (const timer of this.timers) timer.unref()
  }

  async add (agent: Agent, tokenHash: string, socket: WebSocket, lastEventId: string | undefined): Promise<void> {
    const connection: Connection = { agent, tokenHash, socket, alive: true, held: lastEventId !== undefined ? [] : null, lastSentId: null }
    this.connections.add(connection)
    socket.on('pong', () => { connection.alive = true })
    socket.on('close', () => this.connections.delete(connection))
    socket.on('error', () => this.connections.delete(connection))
    await this.s.store.touchAgents([agent.id], this.s.clock())
    socket.send(JSON.stringify({ type: 'ready', agentId: agent.id, status: agent.status }))
    this.s.logger.info({ agentId: agent.id, sockets: this.connections.size, resume: lastEventId !== undefined }, 'agent connected')
    if (lastEventId === undefined) return

    const missed = await this.s.bus.since(lastEventId).catch(() => null)
    if (missed === null) {
      socket.send(JSON.stringify({ type: 'resync', message: 'Some events since your last one are no longer kept; fetch conversations again.' }))
    } else {
      for (const event of missed) if (this.seen.isNew(event)) this.send(connection, event, this.signed(event, JSON.stringify(event)))
    }
    const held = connection.held ?? []
    connection.held = null
    for (const [event, frame] of held) this.send(connection, event, frame)
  }

  /** An agent's sockets after a change to their access: closed when their token no longer works, else given their current rights. */
  private async recheck (agentId: string): Promise<void> {
    for (const c of [...this.connections].filter(c => c.agent.id === agentId)) {
      const current = await this.s.store.findAgentByTokenHash(c.tokenHash).catch(() => undefined)
      if (current === undefined) continue
      if (current === null || current.id !== agentId || current.deactivatedAt !== null) {
        this.connections.delete(c)
        c.socket.close(4001, 'your token no longer works; sign in again')
        this.s.logger.info({ agentId }, 'agent socket closed: token no longer valid')
      } else {
        c.agent = current
      }
    }
  }

  private send (c: Connection, event: HubEvent, frame: string): void {
    if (!canSee(c.agent, event.audience)) return
    if (c.lastSentId !== null && compareIds(event.id, c.lastSentId) <= 0) return
    if (c.socket.readyState !== c.socket.OPEN) return
    if (c.socket.bufferedAmount > MAX_BUFFERED) {
      this.s.logger.warn({ agentId: c.agent.id }, 'agent socket too slow; closing')
      c.socket.close(1013, 'too slow; reconnect with lastEventId')
      return
    }
    c.lastSentId = event.id
    this.cork(c.socket)
    c.socket.send(frame)
  }

  /**
   * One message makes three events or more, each a frame: corked until the turn ends, a socket
   * gets them (and any other message's of that turn) in one write, not one syscall a frame
   * (`writev` was ~30 % of the hub's CPU fanning out to 9,000 sockets). `_socket` is ws's own
   * field for the TCP socket under it; without it frames go out one by one, as before.
   */
  private cork (socket: WebSocket): void {
    const tcp = (socket as WebSocket & { _socket?: Socket })._socket
    if (tcp === undefined || this.corked.has(tcp)) return
    if (this.corked.size === 0) setImmediate(() => this.uncorkAll())
    tcp.cork()
    this.corked.add(tcp)
  }

  private uncorkAll (): void {
    for (const tcp of this.corked) tcp.uncork()
    this.corked.clear()
  }

  /** Events carry plain file URLs; agents get signed links, made once per event. */
  private signed (event: HubEvent, frame: string): string {
    return frame.includes('/files/') ? JSON.stringify(this.s.links.signDeep(event, this.s.clock())) : frame
  }

  private broadcast (event: HubEvent, plain: string): void {
    if (!this.seen.isNew(event)) return
    const frame = this.signed(event, plain)
    // An agent's own status is theirs on every tab: keep the connection's copy current.
    for (const c of this.connections) {
      if (event.type === 'agent.status' && event.agentId === c.agent.id) c.agent = { ...c.agent, status: event.status }
      if (c.held !== null) c.held.push([event, frame])
      else this.send(c, event, frame)
    }
  }

  close (): void {
    this.uncorkAll()
    this.unsubscribe()
    for (const timer of this.timers) clearInterval(timer)
    for (const c of this.connections) c.socket.close(1001, 'hub shutting down')
  }
}
