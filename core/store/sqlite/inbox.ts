import { newId } from '../../ids.js'
import type { Browsing, Contact, ContactDetails, ContactEdit, Conversation, Message, MessageExtras, PageView, ProfileFill, QueueReason, SuppressionReason, MessageAmendment } from '../../model/index.js'
import { decodeCursor, encodeCursor, pageById, type Page } from '../cursor.js'
import { amended } from '../amend.js'
import { mergeAttributes } from '../details.js'
import { storeConflict, storeNotFound } from '../errors.js'
import {
  PAGE_VIEWS_KEPT, RECENT_PAGES, type AssignOptions, type ConversationFilter, type InboundRecord, type InboundResult, type InboxStore, type InLine,
  type MessagePaging, type MessageStatusUpdate, type OutboundRecord, type Receipt, type RepairReport
} from '../inbox.js'
import { isUniqueViolation, SqlitePart } from './connection.js'
import { blockJson, suppressionJson, toContact, toConversation, toMessage, type ContactRow, type ConversationRow, type IdentityRow, type MessageRow } from './rows.js'

/**
 * The response-time check's and the auto-close sweep's filters, in the terms of the partial
 * indexes conversations_unanswered and conversations_answered, so that those serve them.
 */
export const UNANSWERED_SINCE = "status != 'closed' AND last_inbound_at <= ? AND (last_reply_at IS NULL OR last_reply_at < last_inbound_at)"
export const REPLIED_BEFORE = "status != 'closed' AND last_reply_at <= ? AND (last_inbound_at IS NULL OR last_inbound_at < last_reply_at)"

/** With this many behind it, a conversation is far from the back of its line: those ahead are counted instead. */
const BEHIND_COUNTED = 1000

/** Thrown inside a write to roll it back when the message was already stored. */
class Duplicate extends Error {}
/** Thrown inside a write to roll it back when a conditional change did not apply. */
class NotApplied extends Error {}

export class SqliteInbox extends SqlitePart implements InboxStore {
  async recordInbound (record: InboundRecord, now: Date): Promise<InboundResult> {
    const at = now.getTime()
    try {
      return await this.db.write((): InboundResult => {
        const joined = record.conversationId === undefined
          ? undefined
          : this.db.sql('SELECT * FROM conversations WHERE id = ?').get(record.conversationId) as ConversationRow | undefined
        const contactId = this.#upsertIdentity(record, at, joined)
        const extras = this.#heldExtras(record, contactId)
        const held = extras?.held !== undefined
        const note = record.direction === 'note' || held
        const { id: conversationId, created } = joined !== undefined
          ? this.#joinConversation(joined, note, at)
          : this.#openConversation(record, contactId, note, at, held)
        const echo = record.direction === 'outbound'
        const message = this.db.sql(`INSERT INTO messages (id, conversation_id, channel_id, direction, author_type, author_id, text,
            attachments, cards, extras, external_id, status, routed, created_at, sent_at, delivered_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING *`).get(
          newId(at), conversationId, record.channelId, note ? 'note' : record.direction ?? 'inbound', echo ? 'agent' : 'contact', echo ? null : contactId,
          record.text, JSON.stringify(record.attachments), JSON.stringify(record.cards), extras === undefined ? null : JSON.stringify(extras),
          record.externalId, echo ? 'sent' : 'delivered', note ? 1 : 0, at, record.sentAt.getTime(), echo ? null : at, at) as MessageRow | undefined
        // The unique index says this message is stored already: undo whatever this write began.
        if (message === undefined) throw new Duplicate()
        const conversation = (note
          ? this.db.sql('UPDATE conversations SET updated_at = ? WHERE id = ? RETURNING *').get(at, conversationId)
          : echo
            ? this.db.sql(`UPDATE conversations SET last_outbound_at = MAX(COALESCE(last_outbound_at, 0), ?), last_reply_at = MAX(COALESCE(last_reply_at, 0), ?),
                last_activity_at = ?, updated_at = ? WHERE id = ? RETURNING *`).get(record.sentAt.getTime(), record.sentAt.getTime(), at, at, conversationId)
            : this.db.sql(`UPDATE conversations SET unread_count = unread_count + 1,
                last_inbound_at = CASE WHEN ? THEN MAX(COALESCE(last_inbound_at, 0), ?) ELSE last_inbound_at END, last_activity_at = ?, updated_at = ?
                WHERE id = ? RETURNING *`).get(record.opensWindow === false ? 0 : 1, record.sentAt.getTime(), at, at, conversationId)) as ConversationRow
        return { duplicate: false, conversationCreated: created, conversation: toConversation(conversation), message: toMessage(message) }
      })
    } catch (err) {
      if (!(err instanceof Duplicate)) throw err
      const existing = this.db.sql('SELECT * FROM messages WHERE channel_id = ? AND external_id = ?').get(record.channelId, record.externalId) as MessageRow
      const conversation = this.db.sql('SELECT * FROM conversations WHERE id = ?').get(existing.conversation_id) as ConversationRow
      return { duplicate: true, conversationCreated: false, conversation: toConversation(conversation), message: toMessage(existing) }
    }
  }

