import { newId } from '../../ids.js'
import type { Browsing, Contact, ContactDetails, ContactEdit, Conversation, Message, MessageExtras, PageView, ProfileFill, QueueReason, SuppressionReason, MessageAmendment } from '../../model/index.js'
import { amended } from '../amend.js'
import { decodeCursor, encodeCursor, pageById, type Page } from '../cursor.js'
import { storeConflict, storeNotFound } from '../errors.js'
import {
  PAGE_VIEWS_KEPT, RECENT_PAGES, type AssignOptions, type ConversationFilter, type InboundRecord, type InboundResult, type InboxStore, type InLine,
  type MessagePaging, type MessageStatusUpdate, type OutboundRecord, type Receipt, type RepairReport
} from '../inbox.js'
import { containing, isDuplicateKey, type Doc, MongoPart } from './connection.js'
import { toConversation, toIdentity, toMessage } from './docs.js'

/**
 * The inbox on MongoDB. How each rule of core/store/inbox.ts holds:
 *
 * On a replica set (how MongoDB runs in production) every operation that writes more than
 * one document runs in `atomically`, one transaction: it lands whole or not at all, and
 * concurrent ones are serialized by write conflicts (retried whole). On a standalone server
 * the same writes run in the order below, each one atomic on its document, and what a crash
 * between two of them leaves is finished by the redelivery or by `repair`:
 *
 * - Rule 1, one open conversation: a unique index on `openKey`, `open|channel|contact[|thread]`
 *   while open and `closed|<id>` once closed; opening is an upsert on that key, reopening a
 *   conditional update that the index refuses when another is open.
 * - Rule 2, duplicates: a redelivery is answered from the stored message before anything is
 *   written; a concurrent one loses on the unique (channel, externalId) index. Standalone, a
 *   conversation the loser opened for it is removed while it has no message.
 * - Rule 3, counters: the message is inserted with `counted: false`, then one update of the
 *   conversation moves the counters and records the message in `countedIds` (the update is
 *   conditional on its absence, so counting twice is a no-op), then the message is marked
 *   counted. A redelivery, or `repair`, counts what a crash left at `counted: false`.
 * - Rule 4, open counts: an agent holds a slot per open conversation assigned to them
 *   (`slots`, activeCount is its length). Assigning takes the slot first (conditional on
 *   capacity, one update), then moves the conversation (conditional on its state), then frees
 *   the previous assignee's slot; unassigning and closing move the conversation first
 *   (conditional on its state) and then pull the slot, which is idempotent. `repair` sets
 *   each agent's slots to their assigned conversations (two reads find who differs), leaving
 *   alone what changed after `olderThan` (work still under way).
 * - Rule 5: a note-level inbound looks for the open conversation before it opens a closed one.
 * - Rule 6: attributes merge in one pipeline update ($mergeObjects, $unsetField), never read
 *   and written back.
 * - Rule 7: schemas with minimize: false; nested values are Mixed and stored as given.
 * - Rule 8: the contact's block is read after its identity is upserted, in the same
 *   transaction; a held message opens a closed conversation marked `held`, which a customer
 *   message joining it or a reopen clears.
 *
 * Queries and the index that serves each (models.ts): identities by (channelId, externalId)
 * unique, by contactId; conversations by _id, by openKey unique, listed by
 * (lastActivityAt, _id) alone or after status, assigneeId or teamId, by contactId, waiting by
 * (queuedAt, _id) partial on `queuedAt: {$type: 'date'}` (the queries say `$type: 'date'` too,
 * so the partial index is usable); messages by (channelId, externalId) unique partial on
 * `externalId: {$type: 'string'}` (likewise said in the queries), by (conversationId, _id),
 * pending by (status, createdAt) partial on pending, unrouted by createdAt partial on
 * `routed: false, direction: inbound`, uncounted by (counted, createdAt) partial on
 * `counted: false`, held by (extras.held.team, _id) partial on a held reason; page views by (channelId, externalId, _id). Search (a case-insensitive
 * substring of names, emails and message text) scans contacts and messages: no index serves
 * a substring.
 */

/** How many counted message ids a conversation remembers; a repair comes long before this many more arrive. */
const COUNTED_KEPT = 200


const openKey = (channelId: string, contactId: string, thread: string): string =>
  thread === '' ? `open|${channelId}|${contactId}` : `open|${channelId}|${contactId}|${thread}`
const closedKey = (id: string): string => `closed|${id}`

/** The partial index on the (channel, external id) key serves only queries that say its filter. */
const externalIdIs = (value: string | { $in: string[] }): Doc => ({ ...(typeof value === 'string' ? { $eq: value } : value), $type: 'string' })

const slotOf = (conversationId: string): Doc => ({ slots: { conversationId } })

