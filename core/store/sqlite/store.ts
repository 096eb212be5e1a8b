import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { HubError, notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import type { Agent, Browsing, Contact, ContactDetails, ContactEdit, Conversation, FaqEntry, Message, MessageExtras, PageView, Phrase, QueueReason, Rating, StatusChange, Team } from '../../model/index.js'
import { decodeCursor, encodeCursor } from '../cursor.js'
import type {
  AgentPatch, AssignOptions, ConversationFilter, InboundRecord, InboundResult, MessageStatusUpdate, NewAgent, OutboundRecord,
  MessagePaging, NewPhrase, Page, PhrasePatch, RatingStat, StatusUpdate, Store
} from '../store.js'
import { PAGE_VIEWS_KEPT, RECENT_PAGES, phraseCodeTaken, phraseOwnerKey } from '../store.js'
import { mergeAttributes } from '../details.js'
import { migrations } from './migrations.js'
import {
  toAgent, toContact, toConversation, toFaqEntry, toMessage, toPhrase, toStatusChange, toTeam,
  type AgentRow, type ContactRow, type ConversationRow, type FaqRow, type IdentityRow, type MessageRow, type PhraseRow, type StatusLogRow, type TeamRow
} from './rows.js'

/** Thrown inside a write to roll it back when the message was already stored. */
class Duplicate extends Error {}
/** Thrown inside a write to roll it back when a conditional change did not apply. */
class NotApplied extends Error {}

interface PendingWrite<T> { work: () => T, resolve: (value: T) => void, reject: (err: unknown) => void }

/** Embedded store: one file, WAL so readers never block the writer, safe across processes. */
export class SqliteStore implements Store {
  readonly driver = 'sqlite'
  private readonly path: string
  private db!: Database.Database
  private statements = new Map<string, Database.Statement>()
  private pending: Array<PendingWrite<unknown>> = []
  /** Nested in the batch's transaction, a better-sqlite3 transaction is a savepoint: a throwing write undoes only itself. */
  private savepoint!: (work: () => unknown) => unknown
  private flushScheduled = false

  constructor (path: string) {
    this.path = path
  }

  async open (): Promise<void> {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true })
    this.db = new Database(this.path)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('busy_timeout = 5000')
    this.db.pragma('foreign_keys = ON')
    this.migrate()
    this.savepoint = this.db.transaction((work: () => unknown) => work())
  }

  private migrate (): void {
    const current = this.db.pragma('user_version', { simple: true }) as number
    if (current > migrations.length) {
      throw new HubError('store_too_new', `The database at ${this.path} was written by a newer Omnihub (schema ${current}); upgrade Omnihub.`, 500)
    }
    // Immediate: two processes starting together must not both migrate.
    this.db.transaction(() => {
      const version = this.db.pragma('user_version', { simple: true }) as number
      for (let v = version; v < migrations.length; v++) {
        this.db.exec(migrations[v]!)
        this.db.pragma(`user_version = ${v + 1}`)
      }
    }).immediate()
  }

  async close (): Promise<void> {
    if (this.db?.open) this.flush()
    this.statements.clear()
    if (this.db?.open) this.db.close()
  }

  async ping (): Promise<void> {
    this.sql('SELECT 1').get()
  }

  /** Prepared statements, cached by their text. */
  private sql (text: string): Database.Statement {
    let statement = this.statements.get(text)
    if (statement === undefined) {
      statement = this.db.prepare(text)
      this.statements.set(text, statement)
    }
    return statement
  }

  /**
   * Group commit: writes that arrive in the same event-loop turn share one transaction, each
   * in its own savepoint, so one commit (the costly part) serves many webhooks. A write's
   * promise settles only after that commit, so nothing is acknowledged before it is durable.
   */
  private async write<T> (work: () => T): Promise<T> {
    return await new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve, reject } as PendingWrite<unknown>)
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  private flush (): void {
    this.flushScheduled = false
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    const outcomes: Array<{ ok: true, value: unknown } | { ok: false, error: unknown }> = []
    try {
      this.db.transaction(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: this.savepoint(item.work) })
          } catch (error) {
            outcomes.push({ ok: false, error })
          }
        }
      }).immediate()
    } catch (error) {
      for (const item of batch) item.reject(error)
      return
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) item.resolve(outcome.value)
      else item.reject(outcome.error)
    })
  }

  async recordInbound (record: InboundRecord, now: Date): Promise<InboundResult> {
    const at = now.getTime()
    try {
      return await this.write((): InboundResult => {
        const joined = record.conversationId === undefined
          ? undefined
          : this.sql('SELECT * FROM conversations WHERE id = ?').get(record.conversationId) as ConversationRow | undefined
        const contactId = this.upsertIdentity(record, at, joined)
        const note = record.direction === 'note'
        const { id: conversationId, created } = joined !== undefined
          ? this.joinConversation(joined, note, at)
          : this.openConversation(record, contactId, note, at)
        const echo = record.direction === 'outbound'
        const message = this.sql(`INSERT INTO messages (id, conversation_id, channel_id, direction, author_type, author_id, text,
            attachments, cards, extras, external_id, status, routed, created_at, sent_at, delivered_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING *`).get(
          newId(at), conversationId, record.channelId, record.direction ?? 'inbound', echo ? 'agent' : 'contact', echo ? null : contactId,
          record.text, JSON.stringify(record.attachments), JSON.stringify(record.cards), record.extras === undefined ? null : JSON.stringify(record.extras),
          record.externalId, echo ? 'sent' : 'delivered', note ? 1 : 0, at, record.sentAt.getTime(), echo ? null : at, at) as MessageRow | undefined
        // The unique index says this message is stored already: undo whatever this write began.
        if (message === undefined) throw new Duplicate()
        const conversation = (note
          ? this.sql('UPDATE conversations SET updated_at = ? WHERE id = ? RETURNING *').get(at, conversationId)
          : echo
            ? this.sql(`UPDATE conversations SET last_outbound_at = MAX(COALESCE(last_outbound_at, 0), ?), last_activity_at = ?, updated_at = ?
                WHERE id = ? RETURNING *`).get(record.sentAt.getTime(), at, at, conversationId)
            : this.sql(`UPDATE conversations SET unread_count = unread_count + 1,
                last_inbound_at = CASE WHEN ? THEN MAX(COALESCE(last_inbound_at, 0), ?) ELSE last_inbound_at END, last_activity_at = ?, updated_at = ?
                WHERE id = ? RETURNING *`).get(record.opensWindow === false ? 0 : 1, record.sentAt.getTime(), at, at, conversationId)) as ConversationRow
        return { duplicate: false, conversationCreated: created, conversation: toConversation(conversation), message: toMessage(message) }
      })
    } catch (err) {
      if (!(err instanceof Duplicate)) throw err
      const existing = this.sql('SELECT * FROM messages WHERE channel_id = ? AND external_id = ?').get(record.channelId, record.externalId) as MessageRow
      const conversation = this.sql('SELECT * FROM conversations WHERE id = ?').get(existing.conversation_id) as ConversationRow
      return { duplicate: true, conversationCreated: false, conversation: toConversation(conversation), message: toMessage(existing) }
    }
  }

  /** The contact's open conversation on this channel and thread, or a new one (closed when a note opens it: nothing to answer). */
  private openConversation (record: InboundRecord, contactId: string, note: boolean, at: number): { id: string, created: boolean } {
    const thread = record.thread ?? ''
    const open = this.openIn(record.channelId, contactId, thread)
    if (open !== undefined) return { id: open, created: false }
    const id = newId(at)
    this.sql(`INSERT INTO conversations (id, channel_id, contact_id, thread, status, team_id, last_activity_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, record.channelId, contactId, thread, note ? 'closed' : 'unassigned', record.teamId, at, at, at)
    return { id, created: true }
  }

  /** A conversation the channel matched: a customer message reopens it if closed, unless the contact has opened another there since. */
  private joinConversation (joined: ConversationRow, note: boolean, at: number): { id: string, created: boolean } {
    if (joined.status !== 'closed' || note) return { id: joined.id, created: false }
    try {
      this.sql(`UPDATE conversations SET status = 'unassigned', assignee_id = NULL, assigned_at = NULL, updated_at = ? WHERE id = ?`).run(at, joined.id)
      return { id: joined.id, created: false }
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err
      return { id: this.openIn(joined.channel_id, joined.contact_id, joined.thread)!, created: false }
    }
  }

  /** The id of the contact's open conversation on a channel and thread (the partial unique index allows one). */
  private openIn (channelId: string, contactId: string, thread: string): string | undefined {
    return (this.sql("SELECT id FROM conversations WHERE channel_id = ? AND contact_id = ? AND thread = ? AND status != 'closed'").get(channelId, contactId, thread) as { id: string } | undefined)?.id
  }

  /**
   * Finds or creates the contact behind a channel identity; fills profile fields it lacks.
   * A new address writing into a matched conversation whose contact has that email is the
   * same person: the identity joins that contact (a webchat visitor answering by email).
   */
  private upsertIdentity (record: InboundRecord, at: number, joined?: ConversationRow): string {
    const { channelId, contact } = record
    const found = this.sql('SELECT contact_id FROM identities WHERE channel_id = ? AND external_id = ?')
      .get(channelId, contact.externalId) as { contact_id: string } | undefined
    if (found !== undefined) {
      // Profile fields agents edited are kept; only missing ones are filled from the channel.
      this.sql(`UPDATE contacts SET name = COALESCE(name, ?), email = COALESCE(email, ?), phone = COALESCE(phone, ?),
          avatar_url = COALESCE(avatar_url, ?), updated_at = ? WHERE id = ? AND
          (name IS NULL AND ? IS NOT NULL OR email IS NULL AND ? IS NOT NULL OR phone IS NULL AND ? IS NOT NULL OR avatar_url IS NULL AND ? IS NOT NULL)`)
        .run(contact.name ?? null, contact.email ?? null, contact.phone ?? null, contact.avatarUrl ?? null, at, found.contact_id,
          contact.name ?? null, contact.email ?? null, contact.phone ?? null, contact.avatarUrl ?? null)
      return found.contact_id
    }
    const owner = joined !== undefined && contact.email !== undefined
      ? this.sql('SELECT id FROM contacts WHERE id = ? AND lower(email) = lower(?)').get(joined.contact_id, contact.email) as { id: string } | undefined
      : undefined
    const contactId = owner?.id ?? newId(at)
    if (owner === undefined) {
      this.sql('INSERT INTO contacts (id, name, email, phone, avatar_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(contactId, contact.name ?? null, contact.email ?? null, contact.phone ?? null, contact.avatarUrl ?? null, at, at)
    }
    this.sql('INSERT INTO identities (channel_id, external_id, contact_id, created_at) VALUES (?, ?, ?, ?)')
      .run(channelId, contact.externalId, contactId, at)
    return contactId
  }

  async recordOutbound (record: OutboundRecord, now: Date): Promise<Message> {
    const at = now.getTime()
    return await this.write(() => {
      const conversation = this.sql('UPDATE conversations SET last_activity_at = ?, updated_at = ? WHERE id = ? RETURNING channel_id')
        .get(at, at, record.conversationId) as { channel_id: string } | undefined
      if (conversation === undefined) throw notFound('conversation', record.conversationId)
      const note = record.direction === 'note'
      const row = this.sql(`INSERT INTO messages (id, conversation_id, channel_id, direction, author_type, author_id, text, attachments, cards,
          extras, status, tag, routed, created_at, sent_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING *`).get(
        newId(at), record.conversationId, record.channelId ?? conversation.channel_id, record.direction, record.author.type, record.author.id, record.text,
        JSON.stringify(record.attachments), JSON.stringify(record.cards), record.extras === undefined ? null : JSON.stringify(record.extras),
        note ? 'sent' : 'pending', record.tag, at, note ? at : null, at) as MessageRow
      return toMessage(row)
    })
  }

  async updateMessageStatus (id: string, update: MessageStatusUpdate, now: Date): Promise<Message> {
    const at = now.getTime()
    const column = { sent: 'sent_at', delivered: 'delivered_at', read: 'read_at' }[update.status as string]
    return await this.write(() => {
      const row = this.sql(`UPDATE messages SET status = ?, external_id = COALESCE(?, external_id), error_code = ?, error_message = ?,
          updated_at = ?${column !== undefined ? `, ${column} = COALESCE(${column}, ?)` : ''} WHERE id = ? RETURNING *`)
        .get(...[update.status, update.externalId ?? null, update.errorCode ?? null, update.errorMessage ?? null, at,
          ...(column !== undefined ? [at] : []), id]) as MessageRow | undefined
      if (row === undefined) throw notFound('message', id)
      if (update.status === 'sent') {
        this.sql('UPDATE conversations SET last_outbound_at = ?, updated_at = ? WHERE id = ?').run(at, at, row.conversation_id)
      }
      return toMessage(row)
    })
  }

  async advanceOutbound (channelId: string, receipt: { status: 'delivered' | 'read', externalIds?: string[], upTo?: { contactExternalId: string, at: Date } }, now: Date): Promise<Message[]> {
    const at = now.getTime()
    const from = receipt.status === 'read' ? "('sent', 'delivered')" : "('sent')"
    const read = receipt.status === 'read'
    const set = `status = ?, delivered_at = COALESCE(delivered_at, ?),${read ? ' read_at = COALESCE(read_at, ?),' : ''} updated_at = ?`
    const setArgs = [receipt.status, at, ...(read ? [at] : []), at]
    const rows = await this.write(() => {
      const changed: MessageRow[] = []
      if (receipt.externalIds !== undefined && receipt.externalIds.length > 0) {
        changed.push(...this.sql(`UPDATE messages SET ${set} WHERE channel_id = ? AND direction = 'outbound' AND status IN ${from}
          AND external_id IN (SELECT value FROM json_each(?)) RETURNING *`)
          .all(...setArgs, channelId, JSON.stringify(receipt.externalIds)) as MessageRow[])
      }
      if (receipt.upTo !== undefined) {
        changed.push(...this.sql(`UPDATE messages SET ${set} WHERE channel_id = ? AND direction = 'outbound' AND status IN ${from}
          AND sent_at <= ? AND conversation_id IN (SELECT id FROM conversations WHERE channel_id = ? AND contact_id =
            (SELECT contact_id FROM identities WHERE channel_id = ? AND external_id = ?)) RETURNING *`)
          .all(...setArgs, channelId, receipt.upTo.at.getTime(), channelId, channelId, receipt.upTo.contactExternalId) as MessageRow[])
      }
      return changed
    })
    return rows.map(toMessage)
  }

  async fillProfile (channelId: string, contactExternalId: string, profile: { name?: string, avatarUrl?: string }, now: Date): Promise<void> {
    await this.write(() => this.sql(`UPDATE contacts SET name = COALESCE(name, ?), avatar_url = COALESCE(avatar_url, ?), updated_at = ?
      WHERE id = (SELECT contact_id FROM identities WHERE channel_id = ? AND external_id = ?)`)
      .run(profile.name ?? null, profile.avatarUrl ?? null, now.getTime(), channelId, contactExternalId))
  }

  async updateContact (channelId: string, contactExternalId: string, details: ContactDetails, now: Date): Promise<Contact | null> {
    const contactId = await this.write(() => {
      const row = this.sql(`SELECT c.* FROM contacts c JOIN identities i ON i.contact_id = c.id WHERE i.channel_id = ? AND i.external_id = ?`)
        .get(channelId, contactExternalId) as ContactRow | undefined
      if (row === undefined) return null
      const attributes = mergeAttributes(JSON.parse(row.attributes) as Record<string, unknown>, details.attributes)
      this.sql('UPDATE contacts SET name = ?, email = ?, phone = ?, attributes = ?, updated_at = ? WHERE id = ?')
        .run(details.name ?? row.name, details.email ?? row.email, details.phone ?? row.phone, JSON.stringify(attributes), now.getTime(), row.id)
      return row.id
    })
    return contactId === null ? null : await this.getContact(contactId)
  }

  async recordPageView (channelId: string, externalId: string, view: PageView): Promise<void> {
    await this.write(() => {
      this.sql('INSERT INTO page_views (channel_id, external_id, url, title, referrer, at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(channelId, externalId, view.url, view.title, view.referrer, view.at.getTime())
      // Keep the first visit and the latest ones; older pages in between go.
      this.sql(`DELETE FROM page_views WHERE channel_id = ? AND external_id = ?
          AND id > (SELECT MIN(id) FROM page_views WHERE channel_id = ? AND external_id = ?)
          AND id <= (SELECT id FROM page_views WHERE channel_id = ? AND external_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`)
        .run(channelId, externalId, channelId, externalId, channelId, externalId, PAGE_VIEWS_KEPT)
    })
  }

  async browsing (identities: Array<{ channelId: string, externalId: string }>): Promise<Browsing> {
    if (identities.length === 0) return { firstVisit: null, recentPages: [] }
    const where = identities.map(() => '(channel_id = ? AND external_id = ?)').join(' OR ')
    const args = identities.flatMap(i => [i.channelId, i.externalId])
    type Row = { url: string, title: string, referrer: string | null, at: number }
    const toView = (r: Row): PageView => ({ url: r.url, title: r.title, referrer: r.referrer, at: new Date(r.at) })
    const first = this.db.prepare(`SELECT * FROM page_views WHERE ${where} ORDER BY at, id LIMIT 1`).get(...args) as Row | undefined
    const recent = this.db.prepare(`SELECT * FROM page_views WHERE ${where} ORDER BY at DESC, id DESC LIMIT ?`).all(...args, RECENT_PAGES) as Row[]
    return { firstVisit: first === undefined ? null : toView(first), recentPages: recent.map(toView) }
  }

  async markRouted (id: string): Promise<void> {
    await this.write(() => this.sql('UPDATE messages SET routed = 1 WHERE id = ?').run(id))
  }

  async setMessageExtras (id: string, extras: MessageExtras): Promise<Message> {
    return await this.write(() => {
      const row = this.sql('UPDATE messages SET extras = ? WHERE id = ? RETURNING *').get(JSON.stringify(extras), id) as MessageRow | undefined
      if (row === undefined) throw notFound('message', id)
      return toMessage(row)
    })
  }

  async retryMessage (id: string, now: Date): Promise<Message | null> {
    const row = await this.write(() => this.sql(`UPDATE messages SET status = 'pending', error_code = NULL, error_message = NULL, updated_at = ?
      WHERE id = ? AND status = 'failed' AND direction = 'outbound' RETURNING *`).get(now.getTime(), id) as MessageRow | undefined)
    return row === undefined ? null : toMessage(row)
  }

  async getMessage (id: string): Promise<Message | null> {
    const row = this.sql('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined
    return row === undefined ? null : toMessage(row)
  }

  async findMessagesByExternalId (channelId: string, externalIds: string[]): Promise<Message[]> {
    if (externalIds.length === 0) return []
    return (this.sql('SELECT * FROM messages WHERE channel_id = ? AND external_id IN (SELECT value FROM json_each(?)) ORDER BY id')
      .all(channelId, JSON.stringify(externalIds)) as MessageRow[]).map(toMessage)
  }

  async listMessages (conversationId: string, options: MessagePaging): Promise<Page<Message>> {
    const after = options.cursor !== undefined ? String(decodeCursor(options.cursor, 1)[0]) : ''
    const rows = this.sql('SELECT * FROM messages WHERE conversation_id = ? AND id > ? AND created_at >= ? ORDER BY id LIMIT ?')
      .all(conversationId, after, options.since?.getTime() ?? 0, options.limit + 1) as MessageRow[]
    const more = rows.length > options.limit
    const items = rows.slice(0, options.limit).map(toMessage)
    return { items, nextCursor: more ? encodeCursor([items[items.length - 1]!.id]) : null }
  }

  async listUnfinished (olderThan: Date, limit: number): Promise<{ pendingOutbound: Message[], unrouted: Message[] }> {
    const before = olderThan.getTime()
    const pending = this.sql("SELECT * FROM messages WHERE status = 'pending' AND created_at <= ? ORDER BY created_at LIMIT ?").all(before, limit) as MessageRow[]
    const unrouted = this.sql("SELECT * FROM messages WHERE routed = 0 AND direction = 'inbound' AND created_at <= ? ORDER BY created_at LIMIT ?").all(before, limit) as MessageRow[]
    return { pendingOutbound: pending.map(toMessage), unrouted: unrouted.map(toMessage) }
  }

  async getConversation (id: string): Promise<Conversation | null> {
    const row = this.sql('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined
    return row === undefined ? null : toConversation(row)
  }

  /** The WHERE clause of a conversation filter. */
  private conversationWhere (filter: ConversationFilter): { where: string[], args: Array<string | number> } {
    const where: string[] = []
    const args: Array<string | number> = []
    if (filter.status === 'open') where.push("status != 'closed'")
    else if (filter.status !== undefined) { where.push('status = ?'); args.push(filter.status) }
    if (filter.channelId !== undefined) { where.push('channel_id = ?'); args.push(filter.channelId) }
    if (filter.assigneeId === null) where.push('assignee_id IS NULL')
    else if (filter.assigneeId !== undefined) { where.push('assignee_id = ?'); args.push(filter.assigneeId) }
    if (filter.contactId !== undefined) { where.push('contact_id = ?'); args.push(filter.contactId) }
    if (filter.teamIds !== undefined) { where.push('team_id IN (SELECT value FROM json_each(?))'); args.push(JSON.stringify(filter.teamIds)) }
    if (filter.unread === true) where.push('unread_count > 0')
    if (filter.moodAlert === true) where.push('mood_alert_at IS NOT NULL')
    if (filter.tag !== undefined) { where.push('EXISTS (SELECT 1 FROM json_each(conversations.tags) WHERE value = ?)'); args.push(filter.tag) }
    if (filter.search !== undefined) {
      const like = `%${filter.search.replace(/[\\%_]/g, c => `\\${c}`)}%`
      where.push(`(contact_id IN (SELECT id FROM contacts WHERE name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\')
        OR id IN (SELECT conversation_id FROM messages WHERE text LIKE ? ESCAPE '\\'))`)
      args.push(like, like, like)
    }
    if (filter.unansweredSince !== undefined) {
      where.push("status != 'closed' AND last_inbound_at <= ? AND (last_outbound_at IS NULL OR last_outbound_at < last_inbound_at)")
      args.push(filter.unansweredSince.getTime())
    }
    if (filter.visibleTo !== undefined) {
      where.push('(team_id IS NULL OR team_id IN (SELECT value FROM json_each(?)) OR assignee_id = ?)')
      args.push(JSON.stringify(filter.visibleTo.teams), filter.visibleTo.agentId)
    }
    return { where, args }
  }

  async listConversations (filter: ConversationFilter, options: { cursor?: string, limit: number }): Promise<Page<Conversation>> {
    const { where, args } = this.conversationWhere(filter)
    if (options.cursor !== undefined) {
      const [activity, id] = decodeCursor(options.cursor, 2)
      where.push('(last_activity_at < ? OR (last_activity_at = ? AND id < ?))')
      args.push(Number(activity), Number(activity), String(id))
    }
    const rows = this.sql(`SELECT * FROM conversations ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY last_activity_at DESC, id DESC LIMIT ?`).all(...args, options.limit + 1) as ConversationRow[]
    const more = rows.length > options.limit
    const items = rows.slice(0, options.limit)
    const last = items[items.length - 1]
    return { items: items.map(toConversation), nextCursor: more && last !== undefined ? encodeCursor([last.last_activity_at, last.id]) : null }
  }

  async countConversations (filter: ConversationFilter): Promise<number> {
    const { where, args } = this.conversationWhere(filter)
    const row = this.sql(`SELECT COUNT(*) AS n FROM conversations ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}`).get(...args) as { n: number }
    return row.n
  }

  async lastMessages (conversationIds: string[]): Promise<Message[]> {
    const rows = this.sql(`SELECT m.* FROM json_each(?) c JOIN messages m ON m.id = (
        SELECT id FROM messages WHERE conversation_id = c.value ORDER BY id DESC LIMIT 1)`).all(JSON.stringify(conversationIds)) as MessageRow[]
    return rows.map(toMessage)
  }

  async getContact (id: string): Promise<Contact | null> {
    const row = this.sql('SELECT * FROM contacts WHERE id = ?').get(id) as ContactRow | undefined
    if (row === undefined) return null
    const identities = this.sql('SELECT * FROM identities WHERE contact_id = ? ORDER BY created_at').all(id) as IdentityRow[]
    return toContact(row, identities)
  }

  async getContacts (ids: string[]): Promise<Contact[]> {
    const rows = this.sql('SELECT * FROM contacts WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as ContactRow[]
    const identities = this.sql('SELECT * FROM identities WHERE contact_id IN (SELECT value FROM json_each(?)) ORDER BY created_at').all(JSON.stringify(ids)) as IdentityRow[]
    return rows.map(row => toContact(row, identities.filter(i => i.contact_id === row.id)))
  }

  async editContact (id: string, edit: ContactEdit, now: Date): Promise<Contact> {
    const set = Object.entries({ name: edit.name, email: edit.email, phone: edit.phone, notes: edit.notes, tags: edit.tags === undefined ? undefined : JSON.stringify(edit.tags) })
      .filter(([, value]) => value !== undefined)
    const changed = await this.write(() => this.sql(`UPDATE contacts SET ${set.map(([column]) => `${column} = ?, `).join('')}updated_at = ? WHERE id = ?`)
      .run(...set.map(([, value]) => value ?? null), now.getTime(), id))
    if (changed.changes === 0) throw notFound('contact', id)
    return (await this.getContact(id))!
  }

  async createAgent (agent: NewAgent, now: Date): Promise<Agent> {
    const id = newId(now.getTime())
    try {
      this.sql('INSERT INTO agents (id, name, email, role, teams, token_hash, capacity, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, agent.name, agent.email.toLowerCase(), agent.role, JSON.stringify(agent.teams), agent.tokenHash, agent.capacity ?? null, now.getTime())
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new HubError('agent_exists', `An agent with email ${agent.email} already exists.`, 409)
      }
      throw err
    }
    return toAgent(this.sql('SELECT * FROM agents WHERE id = ?').get(id) as AgentRow)
  }

  async findAgentByTokenHash (tokenHash: string): Promise<Agent | null> {
    const row = this.sql('SELECT * FROM agents WHERE token_hash = ?').get(tokenHash) as AgentRow | undefined
    return row === undefined ? null : toAgent(row)
  }

  async ensureAgentWithToken (agent: NewAgent, now: Date): Promise<Agent> {
    const existing = await this.findAgentByTokenHash(agent.tokenHash)
    if (existing !== null) return existing
    const updated = this.sql('UPDATE agents SET token_hash = ? WHERE email = ?').run(agent.tokenHash, agent.email.toLowerCase())
    if (updated.changes > 0) return (await this.findAgentByTokenHash(agent.tokenHash))!
    return await this.createAgent(agent, now)
  }

  async getAgent (id: string): Promise<Agent | null> {
    const row = this.sql('SELECT * FROM agents WHERE id = ?').get(id) as AgentRow | undefined
    return row === undefined ? null : toAgent(row)
  }

  async listAgents (): Promise<Agent[]> {
    return (this.sql('SELECT * FROM agents ORDER BY name, id').all() as AgentRow[]).map(toAgent)
  }

  async updateAgent (id: string, patch: AgentPatch): Promise<Agent> {
    const row = await this.write(() => this.sql(`UPDATE agents SET name = COALESCE(?, name), role = COALESCE(?, role),
        teams = COALESCE(?, teams), capacity = CASE WHEN ? THEN ? ELSE capacity END, locale = CASE WHEN ? THEN ? ELSE locale END,
        welcome = CASE WHEN ? THEN ? ELSE welcome END
        WHERE id = ? RETURNING *`)
      .get(patch.name ?? null, patch.role ?? null, patch.teams !== undefined ? JSON.stringify(patch.teams) : null,
        patch.capacity !== undefined ? 1 : 0, patch.capacity ?? null, patch.locale !== undefined ? 1 : 0, patch.locale ?? null,
        patch.welcome !== undefined ? 1 : 0, patch.welcome ?? null, id) as AgentRow | undefined)
    if (row === undefined) throw notFound('agent', id)
    return toAgent(row)
  }

  async rotateAgentToken (id: string, tokenHash: string): Promise<void> {
    const changed = await this.write(() => this.sql('UPDATE agents SET token_hash = ? WHERE id = ?').run(tokenHash, id))
    if (changed.changes === 0) throw notFound('agent', id)
  }

  async setAgentStatus (id: string, update: StatusUpdate, now: Date): Promise<Agent | null> {
    const at = now.getTime()
    return await this.write(() => {
      const from = update.from ?? ['online', 'busy', 'offline']
      const row = this.sql(`UPDATE agents SET status = ?, status_changed_at = ?,
          last_active_at = CASE WHEN ? = 'api' THEN ? ELSE last_active_at END,
          last_seen_at = CASE WHEN ? = 'api' THEN ? ELSE last_seen_at END
        WHERE id = ? AND status IN (SELECT value FROM json_each(?)) RETURNING *`)
        .get(update.status, at, update.source, at, update.source, at, id, JSON.stringify(from)) as AgentRow | undefined
      if (row === undefined) {
        if (this.sql('SELECT 1 FROM agents WHERE id = ?').get(id) === undefined) throw notFound('agent', id)
        return null
      }
      this.sql('INSERT INTO agent_status_log (id, agent_id, status, at, source, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(newId(at), id, update.status, at, update.source, update.ip ?? null, update.userAgent ?? null)
      return toAgent(row)
    })
  }

  async touchAgents (ids: string[], now: Date): Promise<void> {
    if (ids.length === 0) return
    await this.write(() => this.sql('UPDATE agents SET last_seen_at = ? WHERE id IN (SELECT value FROM json_each(?))').run(now.getTime(), JSON.stringify(ids)))
  }

  async markAgentActive (id: string, now: Date): Promise<void> {
    await this.write(() => this.sql('UPDATE agents SET last_seen_at = ?, last_active_at = ? WHERE id = ?').run(now.getTime(), now.getTime(), id))
  }

  async listStatusLog (filter: { agentId?: string }, options: { cursor?: string, limit: number }): Promise<Page<StatusChange>> {
    const before = options.cursor !== undefined ? String(decodeCursor(options.cursor, 1)[0]) : '\uffff'
    const rows = (filter.agentId !== undefined
      ? this.sql('SELECT * FROM agent_status_log WHERE agent_id = ? AND id < ? ORDER BY id DESC LIMIT ?').all(filter.agentId, before, options.limit + 1)
      : this.sql('SELECT * FROM agent_status_log WHERE id < ? ORDER BY id DESC LIMIT ?').all(before, options.limit + 1)) as StatusLogRow[]
    const items = rows.slice(0, options.limit).map(toStatusChange)
    return { items, nextCursor: rows.length > options.limit ? encodeCursor([items[items.length - 1]!.id]) : null }
  }

  async createTeam (team: { id: string, name: string }, now: Date): Promise<Team> {
    try {
      return toTeam(await this.write(() => this.sql('INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?) RETURNING *').get(team.id, team.name, now.getTime()) as TeamRow))
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new HubError('team_exists', `A team with id ${team.id} already exists.`, 409)
      throw err
    }
  }

  async getTeam (id: string): Promise<Team | null> {
    const row = this.sql('SELECT * FROM teams WHERE id = ?').get(id) as TeamRow | undefined
    return row === undefined ? null : toTeam(row)
  }

  async listTeams (): Promise<Team[]> {
    return (this.sql('SELECT * FROM teams ORDER BY id').all() as TeamRow[]).map(toTeam)
  }

  async updateTeam (id: string, patch: { name: string }): Promise<Team> {
    const row = await this.write(() => this.sql('UPDATE teams SET name = ? WHERE id = ? RETURNING *').get(patch.name, id) as TeamRow | undefined)
    if (row === undefined) throw notFound('team', id)
    return toTeam(row)
  }

  async assignConversation (conversationId: string, agentId: string, options: AssignOptions, now: Date): Promise<Conversation | null> {
    const at = now.getTime()
    try {
      return await this.write(() => {
        const before = this.sql('SELECT * FROM conversations WHERE id = ?').get(conversationId) as ConversationRow | undefined
        if (before === undefined) throw notFound('conversation', conversationId)
        const movable = options.onlyIfWaiting ? before.status === 'unassigned' && before.assignee_id === null : before.status !== 'closed'
        if (!movable || before.assignee_id === agentId) throw new NotApplied()
        // The capacity check and the increment are one statement: concurrent routers cannot both pass it.
        const statuses = options.statuses ?? ['online', 'busy', 'offline']
        const taken = this.sql(`UPDATE agents SET active_count = active_count + 1, last_routed_at = ?
          WHERE id = ? AND (? IS NULL OR active_count < ?) AND status IN (${statuses.map(() => '?').join(', ')}) RETURNING id`)
          .get(at, agentId, options.capacity, options.capacity, ...statuses)
        if (taken === undefined) throw new NotApplied()
        if (before.assignee_id !== null) this.sql('UPDATE agents SET active_count = MAX(active_count - 1, 0) WHERE id = ?').run(before.assignee_id)
        return toConversation(this.sql(`UPDATE conversations SET status = 'assigned', assignee_id = ?, assigned_at = ?, queued_at = NULL,
            queue_reason = NULL, updated_at = ? WHERE id = ? RETURNING *`).get(agentId, at, at, conversationId) as ConversationRow)
      })
    } catch (err) {
      if (err instanceof NotApplied) return null
      throw err
    }
  }

  async unassignConversation (conversationId: string, now: Date, options: { teamId?: string | null } = {}): Promise<Conversation> {
    const at = now.getTime()
    return await this.write(() => {
      const before = this.sql('SELECT * FROM conversations WHERE id = ?').get(conversationId) as ConversationRow | undefined
      if (before === undefined) throw notFound('conversation', conversationId)
      if (before.status === 'closed') throw new HubError('conversation_closed', 'The conversation is closed; reopen it first.', 409)
      if (before.assignee_id !== null) this.sql('UPDATE agents SET active_count = MAX(active_count - 1, 0) WHERE id = ?').run(before.assignee_id)
      const teamId = options.teamId !== undefined ? options.teamId : before.team_id
      return toConversation(this.sql(`UPDATE conversations SET status = 'unassigned', assignee_id = NULL, assigned_at = NULL, team_id = ?,
          updated_at = ? WHERE id = ? RETURNING *`).get(teamId, at, conversationId) as ConversationRow)
    })
  }

  async queueConversation (conversationId: string, reason: QueueReason, since: Date, now: Date): Promise<Conversation | null> {
    const row = await this.write(() => this.sql(`UPDATE conversations SET queued_at = COALESCE(queued_at, ?), queue_reason = ?, updated_at = ?
      WHERE id = ? AND status = 'unassigned' RETURNING *`).get(since.getTime(), reason, now.getTime(), conversationId) as ConversationRow | undefined)
    return row === undefined ? null : toConversation(row)
  }

  async listQueue (limit: number): Promise<Conversation[]> {
    return (this.sql("SELECT * FROM conversations WHERE queued_at IS NOT NULL AND status = 'unassigned' ORDER BY queued_at, id LIMIT ?")
      .all(limit) as ConversationRow[]).map(toConversation)
  }

  async queueSizes (): Promise<Array<{ teamId: string | null, size: number }>> {
    return (this.sql("SELECT team_id, COUNT(*) AS size FROM conversations WHERE queued_at IS NOT NULL AND status = 'unassigned' GROUP BY team_id")
      .all() as Array<{ team_id: string | null, size: number }>).map(r => ({ teamId: r.team_id, size: r.size }))
  }

  async queuePosition (conversation: Conversation): Promise<number> {
    if (conversation.queuedAt === null) return 0
    const at = conversation.queuedAt.getTime()
    const row = this.sql(`SELECT COUNT(*) AS ahead FROM conversations WHERE queued_at IS NOT NULL AND status = 'unassigned'
      AND team_id IS ? AND (queued_at < ? OR (queued_at = ? AND id < ?))`).get(conversation.teamId, at, at, conversation.id) as { ahead: number }
    return row.ahead + 1
  }

  async closeConversation (id: string, now: Date): Promise<Conversation> {
    const at = now.getTime()
    return await this.write(() => {
      const before = this.sql('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined
      if (before === undefined) throw notFound('conversation', id)
      if (before.status === 'closed') return toConversation(before)
      if (before.assignee_id !== null) this.sql('UPDATE agents SET active_count = MAX(active_count - 1, 0) WHERE id = ?').run(before.assignee_id)
      return toConversation(this.sql(`UPDATE conversations SET status = 'closed', queued_at = NULL, queue_reason = NULL, unread_count = 0,
          updated_at = ? WHERE id = ? RETURNING *`).get(at, id) as ConversationRow)
    })
  }

  async setConversationTags (id: string, tags: string[], now: Date): Promise<Conversation> {
    const row = await this.write(() => this.sql('UPDATE conversations SET tags = ?, updated_at = ? WHERE id = ? RETURNING *').get(JSON.stringify(tags), now.getTime(), id) as ConversationRow | undefined)
    if (row === undefined) throw notFound('conversation', id)
    return toConversation(row)
  }

  async markConversationRead (id: string, now: Date): Promise<Conversation> {
    const row = await this.write(() => this.sql('UPDATE conversations SET unread_count = 0, updated_at = ? WHERE id = ? RETURNING *').get(now.getTime(), id) as ConversationRow | undefined)
    if (row === undefined) throw notFound('conversation', id)
    return toConversation(row)
  }

  async markMoodAlert (id: string, at: Date): Promise<Conversation | null> {
    return await this.write(() => {
      const row = this.sql('UPDATE conversations SET mood_alert_at = ?, updated_at = ? WHERE id = ? AND mood_alert_at IS NULL RETURNING *').get(at.getTime(), at.getTime(), id) as ConversationRow | undefined
      return row === undefined ? null : toConversation(row)
    })
  }

  async setConversationBot (id: string, on: boolean, now: Date): Promise<Conversation | null> {
    const [from, to] = on ? ['unassigned', 'bot'] : ['bot', 'unassigned']
    const row = await this.write(() => this.sql(`UPDATE conversations SET status = ?, queued_at = NULL, queue_reason = NULL, updated_at = ?
      WHERE id = ? AND status = ? AND assignee_id IS NULL RETURNING *`).get(to, now.getTime(), id, from) as ConversationRow | undefined)
    return row === undefined ? null : toConversation(row)
  }

  async markRatingInvited (id: string, at: Date): Promise<Conversation> {
    const row = await this.write(() => this.sql('UPDATE conversations SET rating_invited_at = ?, updated_at = ? WHERE id = ? RETURNING *').get(at.getTime(), at.getTime(), id) as ConversationRow | undefined)
    if (row === undefined) throw notFound('conversation', id)
    return toConversation(row)
  }

  async rateConversation (id: string, rating: Rating, now: Date): Promise<Conversation> {
    const row = await this.write(() => this.sql(`UPDATE conversations SET rating_score = ?, rating_comment = ?, rating_agent_id = ?, rated_at = ?, updated_at = ?
      WHERE id = ? RETURNING *`).get(rating.score, rating.comment, rating.agentId, rating.at.getTime(), now.getTime(), id) as ConversationRow | undefined)
    if (row === undefined) throw notFound('conversation', id)
    return toConversation(row)
  }

  async ratingStats (since: Date): Promise<RatingStat[]> {
    return this.sql(`SELECT rating_agent_id AS agentId, channel_id AS channelId, COUNT(*) AS count, AVG(rating_score) AS average,
      SUM(rating_score >= 4) AS satisfied FROM conversations WHERE rated_at >= ? GROUP BY rating_agent_id, channel_id ORDER BY channel_id, rating_agent_id`)
      .all(since.getTime()) as RatingStat[]
  }

  async reopenConversation (id: string, now: Date): Promise<Conversation> {
    const at = now.getTime()
    try {
      return await this.write(() => {
        const row = this.sql(`UPDATE conversations SET status = 'unassigned', assignee_id = NULL, assigned_at = NULL, mood_alert_at = NULL, last_activity_at = ?,
            updated_at = ? WHERE id = ? AND status = 'closed' RETURNING *`).get(at, at, id) as ConversationRow | undefined
        if (row !== undefined) return toConversation(row)
        const current = this.sql('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined
        if (current === undefined) throw notFound('conversation', id)
        return toConversation(current)
      })
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new HubError('conversation_open_elsewhere', 'This contact already has an open conversation on this channel; continue that one.', 409)
      }
      throw err
    }
  }

  async listAssigned (agentId: string): Promise<Conversation[]> {
    return (this.sql("SELECT * FROM conversations WHERE assignee_id = ? AND status = 'assigned' ORDER BY assigned_at").all(agentId) as ConversationRow[]).map(toConversation)
  }

  async recordServed (contactId: string, agentId: string, now: Date): Promise<void> {
    await this.write(() => this.sql('UPDATE contacts SET last_agent_id = ?, last_agent_at = ? WHERE id = ?').run(agentId, now.getTime(), contactId))
  }

  async listContactMessages (contactId: string, options: { cursor?: string, limit: number }): Promise<Page<Message>> {
    const after = options.cursor !== undefined ? String(decodeCursor(options.cursor, 1)[0]) : ''
    const rows = this.sql(`SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id
      WHERE c.contact_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`).all(contactId, after, options.limit + 1) as MessageRow[]
    const items = rows.slice(0, options.limit).map(toMessage)
    return { items, nextCursor: rows.length > options.limit ? encodeCursor([items[items.length - 1]!.id]) : null }
  }

  async kvGet (namespace: string, key: string): Promise<string | null> {
    const row = this.sql('SELECT value FROM plugin_kv WHERE namespace = ? AND key = ?').get(namespace, key) as { value: string } | undefined
    return row?.value ?? null
  }

  async kvSet (namespace: string, key: string, value: string): Promise<void> {
    this.sql('INSERT INTO plugin_kv (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value')
      .run(namespace, key, value)
  }

  async kvDelete (namespace: string, key: string): Promise<void> {
    this.sql('DELETE FROM plugin_kv WHERE namespace = ? AND key = ?').run(namespace, key)
  }

  async createPhrase (phrase: NewPhrase, now: Date): Promise<Phrase> {
    const at = now.getTime()
    return await this.write(() => {
      try {
        return toPhrase(this.sql(`INSERT INTO phrases (id, scope, owner_id, team_id, owner_key, code, title, text, attachments, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`).get(newId(at), phrase.scope, phrase.ownerId, phrase.teamId, phraseOwnerKey(phrase), phrase.code, phrase.title,
          phrase.text, JSON.stringify(phrase.attachments), at, at) as PhraseRow)
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw phraseCodeTaken(phrase.code)
        throw err
      }
    })
  }

  async getPhrase (id: string): Promise<Phrase | null> {
    const row = this.sql('SELECT * FROM phrases WHERE id = ?').get(id) as PhraseRow | undefined
    return row === undefined ? null : toPhrase(row)
  }

  async updatePhrase (id: string, patch: PhrasePatch, now: Date): Promise<Phrase> {
    return await this.write(() => {
      try {
        const row = this.sql(`UPDATE phrases SET code = COALESCE(?, code), title = COALESCE(?, title), text = COALESCE(?, text),
            attachments = COALESCE(?, attachments), updated_at = ? WHERE id = ? RETURNING *`)
          .get(patch.code ?? null, patch.title ?? null, patch.text ?? null, patch.attachments === undefined ? null : JSON.stringify(patch.attachments), now.getTime(), id) as PhraseRow | undefined
        if (row === undefined) throw notFound('phrase', id)
        return toPhrase(row)
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw phraseCodeTaken(patch.code!)
        throw err
      }
    })
  }

  async deletePhrase (id: string): Promise<void> {
    await this.write(() => {
      if (this.sql('DELETE FROM phrases WHERE id = ?').run(id).changes === 0) throw notFound('phrase', id)
    })
  }

  async listPhrases (filter: { agentId: string, teamIds: string[] | 'all' }): Promise<Phrase[]> {
    const teams = filter.teamIds === 'all' ? "scope = 'team'" : `team_id IN (${filter.teamIds.map(() => '?').join(',') || "''"})`
    const rows = this.sql(`SELECT * FROM phrases WHERE owner_id = ? OR scope = 'hub' OR ${teams} ORDER BY code, id`)
      .all(filter.agentId, ...(filter.teamIds === 'all' ? [] : filter.teamIds)) as PhraseRow[]
    return rows.map(toPhrase)
  }

  async recordAgentEvent (agentId: string, kind: string, at: Date): Promise<void> {
    await this.write(() => { this.sql('INSERT INTO agent_events (agent_id, kind, at) VALUES (?, ?, ?)').run(agentId, kind, at.getTime()) })
  }

  async countAgentEvents (since: Date): Promise<Array<{ agentId: string, kind: string, count: number }>> {
    return this.sql('SELECT agent_id AS agentId, kind, COUNT(*) AS count FROM agent_events WHERE at >= ? GROUP BY agent_id, kind ORDER BY agent_id, kind')
      .all(since.getTime()) as Array<{ agentId: string, kind: string, count: number }>
  }

  async putFaqEntries (entries: FaqEntry[]): Promise<void> {
    await this.write(() => {
      const put = this.sql(`INSERT INTO faq_entries (id, team_id, question, alternatives, answer, related, created_by, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id, question = excluded.question,
        alternatives = excluded.alternatives, answer = excluded.answer, related = excluded.related, updated_at = excluded.updated_at`)
      for (const e of entries) {
        put.run(e.id, e.teamId, e.question, JSON.stringify(e.alternatives), e.answer, JSON.stringify(e.related), e.createdBy, e.createdAt.getTime(), e.updatedAt.getTime())
      }
    })
  }

  async getFaqEntry (id: string): Promise<FaqEntry | null> {
    const row = this.sql('SELECT * FROM faq_entries WHERE id = ?').get(id) as FaqRow | undefined
    return row === undefined ? null : toFaqEntry(row)
  }

  async deleteFaqEntry (id: string): Promise<void> {
    await this.write(() => {
      if (this.sql('DELETE FROM faq_entries WHERE id = ?').run(id).changes === 0) throw notFound('FAQ entry', id)
    })
  }

  async listFaqEntries (teamIds: string[] | 'all'): Promise<FaqEntry[]> {
    const teams = teamIds === 'all' ? 'TRUE' : `team_id IN (${teamIds.map(() => '?').join(', ') || "''"})`
    return (this.sql(`SELECT * FROM faq_entries WHERE team_id IS NULL OR ${teams} ORDER BY created_at, id`)
      .all(...(teamIds === 'all' ? [] : teamIds)) as FaqRow[]).map(toFaqEntry)
  }

  async recordChannelEvent (channelId: string, kind: string, at: Date): Promise<void> {
    await this.write(() => { this.sql('INSERT INTO channel_events (channel_id, kind, at) VALUES (?, ?, ?)').run(channelId, kind, at.getTime()) })
  }

  async countChannelEvents (since: Date): Promise<Array<{ channelId: string, kind: string, count: number }>> {
    return this.sql('SELECT channel_id AS channelId, kind, COUNT(*) AS count FROM channel_events WHERE at >= ? GROUP BY channel_id, kind ORDER BY channel_id, kind')
      .all(since.getTime()) as Array<{ channelId: string, kind: string, count: number }>
  }

  async kvSetIfAbsent (namespace: string, key: string, value: string): Promise<boolean> {
    return this.sql('INSERT INTO plugin_kv (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO NOTHING').run(namespace, key, value).changes === 1
  }

  async kvTake (namespace: string, key: string): Promise<string | null> {
    const row = this.sql('DELETE FROM plugin_kv WHERE namespace = ? AND key = ? RETURNING value').get(namespace, key) as { value: string } | undefined
    return row?.value ?? null
  }
}

