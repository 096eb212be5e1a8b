import { eventKey } from './key.js'
import { isEventId, Listeners, REPLAY_MAX, REPLAY_WINDOW, SignalListeners, type EventBus, type EventListener, type HubEvent, type OutgoingEvent, type SignalListener } from './bus.js'

/** One process: events go straight to its listeners; the last ones stay in a ring for replay. */
export class LocalEventBus implements EventBus {
  private readonly listeners = new Listeners()
  private readonly ring: HubEvent[] = []
  /** Ids start at this process's boot time, so an id from before a restart is recognised as a gap. */
  private readonly boot = Date.now()
  private seq = 0

  async publish (outgoing: OutgoingEvent): Promise<void> {
    const event = { id: `${this.boot}-${++this.seq}`, key: eventKey(outgoing), ...outgoing } as HubEvent
    this.ring.push(event)
    if (this.ring.length > REPLAY_WINDOW) this.ring.splice(0, this.ring.length - REPLAY_WINDOW)
    if (this.listeners.size > 0) this.listeners.emit(event, JSON.stringify(event))
  }

  subscribe (listener: EventListener): () => void {
    return this.listeners.add(listener)
  }

  async since (lastId: string): Promise<HubEvent[] | null> {
    if (!isEventId(lastId)) return null
    const [boot, seq] = lastId.split('-').map(Number) as [number, number]
    const oldest = this.seq - this.ring.length + 1
    // Another boot of this process, an id never issued, or events after it already dropped from the ring.
    if (boot !== this.boot || seq > this.seq || seq < oldest - 1) return null
    const missed = this.ring.slice(seq - oldest + 1)
    return missed.length > REPLAY_MAX ? null : missed
  }

  private readonly signals = new SignalListeners()

  async signal (topic: string, payload: unknown): Promise<void> {
    // A copy, as over Redis: a listener never shares the sender's objects.
    this.signals.emit(topic, JSON.parse(JSON.stringify(payload)), () => {})
  }

  onSignal (topic: string, listener: SignalListener): () => void {
    return this.signals.add(topic, listener)
  }

  async close (): Promise<void> {}
}
