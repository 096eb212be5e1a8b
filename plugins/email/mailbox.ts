import { ImapFlow, type MailboxObject } from 'imapflow'
import type { Logger } from 'pino'
import type { ChannelHealth, ChannelKv } from '../../core/channels/index.js'
import { messageIds } from './message-ids.js'
import type { EmailConfig } from './settings.js'

export interface MailboxOptions {
  imap: EmailConfig['imap']
  processed: EmailConfig['processed']
  kv: ChannelKv
  logger: Logger
  reportHealth: (health: ChannelHealth) => void
  /** Stores one mail; resolves once it is durable. */
  deliver: (source: Buffer) => Promise<void>
  /** Which of these Message-IDs are stored already. */
  known: (messageIds: string[]) => Promise<Set<string>>
}

/** Where the mailbox was read up to; a new UIDVALIDITY makes the UIDs meaningless. */
interface Cursor { validity: string, lastUid: number }

const BATCH = 100
/** After this many failed tries a mail that cannot be processed is skipped (and logged), not retried forever. */
const MAX_TRIES = 5

/**
 * Watches one IMAP folder: fetches exactly the mail after the last UID it stored, then waits in
 * IDLE (or polls). Any drop closes the client and a new one reconnects with backoff; the cursor
 * in the channel's key-value makes the next sync pick up what arrived meanwhile.
 */
export class Mailbox {
  private readonly o: MailboxOptions
  private stopped = false
  private client: ImapFlow | null = null
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private readonly tries = new Map<number, number>()

  constructor (options: MailboxOptions) {
    this.o = options
  }

  start (): void {
    this.loop ??= this.run()
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.wake?.()
    this.client?.close()
    await this.loop
  }