  /** The extras a customer's message is stored with: `held` when the core holds it or its contact is blocked (rule 8). */
  #heldExtras (record: InboundRecord, contactId: string): MessageExtras | undefined {
    if ((record.direction ?? 'inbound') !== 'inbound') return record.extras
    const blocked = record.held === undefined && (this.db.sql('SELECT blocked IS NOT NULL AS blocked FROM contacts WHERE id = ?').get(contactId) as { blocked: number }).blocked === 1
    if (record.held === undefined && !blocked) return record.extras
    return { ...record.extras, held: record.held !== undefined ? { ...record.held, team: record.teamId } : { reason: 'blocked', team: record.teamId } }
  }

  /** The contact's open conversation on this channel and thread, or a new one (closed when a note opens it: nothing to answer). */
  #openConversation (record: InboundRecord, contactId: string, note: boolean, at: number, held: boolean): { id: string, created: boolean } {
    const thread = record.thread ?? ''
    const open = this.#openIn(record.channelId, contactId, thread)
    if (open !== undefined) return { id: open, created: false }
    const id = newId(at)
    this.db.sql(`INSERT INTO conversations (id, channel_id, contact_id, thread, status, team_id, held, last_activity_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, record.channelId, contactId, thread, note ? 'closed' : 'unassigned', record.teamId, held ? 1 : 0, at, at, at)
    return { id, created: true }
  }

  /** A conversation the channel matched: a customer message reopens it if closed, unless the contact has opened another there since. */
  #joinConversation (joined: ConversationRow, note: boolean, at: number): { id: string, created: boolean } {
    if (joined.status !== 'closed' || note) return { id: joined.id, created: false }
    try {
      this.db.sql(`UPDATE conversations SET status = 'unassigned', assignee_id = NULL, assigned_at = NULL, held = 0, updated_at = ? WHERE id = ?`).run(at, joined.id)
      return { id: joined.id, created: false }
    } catch (err) {
      if (!isUniqueViolation(err)) throw err
      return { id: this.#openIn(joined.channel_id, joined.contact_id, joined.thread)!, created: false }
    }
  }

  /** The id of the contact's open conversation on a channel and thread (the partial unique index allows one). */
  #openIn (channelId: string, contactId: string, thread: string): string | undefined {
    return (this.db.sql("SELECT id FROM conversations WHERE channel_id = ? AND contact_id = ? AND thread = ? AND status != 'closed'").get(channelId, contactId, thread) as { id: string } | undefined)?.id
  }

  /**
   * Finds or creates the contact behind a channel identity; fills profile fields it lacks.
   * A new address writing into a matched conversation whose contact has that email is the
   * same person: the identity joins that contact (a webchat visitor answering by email). So does
   * a new identity the channel says is the same as one it knows (`contact.sameAs`).
   */
  #upsertIdentity (record: InboundRecord, at: number, joined?: ConversationRow): string {
    const { channelId, contact } = record
    const found = this.db.sql('SELECT contact_id FROM identities WHERE channel_id = ? AND external_id = ?')
      .get(channelId, contact.externalId) as { contact_id: string } | undefined
    if (found !== undefined) {
      // Profile fields agents edited are kept; only missing ones are filled from the channel.
      this.db.sql(`UPDATE contacts SET name = COALESCE(name, ?), email = COALESCE(email, ?), phone = COALESCE(phone, ?),
          avatar_url = COALESCE(avatar_url, ?), updated_at = ? WHERE id = ? AND
          (name IS NULL AND ? IS NOT NULL OR email IS NULL AND ? IS NOT NULL OR phone IS NULL AND ? IS NOT NULL OR avatar_url IS NULL AND ? IS NOT NULL)`)
        .run(contact.name ?? null, contact.email ?? null, contact.phone ?? null, contact.avatarUrl ?? null, at, found.contact_id,
          contact.name ?? null, contact.email ?? null, contact.phone ?? null, contact.avatarUrl ?? null)
      return found.contact_id
    }
    // The channel says who this new identity is (a chat-plugin guest's user_ref, now with a PSID), else the email match.
    const owner = (contact.sameAs !== undefined
      ? this.db.sql('SELECT contact_id AS id FROM identities WHERE channel_id = ? AND external_id = ?').get(channelId, contact.sameAs) as { id: string } | undefined
      : undefined) ?? (joined !== undefined && contact.email !== undefined
      ? this.db.sql('SELECT id FROM contacts WHERE id = ? AND lower(email) = lower(?)').get(joined.contact_id, contact.email) as { id: string } | undefined
      : undefined)
    const contactId = owner?.id ?? newId(at)
    if (owner === undefined) {
      this.db.sql('INSERT INTO contacts (id, name, email, phone, avatar_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(contactId, contact.name ?? null, contact.email ?? null, contact.phone ?? null, contact.avatarUrl ?? null, at, at)
    }
    this.db.sql('INSERT INTO identities (channel_id, external_id, contact_id, created_at) VALUES (?, ?, ?, ?)')
      .run(channelId, contact.externalId, contactId, at)
    return contactId
  }

  async repair (_olderThan: Date): Promise<RepairReport> {
    return { counted: 0, agents: 0 }
  }

  async recordOutbound (record: OutboundRecord, now: Date): Promise<Message> {
    const at = now.getTime()
    return await this.db.write(() => {
      const conversation = this.db.sql('UPDATE conversations SET last_activity_at = ?, updated_at = ? WHERE id = ? RETURNING channel_id')
        .get(at, at, record.conversationId) as { channel_id: string } | undefined
      if (conversation === undefined) throw storeNotFound('conversation', record.conversationId)
      const note = record.direction === 'note'
      const row = this.db.sql(`INSERT INTO messages (id, conversation_id, channel_id, direction, author_type, author_id, text, attachments, cards,
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
    return await this.db.write(() => {
      const row = this.db.sql(`UPDATE messages SET status = ?, external_id = COALESCE(?, external_id), error_code = ?, error_message = ?,
          updated_at = ?${column !== undefined ? `, ${column} = COALESCE(${column}, ?)` : ''} WHERE id = ? RETURNING *`)
        .get(...[update.status, update.externalId ?? null, update.errorCode ?? null, update.errorMessage ?? null, at,
          ...(column !== undefined ? [at] : []), id]) as MessageRow | undefined
      if (row === undefined) throw storeNotFound('message', id)
      if (update.status === 'sent') {
        this.db.sql(`UPDATE conversations SET last_outbound_at = ?, last_reply_at = CASE WHEN ? THEN ? ELSE last_reply_at END, updated_at = ?
          WHERE id = ?`).run(at, row.author_type === 'agent' ? 1 : 0, at, at, row.conversation_id)
      }
      return toMessage(row)
    })
  }

  async advanceOutbound (channelId: string, receipt: Receipt, now: Date): Promise<Message[]> {
    const at = now.getTime()
    const from = receipt.status === 'read' ? "('sent', 'delivered')" : "('sent')"
    const read = receipt.status === 'read'
    const set = `status = ?, delivered_at = COALESCE(delivered_at, ?),${read ? ' read_at = COALESCE(read_at, ?),' : ''} updated_at = ?`
    const setArgs = [receipt.status, at, ...(read ? [at] : []), at]
    const rows = await this.db.write(() => {
      const changed: MessageRow[] = []
      if (receipt.externalIds !== undefined && receipt.externalIds.length > 0) {
        changed.push(...this.db.sql(`UPDATE messages SET ${set} WHERE channel_id = ? AND direction = 'outbound' AND status IN ${from}
          AND external_id IN (SELECT value FROM json_each(?)) RETURNING *`)
          .all(...setArgs, channelId, JSON.stringify(receipt.externalIds)) as MessageRow[])
      }
      if (receipt.upTo !== undefined) {
        changed.push(...this.db.sql(`UPDATE messages SET ${set} WHERE channel_id = ? AND direction = 'outbound' AND status IN ${from}
          AND sent_at <= ? AND conversation_id IN (SELECT id FROM conversations WHERE channel_id = ? AND contact_id =
            (SELECT contact_id FROM identities WHERE channel_id = ? AND external_id = ?)) RETURNING *`)
          .all(...setArgs, channelId, receipt.upTo.at.getTime(), channelId, channelId, receipt.upTo.contactExternalId) as MessageRow[])
      }
      return changed
    })
    return rows.map(toMessage)
  }

  async fillProfile (channelId: string, contactExternalId: string, profile: ProfileFill, now: Date): Promise<void> {
    const fill = [profile.name, profile.avatarUrl, profile.language, profile.timeZone, profile.country].map(v => v ?? null)
    // Only a contact with one of these still empty is written: a channel that says the same on every message writes nothing.
    await this.db.write(() => this.db.sql(`UPDATE contacts SET name = COALESCE(name, ?), avatar_url = COALESCE(avatar_url, ?),
        language = COALESCE(language, ?), time_zone = COALESCE(time_zone, ?), country = COALESCE(country, ?), updated_at = ?
      WHERE id = (SELECT contact_id FROM identities WHERE channel_id = ? AND external_id = ?)
        AND (name IS NULL AND ? IS NOT NULL OR avatar_url IS NULL AND ? IS NOT NULL OR language IS NULL AND ? IS NOT NULL
          OR time_zone IS NULL AND ? IS NOT NULL OR country IS NULL AND ? IS NOT NULL)`)
      .run(...fill, now.getTime(), channelId, contactExternalId, ...fill))
  }

  async updateContact (channelId: string, contactExternalId: string, details: ContactDetails, now: Date): Promise<Contact | null> {
    const contactId = await this.db.write(() => {
      const row = this.db.sql(`SELECT c.* FROM contacts c JOIN identities i ON i.contact_id = c.id WHERE i.channel_id = ? AND i.external_id = ?`)
        .get(channelId, contactExternalId) as ContactRow | undefined
      if (row === undefined) return null
      const attributes = mergeAttributes(JSON.parse(row.attributes) as Record<string, unknown>, details.attributes)
      this.db.sql('UPDATE contacts SET name = ?, email = ?, phone = ?, attributes = ?, updated_at = ? WHERE id = ?')
        .run(details.name ?? row.name, details.email ?? row.email, details.phone ?? row.phone, JSON.stringify(attributes), now.getTime(), row.id)
      return row.id
    })
    return contactId === null ? null : await this.getContact(contactId)
  }

  async recordPageView (channelId: string, externalId: string, view: PageView): Promise<void> {
    await this.db.write(() => {
      this.db.sql('INSERT INTO page_views (channel_id, external_id, url, title, referrer, at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(channelId, externalId, view.url, view.title, view.referrer, view.at.getTime())
      // Keep the first visit and the latest ones; older pages in between go.
      this.db.sql(`DELETE FROM page_views WHERE channel_id = ? AND external_id = ?
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
    const first = this.db.raw.prepare(`SELECT * FROM page_views WHERE ${where} ORDER BY at, id LIMIT 1`).get(...args) as Row | undefined
    const recent = this.db.raw.prepare(`SELECT * FROM page_views WHERE ${where} ORDER BY at DESC, id DESC LIMIT ?`).all(...args, RECENT_PAGES) as Row[]
    return { firstVisit: first === undefined ? null : toView(first), recentPages: recent.map(toView) }
  }

  async markRouted (id: string): Promise<void> {
    await this.db.write(() => this.db.sql('UPDATE messages SET routed = 1 WHERE id = ?').run(id))
  }

  async setMessageExtras (id: string, extras: MessageExtras): Promise<Message> {
    return await this.db.write(() => {
      const row = this.db.sql('UPDATE messages SET extras = ? WHERE id = ? RETURNING *').get(JSON.stringify(extras), id) as MessageRow | undefined
      if (row === undefined) throw storeNotFound('message', id)
      return toMessage(row)
    })
  }

  async listHeld (filter: { teams?: Array<string | null> }, options: { cursor?: string, limit: number }): Promise<Page<Message>> {
    const before = options.cursor !== undefined ? String(decodeCursor(options.cursor, 1)[0]) : '\uffff'
    const teams = filter.teams?.filter(t => t !== null)
    // The terms of the partial index messages_held, as it states them, so that it serves this.
    const rows = this.db.sql(`SELECT * FROM messages WHERE json_extract(extras, '$.held.reason') IS NOT NULL AND json_extract(extras, '$.held.restored') IS NULL
        AND id < ? AND (? OR json_extract(extras, '$.held.team') IN (SELECT value FROM json_each(?)) OR (? AND json_extract(extras, '$.held.team') IS NULL))
        ORDER BY id DESC LIMIT ?`)
      .all(before, filter.teams === undefined ? 1 : 0, JSON.stringify(teams ?? []), filter.teams?.includes(null) === true ? 1 : 0, options.limit + 1) as MessageRow[]
    return pageById(rows, options.limit, toMessage)
  }

  async amendMessage (id: string, amendment: MessageAmendment, now: Date): Promise<Message | null> {
    return await this.db.write(() => {
      const row = this.db.sql('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined
      if (row === undefined) return null
      const message = toMessage(row)
      const next = amended(message, amendment, now)
      if (next === null) return message
      return toMessage(this.db.sql('UPDATE messages SET text = ?, extras = ?, updated_at = ? WHERE id = ? RETURNING *')
        .get(next.text, JSON.stringify(next.extras), now.getTime(), id) as MessageRow)
    })
  }

  async retryMessage (id: string, now: Date): Promise<Message | null> {
    const row = await this.db.write(() => this.db.sql(`UPDATE messages SET status = 'pending', error_code = NULL, error_message = NULL, updated_at = ?
      WHERE id = ? AND status = 'failed' AND direction = 'outbound' RETURNING *`).get(now.getTime(), id) as MessageRow | undefined)
    return row === undefined ? null : toMessage(row)
  }

  async getMessage (id: string): Promise<Message | null> {
    const row = this.db.sql('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined
    return row === undefined ? null : toMessage(row)
  }

  async findMessagesByExternalId (channelId: string, externalIds: string[]): Promise<Message[]> {
    if (externalIds.length === 0) return []
    return (this.db.sql('SELECT * FROM messages WHERE channel_id = ? AND external_id IN (SELECT value FROM json_each(?)) ORDER BY id')
      .all(channelId, JSON.stringify(externalIds)) as MessageRow[]).map(toMessage)
  }

  async listMessages (conversationId: string, options: MessagePaging): Promise<Page<Message>> {
    const after = options.cursor !== undefined ? String(decodeCursor(options.cursor, 1)[0]) : ''
    const rows = this.db.sql('SELECT * FROM messages WHERE conversation_id = ? AND id > ? AND created_at >= ? ORDER BY id LIMIT ?')
      .all(conversationId, after, options.since?.getTime() ?? 0, options.limit + 1) as MessageRow[]
    const more = rows.length > options.limit
    const items = rows.slice(0, options.limit).map(toMessage)
    return { items, nextCursor: more ? encodeCursor([items[items.length - 1]!.id]) : null }
  }

  async listUnfinished (olderThan: Date, limit: number): Promise<{ pendingOutbound: Message[], unrouted: Message[] }> {
    const before = olderThan.getTime()
    const pending = this.db.sql("SELECT * FROM messages WHERE status = 'pending' AND created_at <= ? ORDER BY created_at LIMIT ?").all(before, limit) as MessageRow[]
    const unrouted = this.db.sql("SELECT * FROM messages WHERE routed = 0 AND direction = 'inbound' AND created_at <= ? ORDER BY created_at LIMIT ?").all(before, limit) as MessageRow[]
    return { pendingOutbound: pending.map(toMessage), unrouted: unrouted.map(toMessage) }
  }

  async getConversation (id: string): Promise<Conversation | null> {
    const row = this.db.sql('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined
    return row === undefined ? null : toConversation(row)
  }

  /** The WHERE clause of a conversation filter. */
  #conversationWhere (filter: ConversationFilter): { where: string[], args: Array<string | number> } {
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
    if (filter.held === false) where.push('held = 0')
    if (filter.moodAlert === true) where.push('mood_alert_at IS NOT NULL')
    if (filter.tag !== undefined) { where.push('EXISTS (SELECT 1 FROM json_each(conversations.tags) WHERE value = ?)'); args.push(filter.tag) }
    if (filter.search !== undefined) {
      const like = `%${filter.search.replace(/[\\%_]/g, c => `\\${c}`)}%`
      where.push(`(contact_id IN (SELECT id FROM contacts WHERE name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\')
        OR id IN (SELECT conversation_id FROM messages WHERE text LIKE ? ESCAPE '\\'))`)
      args.push(like, like, like)
    }
    if (filter.unansweredSince !== undefined) {
      where.push(UNANSWERED_SINCE)
      args.push(filter.unansweredSince.getTime())
    }
    if (filter.repliedBefore !== undefined) {
      where.push(REPLIED_BEFORE)
      args.push(filter.repliedBefore.getTime())
    }
    if (filter.visibleTo !== undefined) {
      where.push('(team_id IS NULL OR team_id IN (SELECT value FROM json_each(?)) OR assignee_id = ?)')
      args.push(JSON.stringify(filter.visibleTo.teams), filter.visibleTo.agentId)
    }
    return { where, args }
  }

  async listConversations (filter: ConversationFilter, options: { cursor?: string, limit: number }): Promise<Page<Conversation>> {
    const { where, args } = this.#conversationWhere(filter)
    if (options.cursor !== undefined) {
      const [activity, id] = decodeCursor(options.cursor, 2)
      where.push('(last_activity_at < ? OR (last_activity_at = ? AND id < ?))')
      args.push(Number(activity), Number(activity), String(id))
    }
    const rows = this.db.sql(`SELECT * FROM conversations ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY last_activity_at DESC, id DESC LIMIT ?`).all(...args, options.limit + 1) as ConversationRow[]
    const more = rows.length > options.limit
    const items = rows.slice(0, options.limit)
    const last = items[items.length - 1]
    return { items: items.map(toConversation), nextCursor: more && last !== undefined ? encodeCursor([last.last_activity_at, last.id]) : null }
  }

  async countConversations (filter: ConversationFilter): Promise<number> {
    const { where, args } = this.#conversationWhere(filter)
    const row = this.db.sql(`SELECT COUNT(*) AS n FROM conversations ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}`).get(...args) as { n: number }
    return row.n
  }

  async lastMessages (conversationIds: string[]): Promise<Message[]> {
    const rows = this.db.sql(`SELECT m.* FROM json_each(?) c JOIN messages m ON m.id = (
        SELECT id FROM messages WHERE conversation_id = c.value ORDER BY id DESC LIMIT 1)`).all(JSON.stringify(conversationIds)) as MessageRow[]
    return rows.map(toMessage)
  }

  async getContact (id: string): Promise<Contact | null> {
    const row = this.db.sql('SELECT * FROM contacts WHERE id = ?').get(id) as ContactRow | undefined
    if (row === undefined) return null
    const identities = this.db.sql('SELECT * FROM identities WHERE contact_id = ? ORDER BY created_at').all(id) as IdentityRow[]
    return toContact(row, identities)
  }

  async getContacts (ids: string[]): Promise<Contact[]> {
    const rows = this.db.sql('SELECT * FROM contacts WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as ContactRow[]
    const identities = this.db.sql('SELECT * FROM identities WHERE contact_id IN (SELECT value FROM json_each(?)) ORDER BY created_at').all(JSON.stringify(ids)) as IdentityRow[]
    return rows.map(row => toContact(row, identities.filter(i => i.contact_id === row.id)))
  }

  async editContact (id: string, edit: ContactEdit, now: Date): Promise<Contact> {
    const set = Object.entries({
      name: edit.name, email: edit.email, phone: edit.phone, notes: edit.notes, language: edit.language, time_zone: edit.timeZone, country: edit.country,
      tags: edit.tags === undefined ? undefined : JSON.stringify(edit.tags),
      suppression: edit.suppression === undefined ? undefined : suppressionJson(edit.suppression),
      blocked: edit.blocked === undefined ? undefined : blockJson(edit.blocked)
    })
      .filter(([, value]) => value !== undefined)
    const changed = await this.db.write(() => this.db.sql(`UPDATE contacts SET ${set.map(([column]) => `${column} = ?, `).join('')}updated_at = ? WHERE id = ?`)
      .run(...set.map(([, value]) => value ?? null), now.getTime(), id))
    if (changed.changes === 0) throw storeNotFound('contact', id)
    return (await this.getContact(id))!
  }

  async countSuppressed (): Promise<Array<{ channelId: string, reason: SuppressionReason, count: number }>> {
    return this.db.sql(`SELECT json_extract(suppression, '$.channelId') AS channelId, json_extract(suppression, '$.reason') AS reason, COUNT(*) AS count
      FROM contacts WHERE suppression IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`).all() as Array<{ channelId: string, reason: SuppressionReason, count: number }>
  }

  async listContactMessages (contactId: string, options: { cursor?: string, limit: number }): Promise<Page<Message>> {
    const after = options.cursor !== undefined ? String(decodeCursor(options.cursor, 1)[0]) : ''
    const rows = this.db.sql(`SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id
      WHERE c.contact_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`).all(contactId, after, options.limit + 1) as MessageRow[]
    return pageById(rows, options.limit, toMessage)
  }

  async recordServed (contactId: string, agentId: string, now: Date): Promise<void> {
    await this.db.write(() => this.db.sql('UPDATE contacts SET last_agent_id = ?, last_agent_at = ? WHERE id = ?').run(agentId, now.getTime(), contactId))
  }

  async assignConversation (conversationId: string, agentId: string, options: AssignOptions, now: Date): Promise<Conversation | null> {
    const at = now.getTime()
    try {
      return await this.db.write(() => {
        const before = this.db.sql('SELECT * FROM conversations WHERE id = ?').get(conversationId) as ConversationRow | undefined
        if (before === undefined) throw storeNotFound('conversation', conversationId)
        const movable = options.onlyIfWaiting ? before.status === 'unassigned' && before.assignee_id === null : before.status !== 'closed'
        if (!movable || before.assignee_id === agentId) throw new NotApplied()
        // The capacity check and the increment are one statement: concurrent routers cannot both pass it.
        const statuses = options.statuses ?? ['online', 'busy', 'offline']
        const taken = this.db.sql(`UPDATE agents SET active_count = active_count + 1, last_routed_at = ?
          WHERE id = ? AND (? IS NULL OR active_count < ?) AND status IN (${statuses.map(() => '?').join(', ')}) RETURNING id`)
          .get(at, agentId, options.capacity, options.capacity, ...statuses)
        if (taken === undefined) throw new NotApplied()
        if (before.assignee_id !== null) this.db.sql('UPDATE agents SET active_count = MAX(active_count - 1, 0) WHERE id = ?').run(before.assignee_id)
        return toConversation(this.db.sql(`UPDATE conversations SET status = 'assigned', assignee_id = ?, assigned_at = ?, queued_at = NULL,
            queue_reason = NULL, updated_at = ? WHERE id = ? RETURNING *`).get(agentId, at, at, conversationId) as ConversationRow)
      })
    } catch (err) {
      if (err instanceof NotApplied) return null
      throw err
    }
  }

  async unassignConversation (conversationId: string, now: Date, options: { teamId?: string | null } = {}): Promise<Conversation> {
    const at = now.getTime()
    return await this.db.write(() => {
      const before = this.db.sql('SELECT * FROM conversations WHERE id = ?').get(conversationId) as ConversationRow | undefined
      if (before === undefined) throw storeNotFound('conversation', conversationId)
      if (before.status === 'closed') throw storeConflict('conversation_closed', conversationId)
      if (before.assignee_id !== null) this.db.sql('UPDATE agents SET active_count = MAX(active_count - 1, 0) WHERE id = ?').run(before.assignee_id)
      const teamId = options.teamId !== undefined ? options.teamId : before.team_id
      return toConversation(this.db.sql(`UPDATE conversations SET status = 'unassigned', assignee_id = NULL, assigned_at = NULL, team_id = ?,
          updated_at = ? WHERE id = ? RETURNING *`).get(teamId, at, conversationId) as ConversationRow)
    })
  }

  async queueConversation (conversationId: string, reason: QueueReason, since: Date, now: Date): Promise<InLine | null> {
    return await this.db.write(() => {
      const row = this.db.sql(`UPDATE conversations SET queued_at = COALESCE(queued_at, ?), queue_reason = ?, updated_at = ?
        WHERE id = ? AND status = 'unassigned' RETURNING *`).get(since.getTime(), reason, now.getTime(), conversationId) as ConversationRow | undefined
      if (row === undefined) return null
      const conversation = toConversation(row)
      return { conversation, position: this.#place(conversation) }
    })
  }

  async listQueue (limit: number): Promise<Conversation[]> {
    return (this.db.sql("SELECT * FROM conversations WHERE queued_at IS NOT NULL AND status = 'unassigned' ORDER BY queued_at, id LIMIT ?")
      .all(limit) as ConversationRow[]).map(toConversation)
  }

  async queueSizes (): Promise<Array<{ teamId: string | null, size: number }>> {
    return (this.db.sql('SELECT team_key, size FROM queue_lines WHERE size > 0').all() as Array<{ team_key: string, size: number }>)
      .map(r => ({ teamId: r.team_key === '' ? null : r.team_key, size: r.size }))
  }

  async queuePosition (conversation: Conversation): Promise<number> {
    return this.#place(conversation)
  }

  /**
   * A conversation at the back of its line (a new arrival, the usual case) has the line's kept
   * size for its place. One a moment behind the back (under a burst, route jobs finish out of
   * order) counts the few behind it; only one far from the back counts those ahead of it.
   */
  #place (conversation: Conversation): number {
    if (conversation.queuedAt === null) return 0
    const at = conversation.queuedAt.getTime()
    const line = this.db.sql('SELECT size, back_at, back_id FROM queue_lines WHERE team_key = ?').get(conversation.teamId ?? '') as { size: number, back_at: number | null, back_id: string | null } | undefined
    if (line !== undefined && line.back_at === at && line.back_id === conversation.id) return line.size
    if (line !== undefined) {
      const { behind } = this.db.sql(`SELECT COUNT(*) AS behind FROM (SELECT 1 FROM conversations WHERE queued_at IS NOT NULL AND status = 'unassigned'
        AND team_id IS ? AND (queued_at > ? OR (queued_at = ? AND id > ?)) LIMIT ?)`).get(conversation.teamId, at, at, conversation.id, BEHIND_COUNTED) as { behind: number }
      if (behind < BEHIND_COUNTED) return line.size - behind
    }
    const row = this.db.sql(`SELECT COUNT(*) AS ahead FROM conversations WHERE queued_at IS NOT NULL AND status = 'unassigned'
      AND team_id IS ? AND (queued_at < ? OR (queued_at = ? AND id < ?))`).get(conversation.teamId, at, at, conversation.id) as { ahead: number }
    return row.ahead + 1
  }

  async closeConversation (id: string, now: Date): Promise<Conversation> {
    const at = now.getTime()
    return await this.db.write(() => {
      const before = this.db.sql('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined
      if (before === undefined) throw storeNotFound('conversation', id)
      if (before.status === 'closed') return toConversation(before)
      if (before.assignee_id !== null) this.db.sql('UPDATE agents SET active_count = MAX(active_count - 1, 0) WHERE id = ?').run(before.assignee_id)
      return toConversation(this.db.sql(`UPDATE conversations SET status = 'closed', queued_at = NULL, queue_reason = NULL, unread_count = 0,
          updated_at = ? WHERE id = ? RETURNING *`).get(at, id) as ConversationRow)
    })
  }

  async reopenConversation (id: string, now: Date): Promise<Conversation> {
    const at = now.getTime()
    try {
      return await this.db.write(() => {
        const row = this.db.sql(`UPDATE conversations SET status = 'unassigned', assignee_id = NULL, assigned_at = NULL, mood_alert_at = NULL, held = 0, last_activity_at = ?,
            updated_at = ? WHERE id = ? AND status = 'closed' RETURNING *`).get(at, at, id) as ConversationRow | undefined
        if (row !== undefined) return toConversation(row)
        const current = this.db.sql('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined
        if (current === undefined) throw storeNotFound('conversation', id)
        return toConversation(current)
      })
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw storeConflict('conversation_open_elsewhere', id)
      }
      throw err
    }
  }

  async setConversationTags (id: string, tags: string[], now: Date): Promise<Conversation> {
    const row = await this.db.write(() => this.db.sql('UPDATE conversations SET tags = ?, updated_at = ? WHERE id = ? RETURNING *').get(JSON.stringify(tags), now.getTime(), id) as ConversationRow | undefined)
    if (row === undefined) throw storeNotFound('conversation', id)
    return toConversation(row)
  }

  async markConversationRead (id: string, now: Date): Promise<Conversation> {
    const row = await this.db.write(() => this.db.sql('UPDATE conversations SET unread_count = 0, updated_at = ? WHERE id = ? RETURNING *').get(now.getTime(), id) as ConversationRow | undefined)
    if (row === undefined) throw storeNotFound('conversation', id)
    return toConversation(row)
  }

  async setChannelState (id: string, patch: Record<string, string | number | boolean | null>, now: Date): Promise<Conversation | null> {
    // json_patch (RFC 7396): a null removes the key, in the same statement that reads the old state.
    const row = await this.db.write(() => this.db.sql('UPDATE conversations SET channel_state = json_patch(channel_state, ?), updated_at = ? WHERE id = ? RETURNING *')
      .get(JSON.stringify(patch), now.getTime(), id) as ConversationRow | undefined)
    return row === undefined ? null : toConversation(row)
  }

  async markMoodAlert (id: string, at: Date): Promise<Conversation | null> {
    return await this.db.write(() => {
      const row = this.db.sql('UPDATE conversations SET mood_alert_at = ?, updated_at = ? WHERE id = ? AND mood_alert_at IS NULL RETURNING *').get(at.getTime(), at.getTime(), id) as ConversationRow | undefined
      return row === undefined ? null : toConversation(row)
    })
  }

  async setConversationBot (id: string, on: boolean, now: Date): Promise<Conversation | null> {
    const [from, to] = on ? ['unassigned', 'bot'] : ['bot', 'unassigned']
    const row = await this.db.write(() => this.db.sql(`UPDATE conversations SET status = ?, queued_at = NULL, queue_reason = NULL, updated_at = ?
      WHERE id = ? AND status = ? AND assignee_id IS NULL RETURNING *`).get(to, now.getTime(), id, from) as ConversationRow | undefined)
    return row === undefined ? null : toConversation(row)
  }

  async listAssigned (agentId: string): Promise<Conversation[]> {
    return (this.db.sql("SELECT * FROM conversations WHERE assignee_id = ? AND status = 'assigned' ORDER BY assigned_at").all(agentId) as ConversationRow[]).map(toConversation)
  }
}