export class MongoInbox extends MongoPart implements InboxStore {
  async recordInbound (record: InboundRecord, now: Date): Promise<InboundResult> {
    const known = await this.#storedAlready(record)
    if (known !== null) return known
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.atomically(async () => await this.#storeInbound(record, now))
      } catch (err) {
        if (!isDuplicateKey(err)) throw err
        const stored = await this.#storedAlready(record)
        if (stored !== null) return stored
        // A concurrent delivery from the same contact won the identity or the open conversation: again, now finding theirs.
        if (attempt === 3) throw err
      }
    }
  }

  /** The stored message of a redelivery, its count finished if a crash left it undone. */
  async #storedAlready (record: InboundRecord): Promise<InboundResult | null> {
    const existing = await this.m.Message.findOne({ channelId: record.channelId, externalId: externalIdIs(record.externalId) }).lean() as Doc | null
    if (existing === null) return null
    const conversation = existing.counted === false
      ? await this.db.atomically(async () => await this.#count(existing))
      : await this.m.Conversation.findById(existing.conversationId).lean() as Doc
    return { duplicate: true, conversationCreated: false, message: toMessage(existing), conversation: toConversation(conversation) }
  }

  async #storeInbound (record: InboundRecord, now: Date): Promise<InboundResult> {
    const joined = record.conversationId === undefined ? null : await this.m.Conversation.findById(record.conversationId).lean() as Doc | null
    const contactId = await this.#upsertIdentity(record, now, joined)
    const extras = await this.#heldExtras(record, contactId)
    const held = extras?.held !== undefined
    const note = record.direction === 'note' || held
    const { id: conversationId, created } = joined !== null
      ? await this.#joinConversation(joined, note, now)
      : await this.#openConversation(record, contactId, note, now, held)
    const echo = record.direction === 'outbound'
    let message: Doc
    try {
      message = (await this.m.Message.create({
        _id: newId(now.getTime()), conversationId, channelId: record.channelId, direction: note ? 'note' : record.direction ?? 'inbound',
        author: echo ? { type: 'agent', id: null } : { type: 'contact', id: contactId }, text: record.text, attachments: record.attachments, cards: record.cards,
        extras: extras ?? null, externalId: record.externalId, status: echo ? 'sent' : 'delivered', routed: note, counted: false,
        opensWindow: record.opensWindow !== false, createdAt: now, sentAt: record.sentAt, deliveredAt: echo ? null : now, updatedAt: now
      })).toObject() as Doc
    } catch (err) {
      // Standalone, a concurrent delivery stored this message first: the conversation opened for it goes while it is empty.
      if (isDuplicateKey(err) && created && !this.db.transactions && await this.m.Message.exists({ conversationId }) === null) {
        await this.m.Conversation.deleteOne({ _id: conversationId, countedIds: { $size: 0 } })
      }
      throw err
    }
    this.db.wrote()
    const conversation = await this.#count(message)
    return { duplicate: false, conversationCreated: created, message: toMessage(message), conversation: toConversation(conversation) }
  }

  /** Counts a stored message into its conversation once (rule 3), then marks it counted. */
  async #count (message: Doc): Promise<Doc> {
    const at = message.createdAt as Date
    const update: Doc = message.direction === 'note'
      ? { $set: { updatedAt: at } }
      : message.direction === 'outbound'
        ? { $max: { lastOutboundAt: message.sentAt, lastReplyAt: message.sentAt, lastActivityAt: at }, $set: { updatedAt: at } }
        : { $inc: { unreadCount: 1 }, $max: { lastActivityAt: at, ...(message.opensWindow === false ? {} : { lastInboundAt: message.sentAt }) }, $set: { updatedAt: at } }
    update.$push = { countedIds: { $each: [message._id], $slice: -COUNTED_KEPT } }
    const counted = await this.m.Conversation.findOneAndUpdate({ _id: message.conversationId, countedIds: { $ne: message._id } }, update,
      { returnDocument: 'after', lean: true }) as Doc | null
    this.db.wrote()
    await this.m.Message.updateOne({ _id: message._id }, { $set: { counted: true } })
    this.db.wrote()
    return counted ?? await this.m.Conversation.findById(message.conversationId).lean() as Doc
  }

  /** See the sqlite driver: `held` when the core holds it or its contact is blocked (rule 8). */
  async #heldExtras (record: InboundRecord, contactId: string): Promise<MessageExtras | undefined> {
    if ((record.direction ?? 'inbound') !== 'inbound') return record.extras
    if (record.held !== undefined) return { ...record.extras, held: { ...record.held, team: record.teamId } }
    const blocked = await this.m.Contact.exists({ _id: contactId, blocked: { $type: 'object' } }) !== null
    return blocked ? { ...record.extras, held: { reason: 'blocked', team: record.teamId } } : record.extras
  }

  /** The contact's open conversation on this channel and thread, or a new one (closed when a note opens it: nothing to answer). */
  async #openConversation (record: InboundRecord, contactId: string, note: boolean, now: Date, held: boolean): Promise<{ id: string, created: boolean }> {
    const thread = record.thread ?? ''
    const key = openKey(record.channelId, contactId, thread)
    const id = newId(now.getTime())
    const fields = {
      _id: id, channelId: record.channelId, contactId, thread, assigneeId: null, teamId: record.teamId, queuedAt: null, queueReason: null, assignedAt: null,
      tags: [], unreadCount: 0, lastInboundAt: null, lastOutboundAt: null, lastReplyAt: null, lastActivityAt: now, moodAlertAt: null, rating: null, ratingInvitedAt: null, channelState: {},
      countedIds: [], createdAt: now, updatedAt: now
    }
    if (note) {
      const open = await this.m.Conversation.findOne({ openKey: key }, { _id: 1 }).lean() as Doc | null
      if (open !== null) return { id: open._id, created: false }
      await this.m.Conversation.create({ ...fields, status: 'closed', openKey: closedKey(id), held })
      this.db.wrote()
      return { id, created: true }
    }
    const opened = await this.m.Conversation.findOneAndUpdate({ openKey: key }, { $setOnInsert: { ...fields, status: 'unassigned' } },
      { upsert: true, returnDocument: 'after', lean: true }) as Doc
    this.db.wrote()
    return { id: opened._id, created: opened._id === id }
  }

  /** A conversation the channel matched: a customer message reopens it if closed, unless the contact has opened another there since. */
  async #joinConversation (joined: Doc, note: boolean, now: Date): Promise<{ id: string, created: boolean }> {
    if (joined.status !== 'closed' || note) return { id: joined._id, created: false }
    const key = openKey(joined.channelId, joined.contactId, joined.thread ?? '')
    const open = await this.m.Conversation.findOne({ openKey: key }, { _id: 1 }).lean() as Doc | null
    if (open !== null) return { id: open._id, created: false }
    // A conversation opened concurrently makes this a duplicate key, and the whole inbound is tried again, joining it.
    await this.m.Conversation.updateOne({ _id: joined._id, status: 'closed' },
      { $set: { status: 'unassigned', assigneeId: null, assignedAt: null, held: false, updatedAt: now, openKey: key } })
    this.db.wrote()
    return { id: joined._id, created: false }
  }

  /** See the sqlite driver: a new address writing into a matched conversation whose contact has that email, or one the channel names as `sameAs`, joins that contact. */
  async #upsertIdentity (record: InboundRecord, now: Date, joined: Doc | null): Promise<string> {
    const { channelId, contact } = record
    const filter = { channelId, externalId: contact.externalId }
    let newContactId = newId(now.getTime())
    const same = contact.sameAs !== undefined && await this.m.Identity.exists(filter) === null
      ? await this.m.Identity.findOne({ channelId, externalId: contact.sameAs }).lean() as Doc | null
      : null
    if (same !== null) newContactId = same.contactId as string
    else if (joined !== null && contact.email !== undefined && await this.m.Identity.exists(filter) === null) {
      const owner = await this.m.Contact.findById(joined.contactId).lean() as Doc | null
      if (typeof owner?.email === 'string' && owner.email.toLowerCase() === contact.email.toLowerCase()) newContactId = owner._id
    }
    // Identity first, then its contact: a crash between leaves an identity whose contact the redelivery creates.
    const identity = await this.m.Identity.findOneAndUpdate(filter, { $setOnInsert: { contactId: newContactId, createdAt: now } },
      { upsert: true, returnDocument: 'after', lean: true }) as Doc
    this.db.wrote()
    const contactId = identity.contactId as string
    await this.m.Contact.updateOne({ _id: contactId }, { $setOnInsert: { createdAt: now, updatedAt: now } }, { upsert: true })
    this.db.wrote()
    // Only the profile fields that are still empty are filled, in one update: agents' edits win.
    const fill = Object.entries({ name: contact.name, email: contact.email, phone: contact.phone, avatarUrl: contact.avatarUrl }).filter(([, v]) => v !== undefined)
    if (fill.length > 0) {
      const r = await this.m.Contact.updateOne({ _id: contactId, $or: fill.map(([k]) => ({ [k]: null })) },
        [{ $set: { ...Object.fromEntries(fill.map(([k, v]) => [k, { $ifNull: [`$${k}`, { $literal: v }] }])), updatedAt: now } }], { updatePipeline: true })
      if (r.modifiedCount > 0) this.db.wrote()
    }
    return contactId
  }

  async recordOutbound (record: OutboundRecord, now: Date): Promise<Message> {
    return await this.db.atomically(async () => {
      const conversation = await this.m.Conversation.findOneAndUpdate({ _id: record.conversationId }, { $max: { lastActivityAt: now }, $set: { updatedAt: now } }, { lean: true }) as Doc | null
      if (conversation === null) throw storeNotFound('conversation', record.conversationId)
      this.db.wrote()
      const note = record.direction === 'note'
      const created = await this.m.Message.create({
        _id: newId(now.getTime()), conversationId: record.conversationId, channelId: record.channelId ?? conversation.channelId, direction: record.direction,
        author: record.author, text: record.text, attachments: record.attachments, cards: record.cards, extras: record.extras ?? null, externalId: null,
        status: note ? 'sent' : 'pending', tag: record.tag, routed: true, createdAt: now, sentAt: note ? now : null, updatedAt: now
      })
      this.db.wrote()
      return toMessage(created.toObject() as Doc)
    })
  }

  async updateMessageStatus (id: string, update: MessageStatusUpdate, now: Date): Promise<Message> {
    const stamp = { sent: 'sentAt', delivered: 'deliveredAt', read: 'readAt' }[update.status as string]
    const set: Doc = { status: { $literal: update.status }, errorCode: { $literal: update.errorCode ?? null }, errorMessage: { $literal: update.errorMessage ?? null }, updatedAt: now }
    if (update.externalId !== undefined) set.externalId = { $literal: update.externalId }
    // The first time of each status stays: one pipeline update, no read before it.
    if (stamp !== undefined) set[stamp] = { $ifNull: [`$${stamp}`, now] }
    return await this.db.atomically(async () => {
      const message = await this.m.Message.findOneAndUpdate({ _id: id }, [{ $set: set }], { returnDocument: 'after', lean: true, updatePipeline: true }) as Doc | null
      if (message === null) throw storeNotFound('message', id)
      this.db.wrote()
      if (update.status === 'sent') {
        const person = (message.author as { type: string }).type === 'agent'
        await this.m.Conversation.updateOne({ _id: message.conversationId }, { $max: { lastOutboundAt: now, ...(person ? { lastReplyAt: now } : {}) }, $set: { updatedAt: now } })
        this.db.wrote()
      }
      return toMessage(message)
    })
  }

  async advanceOutbound (channelId: string, receipt: Receipt, now: Date): Promise<Message[]> {
    const filters: Doc[] = []
    if (receipt.externalIds !== undefined && receipt.externalIds.length > 0) filters.push({ externalId: externalIdIs({ $in: receipt.externalIds }) })
    if (receipt.upTo !== undefined) {
      const identity = await this.m.Identity.findOne({ channelId, externalId: receipt.upTo.contactExternalId }).lean() as Doc | null
      if (identity !== null) {
        const conversations = await this.m.Conversation.find({ channelId, contactId: identity.contactId }, { _id: 1 }).lean() as Doc[]
        filters.push({ conversationId: { $in: conversations.map(c => c._id) }, sentAt: { $lte: receipt.upTo.at } })
      }
    }
    if (filters.length === 0) return []
    const query = { channelId, direction: 'outbound', status: { $in: receipt.status === 'read' ? ['sent', 'delivered'] : ['sent'] }, $or: filters }
    const ids = (await this.m.Message.find(query, { _id: 1 }).lean() as Doc[]).map(d => d._id)
    if (ids.length === 0) return []
    // Each message moves forward in one update of its own; a receipt applied twice moves nothing the second time.
    const set: Doc = { status: receipt.status, deliveredAt: { $ifNull: ['$deliveredAt', now] }, updatedAt: now }
    if (receipt.status === 'read') set.readAt = { $ifNull: ['$readAt', now] }
    await this.m.Message.updateMany({ ...query, _id: { $in: ids } }, [{ $set: set }], { updatePipeline: true })
    return (await this.m.Message.find({ _id: { $in: ids }, status: receipt.status }).sort({ _id: 1 }).lean() as Doc[]).map(toMessage)
  }

  async fillProfile (channelId: string, contactExternalId: string, profile: ProfileFill, now: Date): Promise<void> {
    const identity = await this.m.Identity.findOne({ channelId, externalId: contactExternalId }).lean() as Doc | null
    const fill = Object.entries(profile).filter(([, v]) => v !== undefined)
    if (identity === null || fill.length === 0) return
    // Only a contact with one of these still empty is written: a channel that says the same on every message writes nothing.
    await this.m.Contact.updateOne({ _id: identity.contactId, $or: fill.map(([k]) => ({ [k]: null })) },
      [{ $set: { ...Object.fromEntries(fill.map(([k, v]) => [k, { $ifNull: [`$${k}`, { $literal: v }] }])), updatedAt: now } }], { updatePipeline: true })
  }

  async updateContact (channelId: string, contactExternalId: string, details: ContactDetails, now: Date): Promise<Contact | null> {
    const identity = await this.m.Identity.findOne({ channelId, externalId: contactExternalId }).lean() as Doc | null
    if (identity === null) return null
    const { attributes, ...fields } = details
    const kept = Object.entries(attributes ?? {}).filter(([, v]) => v !== null)
    const removed = Object.entries(attributes ?? {}).filter(([, v]) => v === null).map(([k]) => k)
    // One update of the document merges the attributes: concurrent merges each keep their keys (rule 6).
    const stages: Doc[] = [
      { $set: { ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => [k, { $literal: v }])), updatedAt: now } },
      { $set: { attributes: { $mergeObjects: [{ $ifNull: ['$attributes', {}] }, { $literal: Object.fromEntries(kept) }] } } },
      ...removed.map(field => ({ $set: { attributes: { $unsetField: { field: { $literal: field }, input: '$attributes' } } } }))
    ]
    await this.m.Contact.updateOne({ _id: identity.contactId }, stages, { updatePipeline: true })
    return await this.getContact(identity.contactId)
  }

  async recordPageView (channelId: string, externalId: string, view: PageView): Promise<void> {
    await this.m.PageView.create({ channelId, externalId, ...view })
    const [first] = await this.m.PageView.find({ channelId, externalId }).sort({ _id: 1 }).limit(1).lean() as Doc[]
    const [cutoff] = await this.m.PageView.find({ channelId, externalId }).sort({ _id: -1 }).skip(PAGE_VIEWS_KEPT).limit(1).lean() as Doc[]
    // Keep the first visit and the latest ones; older pages in between go (the next view trims what a crash left).
    if (first !== undefined && cutoff !== undefined) await this.m.PageView.deleteMany({ channelId, externalId, _id: { $gt: first._id, $lte: cutoff._id } })
  }

  async browsing (identities: Array<{ channelId: string, externalId: string }>): Promise<Browsing> {
    if (identities.length === 0) return { firstVisit: null, recentPages: [] }
    const query = { $or: identities.map(i => ({ channelId: i.channelId, externalId: i.externalId })) }
    const toView = (d: Doc): PageView => ({ url: d.url, title: d.title, referrer: d.referrer ?? null, at: d.at })
    const [first] = await this.m.PageView.find(query).sort({ at: 1, _id: 1 }).limit(1).lean() as Doc[]
    const recent = await this.m.PageView.find(query).sort({ at: -1, _id: -1 }).limit(RECENT_PAGES).lean() as Doc[]
    return { firstVisit: first === undefined ? null : toView(first), recentPages: recent.map(toView) }
  }

  async markRouted (id: string): Promise<void> {
    await this.m.Message.updateOne({ _id: id }, { $set: { routed: true } })
  }

  async setMessageExtras (id: string, extras: MessageExtras): Promise<Message> {
    const d = await this.m.Message.findByIdAndUpdate(id, { $set: { extras } }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw storeNotFound('message', id)
    return toMessage(d)
  }

  async listHeld (filter: { teams?: Array<string | null> }, options: { cursor?: string, limit: number }): Promise<Page<Message>> {
    // The partial index's filter said again, so that it serves this; `$in` with null also finds every agent's channels.
    const query: Doc = { 'extras.held.reason': { $type: 'string' }, 'extras.held.restored': { $exists: false } }
    if (filter.teams !== undefined) query['extras.held.team'] = { $in: filter.teams }
    if (options.cursor !== undefined) query._id = { $lt: String(decodeCursor(options.cursor, 1)[0]) }
    const docs = await this.m.Message.find(query).sort({ _id: -1 }).limit(options.limit + 1).lean() as Doc[]
    return pageById(docs, options.limit, toMessage)
  }

  async amendMessage (id: string, amendment: MessageAmendment, now: Date): Promise<Message | null> {
    // Compare-and-set on updatedAt: a concurrent amendment makes this one read again, so no edit is lost.
    for (;;) {
      const d = await this.m.Message.findById(id).lean() as Doc | null
      if (d === null) return null
      const message = toMessage(d)
      const next = amended(message, amendment, now)
      if (next === null) return message
      const updatedAt = now.getTime() > message.updatedAt.getTime() ? now : new Date(message.updatedAt.getTime() + 1)
      const after = await this.m.Message.findOneAndUpdate({ _id: id, updatedAt: message.updatedAt }, { $set: { text: next.text, extras: next.extras, updatedAt } }, { returnDocument: 'after', lean: true }) as Doc | null
      if (after !== null) return toMessage(after)
    }
  }

  async retryMessage (id: string, now: Date): Promise<Message | null> {
    const d = await this.m.Message.findOneAndUpdate({ _id: id, status: 'failed', direction: 'outbound' },
      { $set: { status: 'pending', errorCode: null, errorMessage: null, updatedAt: now } }, { returnDocument: 'after', lean: true }) as Doc | null
    return d === null ? null : toMessage(d)
  }

  async getMessage (id: string): Promise<Message | null> {
    const d = await this.m.Message.findById(id).lean() as Doc | null
    return d === null ? null : toMessage(d)
  }

  async findMessagesByExternalId (channelId: string, externalIds: string[]): Promise<Message[]> {
    if (externalIds.length === 0) return []
    return (await this.m.Message.find({ channelId, externalId: externalIdIs({ $in: externalIds }) }).sort({ _id: 1 }).lean() as Doc[]).map(toMessage)
  }

  async listMessages (conversationId: string, options: MessagePaging): Promise<Page<Message>> {
    const filter: Doc = { conversationId }
    if (options.cursor !== undefined) filter._id = { $gt: String(decodeCursor(options.cursor, 1)[0]) }
    if (options.since !== undefined) filter.createdAt = { $gte: options.since }
    return pageById(await this.m.Message.find(filter).sort({ _id: 1 }).limit(options.limit + 1).lean() as Doc[], options.limit, toMessage)
  }

  async listUnfinished (olderThan: Date, limit: number): Promise<{ pendingOutbound: Message[], unrouted: Message[] }> {
    const [pending, unrouted] = await Promise.all([
      this.m.Message.find({ status: 'pending', createdAt: { $lte: olderThan } }).sort({ createdAt: 1 }).limit(limit).lean(),
      this.m.Message.find({ routed: false, direction: 'inbound', createdAt: { $lte: olderThan } }).sort({ createdAt: 1 }).limit(limit).lean()
    ]) as [Doc[], Doc[]]
    return { pendingOutbound: pending.map(toMessage), unrouted: unrouted.map(toMessage) }
  }

  async repair (olderThan: Date): Promise<RepairReport> {
    let counted = 0
    for (const message of await this.m.Message.find({ counted: false, createdAt: { $lte: olderThan } }).sort({ createdAt: 1 }).lean() as Doc[]) {
      await this.db.atomically(async () => await this.#count(message))
      counted++
    }
    // Two reads find the agents whose slots differ from their assigned conversations; only those are set right, each in one transaction.
    const [agents, assigned] = await Promise.all([
      this.m.Agent.find({}, { slots: 1 }).lean() as Promise<Doc[]>,
      this.m.Conversation.find({ status: 'assigned' }, { assigneeId: 1, assignedAt: 1 }).lean() as Promise<Doc[]>
    ])
    let repaired = 0
    for (const agent of agents) {
      const theirs = assigned.filter(c => c.assigneeId === agent._id)
      if (slotsToFix(agent.slots ?? [], theirs, olderThan) === null) continue
      const fixed = await this.db.atomically(async () => {
        const current = await this.m.Agent.findById(agent._id, { slots: 1 }).lean() as Doc | null
        const open = await this.m.Conversation.find({ assigneeId: agent._id, status: 'assigned' }, { assigneeId: 1, assignedAt: 1 }).lean() as Doc[]
        const fix = current === null ? null : slotsToFix(current.slots ?? [], open, olderThan)
        if (fix === null) return false
        if (fix.stale.length > 0) await this.m.Agent.updateOne({ _id: agent._id }, { $pull: { slots: { conversationId: { $in: fix.stale } } } })
        if (fix.missing.length > 0) await this.m.Agent.updateOne({ _id: agent._id }, { $push: { slots: { $each: fix.missing } } })
        return true
      })
      if (fixed) repaired++
    }
    return { counted, agents: repaired }
  }

  async getConversation (id: string): Promise<Conversation | null> {
    const d = await this.m.Conversation.findById(id).lean() as Doc | null
    return d === null ? null : toConversation(d)
  }

  async #conversationQuery (filter: ConversationFilter): Promise<Doc> {
    const query: Doc = {}
    if (filter.status === 'open') query.status = { $ne: 'closed' }
    else if (filter.status !== undefined) query.status = filter.status
    if (filter.channelId !== undefined) query.channelId = filter.channelId
    if (filter.assigneeId !== undefined) query.assigneeId = filter.assigneeId
    if (filter.contactId !== undefined) query.contactId = filter.contactId
    if (filter.teamIds !== undefined) query.teamId = { $in: filter.teamIds }
    if (filter.unread === true) query.unreadCount = { $gt: 0 }
    if (filter.held === false) query.held = { $ne: true }
    if (filter.tag !== undefined) query.tags = filter.tag
    if (filter.moodAlert === true) query.moodAlertAt = { $ne: null }
    if (filter.unansweredSince !== undefined) {
      query.status = { $ne: 'closed' }
      query.lastInboundAt = { $lte: filter.unansweredSince }
      // Conversations from before lastReplyAt existed (the field is missing, not null) fall back to their last outbound message.
      const reply = { $cond: [{ $eq: [{ $type: '$lastReplyAt' }, 'missing'] }, '$lastOutboundAt', '$lastReplyAt'] }
      query.$expr = { $or: [{ $eq: [reply, null] }, { $lt: [reply, '$lastInboundAt'] }] }
    }
    if (filter.repliedBefore !== undefined) {
      query.status = { $ne: 'closed' }
      query.lastReplyAt = { $ne: null, $lte: filter.repliedBefore }
      const quiet = { $or: [{ $eq: ['$lastInboundAt', null] }, { $lt: ['$lastInboundAt', '$lastReplyAt'] }] }
      query.$expr = query.$expr === undefined ? quiet : { $and: [query.$expr, quiet] }
    }
    const or: Doc[][] = []
    if (filter.search !== undefined) {
      const pattern = containing(filter.search)
      const [contacts, conversations] = await Promise.all([
        this.m.Contact.distinct('_id', { $or: [{ name: pattern }, { email: pattern }] }),
        this.m.Message.distinct('conversationId', { text: pattern })
      ])
      or.push([{ contactId: { $in: contacts } }, { _id: { $in: conversations } }])
    }
    if (filter.visibleTo !== undefined) {
      or.push([{ teamId: null }, { teamId: { $in: filter.visibleTo.teams } }, { assigneeId: filter.visibleTo.agentId }])
    }
    if (or.length > 0) query.$and = or.map(alternatives => ({ $or: alternatives }))
    return query
  }

  async listConversations (filter: ConversationFilter, options: { cursor?: string, limit: number }): Promise<Page<Conversation>> {
    const query = await this.#conversationQuery(filter)
    if (options.cursor !== undefined) {
      const [activity, id] = decodeCursor(options.cursor, 2)
      const at = new Date(Number(activity))
      query.$and = [...(query.$and ?? []), { $or: [{ lastActivityAt: { $lt: at } }, { lastActivityAt: at, _id: { $lt: String(id) } }] }]
    }
    const docs = await this.m.Conversation.find(query).sort({ lastActivityAt: -1, _id: -1 }).limit(options.limit + 1).lean() as Doc[]
    const items = docs.slice(0, options.limit).map(toConversation)
    const last = items[items.length - 1]
    return { items, nextCursor: docs.length > options.limit && last !== undefined ? encodeCursor([last.lastActivityAt.getTime(), last.id]) : null }
  }

  async countConversations (filter: ConversationFilter): Promise<number> {
    return await this.m.Conversation.countDocuments(await this.#conversationQuery(filter))
  }

  async lastMessages (conversationIds: string[]): Promise<Message[]> {
    const docs = await this.m.Message.aggregate([
      { $match: { conversationId: { $in: conversationIds } } },
      { $sort: { conversationId: 1, _id: -1 } },
      { $group: { _id: '$conversationId', last: { $first: '$$ROOT' } } }
    ]) as Array<{ last: Doc }>
    return docs.map(d => toMessage(d.last))
  }

  async getContact (id: string): Promise<Contact | null> {
    const [contact] = await this.getContacts([id])
    return contact ?? null
  }

  async getContacts (ids: string[]): Promise<Contact[]> {
    const [docs, identities] = await Promise.all([
      this.m.Contact.find({ _id: { $in: ids } }).lean() as Promise<Doc[]>,
      this.m.Identity.find({ contactId: { $in: ids } }).sort({ createdAt: 1 }).lean() as Promise<Doc[]>
    ])
    // Contacts stored before suppressions existed have no field.
    return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest, suppression: rest.suppression ?? null, blocked: rest.blocked ?? null, language: rest.language ?? null, timeZone: rest.timeZone ?? null, country: rest.country ?? null, identities: identities.filter(i => i.contactId === _id).map(toIdentity) }) as Contact)
  }

  async editContact (id: string, edit: ContactEdit, now: Date): Promise<Contact> {
    const set = Object.fromEntries(Object.entries(edit).filter(([, v]) => v !== undefined))
    const r = await this.m.Contact.updateOne({ _id: id }, { $set: { ...set, updatedAt: now } })
    if (r.matchedCount === 0) throw storeNotFound('contact', id)
    return (await this.getContact(id))!
  }

  async countSuppressed (): Promise<Array<{ channelId: string, reason: SuppressionReason, count: number }>> {
    const rows = await this.m.Contact.aggregate([
      { $match: { suppression: { $type: 'object' } } },
      { $group: { _id: { channelId: '$suppression.channelId', reason: '$suppression.reason' }, count: { $sum: 1 } } },
      { $sort: { '_id.channelId': 1, '_id.reason': 1 } }
    ]) as Array<{ _id: { channelId: string, reason: SuppressionReason }, count: number }>
    return rows.map(r => ({ ...r._id, count: r.count }))
  }

  async listContactMessages (contactId: string, options: { cursor?: string, limit: number }): Promise<Page<Message>> {
    const conversations = await this.m.Conversation.find({ contactId }, { _id: 1 }).lean() as Doc[]
    const filter: Doc = { conversationId: { $in: conversations.map(c => c._id) } }
    if (options.cursor !== undefined) filter._id = { $gt: String(decodeCursor(options.cursor, 1)[0]) }
    return pageById(await this.m.Message.find(filter).sort({ _id: 1 }).limit(options.limit + 1).lean() as Doc[], options.limit, toMessage)
  }

  async recordServed (contactId: string, agentId: string, now: Date): Promise<void> {
    await this.m.Contact.updateOne({ _id: contactId }, { $set: { lastAgentId: agentId, lastAgentAt: now } })
  }

  async assignConversation (conversationId: string, agentId: string, options: AssignOptions, now: Date): Promise<Conversation | null> {
    return await this.db.atomically(async () => {
      const before = await this.m.Conversation.findById(conversationId).lean() as Doc | null
      if (before === null) throw storeNotFound('conversation', conversationId)
      const movable = options.onlyIfWaiting ? before.status === 'unassigned' && before.assigneeId === null : before.status !== 'closed'
      if (!movable || before.assigneeId === agentId) return null
      // The slot first, in one update that checks capacity: concurrent routers cannot both pass it.
      const taken = await this.m.Agent.updateOne({
        _id: agentId, 'slots.conversationId': { $ne: conversationId },
        ...(options.capacity !== null ? { $expr: { $lt: [{ $size: { $ifNull: ['$slots', []] } }, options.capacity] } } : {}),
        ...(options.statuses !== undefined ? { status: { $in: options.statuses } } : {})
      }, { $push: { slots: { conversationId, at: now } }, $set: { lastRoutedAt: now } })
      if (taken.modifiedCount === 0) return null
      this.db.wrote()
      const expected = options.onlyIfWaiting
        ? { status: 'unassigned', assigneeId: null }
        : { status: { $ne: 'closed' }, assigneeId: before.assigneeId ?? null }
      const updated = await this.m.Conversation.findOneAndUpdate({ _id: conversationId, ...expected },
        { $set: { status: 'assigned', assigneeId: agentId, assignedAt: now, queuedAt: null, queueReason: null, updatedAt: now } },
        { returnDocument: 'after', lean: true }) as Doc | null
      if (updated === null) {
        // Someone else changed it first: give the slot back.
        await this.m.Agent.updateOne({ _id: agentId }, { $pull: slotOf(conversationId) })
        return null
      }
      this.db.wrote()
      if (before.assigneeId != null) {
        await this.m.Agent.updateOne({ _id: before.assigneeId }, { $pull: slotOf(conversationId) })
        this.db.wrote()
      }
      return toConversation(updated)
    })
  }

  async unassignConversation (conversationId: string, now: Date, options: { teamId?: string | null } = {}): Promise<Conversation> {
    return await this.db.atomically(async () => {
      for (;;) {
        const before = await this.m.Conversation.findById(conversationId).lean() as Doc | null
        if (before === null) throw storeNotFound('conversation', conversationId)
        if (before.status === 'closed') throw storeConflict('conversation_closed', conversationId)
        const set: Doc = { status: 'unassigned', assigneeId: null, assignedAt: null, updatedAt: now }
        if (options.teamId !== undefined) set.teamId = options.teamId
        // Only from the state just read: a close or a transfer in between makes this read again (a close then refuses).
        const after = await this.m.Conversation.findOneAndUpdate({ _id: conversationId, status: before.status, assigneeId: before.assigneeId ?? null },
          { $set: set }, { returnDocument: 'after', lean: true }) as Doc | null
        if (after === null) continue
        this.db.wrote()
        if (before.assigneeId != null) {
          await this.m.Agent.updateOne({ _id: before.assigneeId }, { $pull: slotOf(conversationId) })
          this.db.wrote()
        }
        return toConversation(after)
      }
    })
  }

  async queueConversation (conversationId: string, reason: QueueReason, since: Date, now: Date): Promise<InLine | null> {
    const d = await this.m.Conversation.findOneAndUpdate({ _id: conversationId, status: 'unassigned' },
      [{ $set: { queuedAt: { $ifNull: ['$queuedAt', since] }, queueReason: { $literal: reason }, updatedAt: now } }],
      { returnDocument: 'after', lean: true, updatePipeline: true }) as Doc | null
    if (d === null) return null
    // Counted on the team-line index; a concurrent arrival with an earlier start can make it one more than at the write.
    const conversation = toConversation(d)
    return { conversation, position: await this.queuePosition(conversation) }
  }

  async listQueue (limit: number): Promise<Conversation[]> {
    return (await this.m.Conversation.find({ queuedAt: { $type: 'date' }, status: 'unassigned' }).sort({ queuedAt: 1, _id: 1 }).limit(limit).lean() as Doc[]).map(toConversation)
  }

  async queueSizes (): Promise<Array<{ teamId: string | null, size: number }>> {
    const groups = await this.m.Conversation.aggregate<{ _id: string | null, size: number }>([
      { $match: { queuedAt: { $type: 'date' }, status: 'unassigned' } },
      { $group: { _id: '$teamId', size: { $sum: 1 } } }
    ])
    return groups.map(g => ({ teamId: g._id ?? null, size: g.size }))
  }

  async queuePosition (conversation: Conversation): Promise<number> {
    if (conversation.queuedAt === null) return 0
    const at = new Date(conversation.queuedAt)
    const ahead = await this.m.Conversation.countDocuments({
      queuedAt: { $type: 'date' }, status: 'unassigned', teamId: conversation.teamId,
      $or: [{ queuedAt: { $lt: at } }, { queuedAt: at, _id: { $lt: conversation.id } }]
    })
    return ahead + 1
  }

  async closeConversation (id: string, now: Date): Promise<Conversation> {
    return await this.db.atomically(async () => {
      const before = await this.m.Conversation.findOneAndUpdate({ _id: id, status: { $ne: 'closed' } },
        { $set: { status: 'closed', queuedAt: null, queueReason: null, unreadCount: 0, updatedAt: now, openKey: closedKey(id) } }, { lean: true }) as Doc | null
      if (before !== null) this.db.wrote()
      if (before?.assigneeId != null) {
        await this.m.Agent.updateOne({ _id: before.assigneeId }, { $pull: slotOf(id) })
        this.db.wrote()
      }
      const after = await this.m.Conversation.findById(id).lean() as Doc | null
      if (after === null) throw storeNotFound('conversation', id)
      return toConversation(after)
    })
  }

  async reopenConversation (id: string, now: Date): Promise<Conversation> {
    const current = await this.m.Conversation.findById(id).lean() as Doc | null
    if (current === null) throw storeNotFound('conversation', id)
    if (current.status !== 'closed') return toConversation(current)
    try {
      const d = await this.m.Conversation.findOneAndUpdate({ _id: id, status: 'closed' },
        { $set: { status: 'unassigned', assigneeId: null, assignedAt: null, moodAlertAt: null, held: false, lastActivityAt: now, updatedAt: now, openKey: openKey(current.channelId, current.contactId, current.thread ?? '') } },
        { returnDocument: 'after', lean: true }) as Doc | null
      return toConversation(d ?? await this.m.Conversation.findById(id).lean() as Doc)
    } catch (err) {
      if (isDuplicateKey(err)) throw storeConflict('conversation_open_elsewhere', id)
      throw err
    }
  }

  async setConversationTags (id: string, tags: string[], now: Date): Promise<Conversation> {
    return await this.#setOrNotFound(id, { tags, updatedAt: now })
  }

  async markConversationRead (id: string, now: Date): Promise<Conversation> {
    return await this.#setOrNotFound(id, { unreadCount: 0, updatedAt: now })
  }

  async #setOrNotFound (id: string, set: Doc): Promise<Conversation> {
    const d = await this.m.Conversation.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw storeNotFound('conversation', id)
    return toConversation(d)
  }

  async setChannelState (id: string, patch: Record<string, string | number | boolean | null>, now: Date): Promise<Conversation | null> {
    const set = Object.entries(patch).filter(([, v]) => v !== null).map(([k, v]) => [`channelState.${k}`, v])
    const unset = Object.entries(patch).filter(([, v]) => v === null).map(([k]) => [`channelState.${k}`, ''])
    const d = await this.m.Conversation.findOneAndUpdate({ _id: id }, { $set: { ...Object.fromEntries(set), updatedAt: now }, ...(unset.length > 0 ? { $unset: Object.fromEntries(unset) } : {}) }, { returnDocument: 'after', lean: true }) as Doc | null
    return d === null ? null : toConversation(d)
  }

  async markMoodAlert (id: string, at: Date): Promise<Conversation | null> {
    const d = await this.m.Conversation.findOneAndUpdate({ _id: id, moodAlertAt: null }, { $set: { moodAlertAt: at, updatedAt: at } }, { returnDocument: 'after', lean: true }) as Doc | null
    return d === null ? null : toConversation(d)
  }

  async setConversationBot (id: string, on: boolean, now: Date): Promise<Conversation | null> {
    const [from, to] = on ? ['unassigned', 'bot'] : ['bot', 'unassigned']
    const d = await this.m.Conversation.findOneAndUpdate({ _id: id, status: from, assigneeId: null },
      { $set: { status: to, queuedAt: null, queueReason: null, updatedAt: now } }, { returnDocument: 'after', lean: true }) as Doc | null
    return d === null ? null : toConversation(d)
  }

  async listAssigned (agentId: string): Promise<Conversation[]> {
    return (await this.m.Conversation.find({ assigneeId: agentId, status: 'assigned' }).sort({ assignedAt: 1 }).lean() as Doc[]).map(toConversation)
  }
}

/**
 * What an agent's slots lack or hold too many of, against their assigned conversations; null when nothing.
 * Slots taken and assignments made after `olderThan` are work under way and are left alone.
 */
function slotsToFix (held: Array<{ conversationId: string, at: Date }>, assigned: Doc[], olderThan: Date): { stale: string[], missing: Array<{ conversationId: string, at: Date }> } | null {
  const open = new Set(assigned.map(c => c._id as string))
  const holding = new Set(held.map(s => s.conversationId))
  const stale = held.filter(s => !open.has(s.conversationId) && s.at <= olderThan).map(s => s.conversationId)
  const missing = assigned.filter(c => !holding.has(c._id) && c.assignedAt <= olderThan).map(c => ({ conversationId: c._id as string, at: c.assignedAt as Date }))
  return stale.length === 0 && missing.length === 0 ? null : { stale, missing }
}

