import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { Listeners, type EventBus, type EventListener, type HubEvent } from './bus.js'

/** Redis pub/sub: every hub process subscribes to one channel per prefix. */
export class RedisEventBus implements EventBus {
  private readonly publisher: Redis
  private readonly subscriber: Redis
  private readonly channel: string
  private readonly listeners = new Listeners()

  constructor (url: string, prefix: string, private readonly logger: Logger) {
    this.channel = `${prefix}:events`
    this.publisher = new Redis(url, { maxRetriesPerRequest: 1 })
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null })
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (err: Error) => this.logger.warn({ code: (err as NodeJS.ErrnoException).code }, 'redis event bus error'))
    }
    this.subscriber.on('message', (_channel: string, payload: string) => {
      try {
        this.listeners.emit(JSON.parse(payload) as HubEvent, payload)
      } catch (err) {
        this.logger.warn({ err: { message: (err as Error).message } }, 'unreadable event on the bus')
      }
    })
  }

  /** Resolves once this process receives events. */
  async open (): Promise<void> {
    await this.subscriber.subscribe(this.channel)
  }

  async publish (event: HubEvent): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(event))
  }

  subscribe (listener: EventListener): () => void {
    return this.listeners.add(listener)
  }

  async close (): Promise<void> {
    await Promise.all([this.publisher.quit(), this.subscriber.quit()].map(async p => await p.catch(() => {})))
  }
}
