import type { EventBus } from '../events/index.js'
import { conversationAudience } from '../events/index.js'
import type { Identity } from '../model/index.js'
import type { InboxStore } from '../store/index.js'
import type { Logger } from 'pino'

/** Whether a customer is on the seller's site now (a website channel's widget is open), and on which page. */
export interface Presence {
  online: boolean
  url: string | null
  title: string | null
  /** Since when they are online, or since when they left. */
  since: Date
}

/** A channel's report: the customer came, moved to a page, or left; with the conversation it knows of theirs. */
export interface PresenceReport {
  online: boolean
  page?: { url: string, title: string }
  conversationId?: string | null
}

const TOPIC = 'customer-presence'
/** Each process says again who is online on its sockets this often; an entry not heard of for STALE_MS is gone (its process died). */
const BEAT_MS = 30_000
const STALE_MS = 75_000
/** A visitor who left is forgotten after this long ("left 3 h ago" still helps; last week's visitors only take memory). */
const FORGET_MS = 6 * 3_600_000

type Heard = Presence & { heardAt: number }
type Entry = { key: string, presence: Omit<Presence, 'since'> & { since: string } }
/** One change, or a process's beat: every visitor online on its sockets, in one message. */
type Signal = Entry | { beat: Entry[] }

const entryOf = (key: string, presence: Presence): Entry => ({ key, presence: { ...presence, since: presence.since.toISOString() } })

const keyOf = (channelId: string, externalId: string): string => `${channelId}|${externalId}`

/**
 * Who is on the site now, in every process's memory and nowhere else: it is true only while
 * the sockets are open, so a restart forgets nothing worth keeping. A change is a bus signal
 * every process hears; the process that saw it tells agents of the contact's conversation once
 * (`contact.presence`). Each process repeats its online visitors every BEAT_MS, so one that
 * starts, or hears nothing from a process that died, is right within STALE_MS.
 */
export class CustomerPresence {
  private readonly heard = new Map<string, Heard>()
  private readonly mine = new Map<string, Presence>()
  private stopped: Array<() => void> = []

  constructor (
    private readonly d: { bus: EventBus, store: Pick<InboxStore, 'getConversation'>, logger: Logger, clock: () => Date },
    private readonly timing = { beatMs: BEAT_MS, staleMs: STALE_MS }
  ) {}

  start (): void {
    this.stopped.push(this.d.bus.onSignal(TOPIC, payload => {
      const signal = payload as Signal
      for (const { key, presence } of 'beat' in signal ? signal.beat : [signal]) this.heard.set(key, { ...presence, since: new Date(presence.since), heardAt: Date.now() })
    }))
    const beat = setInterval(() => {
      const now = Date.now()
      for (const [key, heard] of this.heard) if (!heard.online && now - heard.heardAt > FORGET_MS) this.heard.delete(key)
      if (this.mine.size > 0) this.signal({ beat: [...this.mine].map(([key, presence]) => entryOf(key, presence)) })
    }, this.timing.beatMs)
    beat.unref()
    this.stopped.push(() => clearInterval(beat))
  }

  stop (): void {
    for (const stop of this.stopped) stop()
    this.stopped = []
  }

  /** A channel's report; best effort (a lost signal is repeated by the next beat). */
  async report (channelId: string, externalId: string, report: PresenceReport): Promise<void> {
    const key = keyOf(channelId, externalId)
    const before = this.current(key)
    const presence: Presence = {
      online: report.online,
      url: report.page?.url ?? before?.url ?? null,
      title: report.page?.title ?? before?.title ?? null,
      since: before !== null && before.online === report.online ? before.since : this.d.clock()
    }
    if (report.online) this.mine.set(key, presence)
    else this.mine.delete(key)
    this.heard.set(key, { ...presence, heardAt: Date.now() })
    this.signal(entryOf(key, presence))
    const changed = before?.online !== presence.online || before.url !== presence.url
    if (changed && report.conversationId != null) await this.announce(report.conversationId, presence)
  }

  /** The freshest presence among a contact's identities; null when none was heard of. */
  of (identities: Array<Pick<Identity, 'channelId' | 'externalId'>>): Presence | null {
    const all = identities.map(i => this.current(keyOf(i.channelId, i.externalId))).filter(p => p !== null)
    return all.find(p => p.online) ?? all.sort((a, b) => b.since.getTime() - a.since.getTime())[0] ?? null
  }

  private current (key: string): Presence | null {
    const heard = this.heard.get(key)
    if (heard === undefined) return null
    const { heardAt, ...presence } = heard
    // Not heard of since its process's last beat: that process is gone, and the visitor with it.
    return presence.online && Date.now() - heardAt > this.timing.staleMs ? { ...presence, online: false, since: new Date(heardAt) } : presence
  }

  private signal (signal: Signal): void {
    this.d.bus.signal(TOPIC, signal).catch(err => this.d.logger.debug({ err: { message: (err as Error).message } }, 'presence not signalled'))
  }

  private async announce (conversationId: string, presence: Presence): Promise<void> {
    const conversation = await this.d.store.getConversation(conversationId)
    if (conversation === null) return
    await this.d.bus.publish({ type: 'contact.presence', contactId: conversation.contactId, presence, audience: conversationAudience(conversation) })
      .catch(err => this.d.logger.debug({ err: { message: (err as Error).message } }, 'presence not announced'))
  }
}
