import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { eventKey } from './key.js'
import { compareIds, isEventId, Listeners, REPLAY_MAX, REPLAY_WINDOW, SignalListeners, type EventBus, type EventListener, type HubEvent, type OutgoingEvent, type SignalListener } from './bus.js'

type Entry = [id: string, fields: string[]]

/**
 * A capped Redis Stream shared by every hub process: XADD to publish, one blocking XREAD loop
 * per process to receive, XRANGE to replay what a reconnecting socket missed. Entry ids are
 * the event ids.
 */
export class RedisEventBus implements EventBus {
  private readonly writer: Redis
  private readonly reader: Redis
  private readonly key: string
  private readonly listeners = new Listeners()
  private readonly signals = new SignalListeners()
  /** Signals go over Redis pub/sub, on a connection of their own (a subscribed client does nothing else). */
  private readonly subscriber: Redis
  private running = false
  private loop: Promise<void> | undefined

  constructor (url: string, prefix: string, private readonly logger: Logger) {
    this.key = `${prefix}:events`
    this.writer = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true })
    this.reader = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true })
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true })
    this.subscriber.on('message', (channel: string, message: string) => {
      try {
        this.signals.emit(channel.slice(this.key.length + 1), JSON.parse(message), err =>
          this.logger.warn({ err: { message: (err as Error).message } }, 'signal listener failed'))
      } catch {
        this.logger.warn('unreadable signal')
      }
    })
    for (const client of [this.writer, this.reader, this.subscriber]) {
      client.on('error', (err: Error) => this.logger.warn({ code: (err as NodeJS.ErrnoException).code }, 'redis event bus error'))
    }
  }

  /** Starts receiving: events published from now on reach this process's listeners. */
  async open (): Promise<void> {
    const last = await this.reader.xrevrange(this.key, '+', '-', 'COUNT', 1) as Entry[]
    let cursor = last[0]?.[0] ?? '0-0'
    this.running = true
    this.loop = (async () => {
      while (this.running) {
        try {
          const batch = await this.reader.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', this.key, cursor) as Array<[string, Entry[]]> | null
          for (const [id, fields] of batch?.[0]?.[1] ?? []) {
            cursor = id
            this.deliver(id, fields)
          }
        } catch (err) {
          if (!this.running) return
          this.logger.warn({ err: { message: (err as Error).message } }, 'event stream read failed; retrying')
          await new Promise(resolve => setTimeout(resolve, 500))
        }
      }
    })()
  }

  private decode (id: string, fields: string[]): { event: HubEvent, frame: string } {
    const payload = fields[1]!
    // The id is only known once Redis stored the entry: splice it into the frame.
    const frame = `{"id":"${id}",${payload.slice(1)}`
    return { event: { id, ...JSON.parse(payload) as Omit<HubEvent, 'id'> } as HubEvent, frame }
  }

  private deliver (id: string, fields: string[]): void {
    try {
      const { event, frame } = this.decode(id, fields)
      this.listeners.emit(event, frame)
    } catch (err) {
      this.logger.warn({ eventId: id, err: { message: (err as Error).message } }, 'unreadable event on the stream')
    }
  }

  async publish (event: OutgoingEvent): Promise<void> {
    await this.writer.xadd(this.key, 'MAXLEN', '~', REPLAY_WINDOW, '*', 'e', JSON.stringify({ key: eventKey(event), ...event }))
  }

  subscribe (listener: EventListener): () => void {
    return this.listeners.add(listener)
  }

  async since (lastId: string): Promise<HubEvent[] | null> {
    if (!isEventId(lastId)) return null
    const oldest = await this.writer.xrange(this.key, '-', '+', 'COUNT', 1) as Entry[]
    // Older than anything kept: some events after it may have been trimmed away.
    if (oldest[0] === undefined || compareIds(lastId, oldest[0][0]) < 0) return null
    const missed = await this.writer.xrange(this.key, `(${lastId}`, '+', 'COUNT', REPLAY_MAX + 1) as Entry[]
    if (missed.length > REPLAY_MAX) return null
    return missed.map(([id, fields]) => this.decode(id, fields).event)
  }

  async signal (topic: string, payload: unknown): Promise<void> {
    await this.writer.publish(`${this.key}:${topic}`, JSON.stringify(payload))
  }

  onSignal (topic: string, listener: SignalListener): () => void {
    const first = !this.signals.has(topic)
    const remove = this.signals.add(topic, listener)
    if (first) {
      this.subscriber.subscribe(`${this.key}:${topic}`).catch(err =>
        this.logger.warn({ topic, err: { message: (err as Error).message } }, 'signal subscription failed'))
    }
    return remove
  }

  async close (): Promise<void> {
    this.running = false
    this.subscriber.disconnect()
    this.reader.disconnect()
    await this.loop
    await this.writer.quit().catch(() => {})
  }
}
