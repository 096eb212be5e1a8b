import type { WebSocket } from 'ws'
import type { Logger } from 'pino'
import type { EventBus } from '../events/index.js'
import type { Agent } from '../model/index.js'

/** A socket that has this much unsent data is too slow to keep up: it is closed, not buffered forever. */
const MAX_BUFFERED = 4 * 1024 * 1024
const PING_EVERY_MS = 30_000

interface Connection { agent: Agent, socket: WebSocket, alive: boolean }

/**
 * The agent WebSockets of this process. Events arrive from the bus (from any process)
 * and go to every connected agent allowed to see them.
 */
export class AgentStreams {
  private readonly connections = new Set<Connection>()
  private readonly unsubscribe: () => void
  private readonly pinger: NodeJS.Timeout

  constructor (bus: EventBus, private readonly logger: Logger) {
    this.unsubscribe = bus.subscribe((_event, frame) => this.broadcast(frame))
    // Dead peers (a laptop lid closed) never send a close frame: ping, and drop who stays silent.
    this.pinger = setInterval(() => {
      for (const c of this.connections) {
        if (!c.alive) { c.socket.terminate(); continue }
        c.alive = false
        c.socket.ping()
      }
    }, PING_EVERY_MS)
    this.pinger.unref()
  }

  add (agent: Agent, socket: WebSocket): void {
    const connection: Connection = { agent, socket, alive: true }
    this.connections.add(connection)
    socket.on('pong', () => { connection.alive = true })
    socket.on('close', () => this.connections.delete(connection))
    socket.on('error', () => this.connections.delete(connection))
    socket.send(JSON.stringify({ type: 'ready', agentId: agent.id }))
    this.logger.info({ agentId: agent.id, sockets: this.connections.size }, 'agent connected')
  }

  get size (): number {
    return this.connections.size
  }

  private broadcast (frame: string): void {    for (const c of this.connections) {
      if (c.socket.readyState !== c.socket.OPEN) continue
      if (c.socket.bufferedAmount > MAX_BUFFERED) {
        this.logger.warn({ agentId: c.agent.id }, 'agent socket too slow; closing')
        c.socket.close(1013, 'too slow; reconnect and refetch')
        continue
      }
      c.socket.send(frame)
    }
  }

  close (): void {
    this.unsubscribe()
    clearInterval(this.pinger)
    for (const c of this.connections) c.socket.close(1001, 'hub shutting down')
  }
}
