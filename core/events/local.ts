import { Listeners, type EventBus, type EventListener, type HubEvent } from './bus.js'

/** One process: events go straight to its listeners. */
export class LocalEventBus implements EventBus {
  private readonly listeners = new Listeners()

  async publish (event: HubEvent): Promise<void> {
    if (this.listeners.size > 0) this.listeners.emit(event, JSON.stringify(event))
  }

  subscribe (listener: EventListener): () => void {
    return this.listeners.add(listener)
  }

  async close (): Promise<void> {}
}