  private async run (): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      const client = this.connectClient()
      try {
        await client.connect()
        const lock = await client.getMailboxLock(this.o.imap.folder)
        try {
          if (failures > 0) this.o.logger.info({ folder: this.o.imap.folder }, 'imap reconnected')
          failures = 0
          this.o.reportHealth({ ok: true })
          await this.watch(client)
        } finally {
          lock.release()
        }
      } catch (err) {
        if (this.stopped) break
        failures++
        const e = err as { code?: string, authenticationFailed?: boolean, message?: string }
        this.o.logger.warn({ code: e.code ?? (e.authenticationFailed === true ? 'AUTHENTICATIONFAILED' : undefined), failures }, 'imap connection lost')
        if (e.authenticationFailed === true) this.o.reportHealth({ ok: false, code: 'imap_auth_failed', message: 'The IMAP server refused the credentials; an admin must fix them in config.' })
        else if (failures >= 3) this.o.reportHealth({ ok: false, code: 'imap_unreachable', message: `The IMAP server has not answered after ${failures} tries; new mail waits on the server.` })
      } finally {
        client.close()
      }
      if (!this.stopped) await this.sleep(Math.min(this.o.imap.reconnectMaxMs, this.o.imap.reconnectMinMs * 2 ** Math.max(0, failures - 1)))
    }
  }

  private connectClient (): ImapFlow {
    const { imap } = this.o
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: imap.accessToken !== undefined ? { user: imap.user, accessToken: imap.accessToken } : { user: imap.user, pass: imap.password! },
      tls: { rejectUnauthorized: imap.rejectUnauthorized },
      logger: false,
      disableAutoIdle: true,
      // Without IDLE, imapflow polls with NOOP at this interval.
      maxIdleTime: imap.pollMs,
      connectionTimeout: imap.timeoutMs,
      greetingTimeout: imap.timeoutMs,
      socketTimeout: Math.max(imap.timeoutMs, imap.idleRestartMs + imap.timeoutMs)
    })
    // An 'error' with no listener would crash the hub; the connect/idle promises report it too.
    client.on('error', err => this.o.logger.debug({ code: (err as { code?: string }).code }, 'imap client error'))
    this.client = client
    return client
  }

  /** Sync, then IDLE until new mail, a periodic restart, a drop, or stop. */
  private async watch (client: ImapFlow): Promise<void> {
    let dirty = false
    const breakIdle = (): void => { if (client.idling) client.noop().catch(() => {}) }
    client.on('exists', () => { dirty = true; breakIdle() })
    // A silent IDLE may hide a dead connection: break it now and then, which also re-syncs.
    const restart = setInterval(breakIdle, this.o.imap.idleRestartMs)
    try {
      while (!this.stopped && client.usable) {
        dirty = false
        await this.sync(client)
        if (dirty || this.stopped) continue
        await client.idle()
      }
    } finally {
      clearInterval(restart)
    }
    if (!this.stopped) throw Object.assign(new Error('IMAP connection closed'), { code: 'ECONNCLOSED' })
  }

  private async sync (client: ImapFlow): Promise<void> {
    const box = client.mailbox as MailboxObject
    const key = `imap:${this.o.imap.folder}`
    const validity = box.uidValidity.toString()
    const saved = await this.o.kv.get(key)
    let cursor = saved === null ? null : JSON.parse(saved) as Cursor
    let uids: number[]
    if (cursor === null || cursor.validity !== validity) {
      // A first start imports what the config says; a changed UIDVALIDITY re-reads the folder
      // and the Message-ID check below skips what is stored already.
      const mode = cursor === null ? this.o.imap.firstSync : 'all'
      if (cursor !== null) this.o.logger.warn({ folder: this.o.imap.folder }, 'imap UIDVALIDITY changed; resyncing by Message-ID')
      cursor = { validity, lastUid: mode === 'new' ? box.uidNext - 1 : 0 }
      uids = mode === 'new' ? [] : await client.search(mode === 'unseen' ? { seen: false } : { all: true }, { uid: true }) || []
      await this.o.kv.set(key, JSON.stringify(cursor))
    } else {
      uids = await client.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true }) || []
    }
    // `n:*` always matches the last message, even below n: keep only what is new.
    const fresh = uids.filter(uid => uid > cursor.lastUid).sort((a, b) => a - b)
    for (let i = 0; i < fresh.length; i += BATCH) {
      // Collect first, act after: a command issued inside a fetch iteration deadlocks.
      const batch = await client.fetchAll(fresh.slice(i, i + BATCH).join(','), { uid: true, envelope: true }, { uid: true })
      const items = batch.map(m => ({ uid: m.uid, id: messageIds(m.envelope?.messageId)[0] })).sort((a, b) => a.uid - b.uid)
      const known = await this.o.known(items.flatMap(item => item.id ?? []))
      for (const item of items) {
        if (item.id === undefined || !known.has(item.id)) await this.fetchAndDeliver(client, item.uid)
        await this.markProcessed(client, item.uid)
        cursor.lastUid = item.uid
        await this.o.kv.set(key, JSON.stringify(cursor))
      }
    }
  }

  private async fetchAndDeliver (client: ImapFlow, uid: number): Promise<void> {
    const message = await client.fetchOne(String(uid), { source: true }, { uid: true })
    if (message === false || message === undefined || message.source === undefined) return
    try {
      await this.o.deliver(message.source)
      this.tries.delete(uid)
    } catch (err) {
      const tries = (this.tries.get(uid) ?? 0) + 1
      this.tries.set(uid, tries)
      const code = (err as { code?: string }).code
      // Stored but not queued: the recovery sweep routes it, nothing is lost by moving on.
      if (code === 'queue_unavailable') return
      if (tries < MAX_TRIES) throw err
      this.tries.delete(uid)
      this.o.logger.error({ uid, folder: this.o.imap.folder, code, err: { message: (err as Error).message } }, 'mail could not be processed; skipped, it stays on the server')
    }
  }

  private async markProcessed (client: ImapFlow, uid: number): Promise<void> {
    const { action, folder } = this.o.processed
    if (action === 'seen') await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true })
    if (action === 'move') await client.messageMove(String(uid), folder!, { uid: true })
  }

  private async sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, ms)
      this.wake = () => { clearTimeout(timer); resolve() }
    })
    this.wake = null
  }
}
