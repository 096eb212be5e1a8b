import mongoose, { type Connection } from 'mongoose'
import { HubError, notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import type { Agent, Browsing, Contact, ContactDetails, ContactEdit, Conversation, FaqEntry, Identity, Message, MessageExtras, PageView, Phrase, QueueReason, Rating, StatusChange, Team } from '../../model/index.js'
import { decodeCursor, encodeCursor } from '../cursor.js'
import type {
  AgentPatch, AssignOptions, ConversationFilter, InboundRecord, InboundResult, MessageStatusUpdate, NewAgent, OutboundRecord,
  MessagePaging, NewPhrase, Page, PhrasePatch, RatingStat, StatusUpdate, Store
} from '../store.js'
import { PAGE_VIEWS_KEPT, RECENT_PAGES, phraseCodeTaken, phraseOwnerKey } from '../store.js'
import { mergeAttributes } from '../details.js'
import { registerModels, type Models } from './models.js'

type Doc = Record<string, any>

/** A user's text as a literal, case-insensitive pattern. */
const containing = (text: string): RegExp => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i')

const isDuplicateKey = (err: unknown): boolean => (err as { code?: number }).code === 11000

/** Set while a conversation is open: a unique index keeps one open conversation per channel, contact and thread. */
const openKey = (channelId: string, contactId: string, thread: string): string =>
  thread === '' ? `${channelId}|${contactId}` : `${channelId}|${contactId}|${thread}`

function toConversation (d: Doc): Conversation {
  const { _id, openKey: _openKey, thread: _thread, ...rest } = d
  return { id: _id, ...rest, moodAlertAt: d.moodAlertAt ?? null, rating: d.rating ?? null, ratingInvitedAt: d.ratingInvitedAt ?? null } as Conversation
}
function toMessage (d: Doc): Message {
  const { _id, ...rest } = d
  return { id: _id, ...rest, extras: d.extras ?? null, author: { type: d.author.type, id: d.author.id ?? null } } as Message
}
const toPhrase = (d: Doc): Phrase => {
  const { _id, ownerKey: _key, ...rest } = d
  return { id: _id, ...rest, attachments: d.attachments ?? [] } as Phrase
}

function toFaqEntry (d: Doc): FaqEntry {
  const { _id, ...rest } = d
  return { id: _id, ...rest, teamId: d.teamId ?? null, createdBy: d.createdBy ?? null } as FaqEntry
}

const toTeam = (d: Doc): Team => ({ id: d._id, name: d.name, createdAt: d.createdAt })
function toStatusChange (d: Doc): StatusChange {
  const { _id, ...rest } = d
  return { id: _id, ...rest } as StatusChange
}
function toAgent (d: Doc): Agent {
  const { _id, tokenHash: _hash, ...rest } = d
  return { id: _id, ...rest, locale: d.locale ?? null, welcome: d.welcome ?? null } as Agent
}

/** Events since a time, counted per subject (an agent, a channel) and kind, in that order. */
async function countEvents (model: Models['AgentEvent'] | Models['ChannelEvent'], subject: 'agentId' | 'channelId', since: Date): Promise<Array<{ subject: string, kind: string, count: number }>> {
  const rows = await (model as Models['AgentEvent']).aggregate<{ _id: { subject: string, kind: string }, count: number }>([
    { $match: { at: { $gte: since } } },
    { $group: { _id: { subject: `$${subject}`, kind: '$kind' }, count: { $sum: 1 } } },
    { $sort: { '_id.subject': 1, '_id.kind': 1 } }
  ])
  return rows.map(r => ({ subject: r._id.subject, kind: r._id.kind, count: r.count }))
}

/**
 * Scale-out store. It needs no replica set: each write below is idempotent and ordered so
 * that a retry after a crash (a webhook redelivered) completes what the first try began.
 */
export class MongoStore implements Store {
  readonly driver = 'mongodb'
  private readonly uri: string
  private connection!: Connection
  private m!: Models

  constructor (uri: string) {
    this.uri = uri
  }

  async open (): Promise<void> {
    this.connection = await mongoose.createConnection(this.uri, { serverSelectionTimeoutMS: 5000 }).asPromise()
    this.m = registerModels(this.connection)
    await Promise.all(Object.values(this.m).map(model => model.createIndexes()))
  }

  async close (): Promise<void> {
    await this.connection?.close()
  }

  async ping (): Promise<void> {
    await this.connection.db!.admin().ping()
  }

  async recordInbound (record: InboundRecord, now: Date): Promise<InboundResult> {
    const duplicateOf = async (): Promise<InboundResult | null> => {
      const existing = await this.m.Message.findOne({ channelId: record.channelId, externalId: record.externalId }).lean() as Doc | null
      if (existing === null) return null
      const conversation = await this.m.Conversation.findById(existing.conversationId).lean() as Doc
      return { duplicate: true, conversationCreated: false, message: toMessage(existing), conversation: toConversation(conversation) }
    }
    const joined = record.conversationId === undefined ? null : await this.m.Conversation.findById(record.conversationId).lean() as Doc | null
    // A redelivered reply must not reopen the conversation it was stored in.
    if (joined?.status === 'closed') {
      const known = await duplicateOf()
      if (known !== null) return known
    }
    const contactId = await this.upsertIdentity(record, now, joined)
    const note = record.direction === 'note'
    const { id: conversationId, created } = joined !== null
      ? await this.joinConversation(joined, note, now)
      : await this.openConversation(record, contactId, note, now)
    const messageId = newId(now.getTime())
    const echo = record.direction === 'outbound'
    try {
      await this.m.Message.create({
        _id: messageId, conversationId, channelId: record.channelId, direction: record.direction ?? 'inbound',
        author: echo ? { type: 'agent', id: null } : { type: 'contact', id: contactId }, text: record.text, attachments: record.attachments, cards: record.cards,
        extras: record.extras ?? null, externalId: record.externalId, status: echo ? 'sent' : 'delivered', routed: note,
        createdAt: now, sentAt: record.sentAt, deliveredAt: echo ? null : now, updatedAt: now
      })
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
      return (await duplicateOf())!
    }
    const conversation = await this.m.Conversation.findOneAndUpdate(
      { _id: conversationId },
      note
        ? { $set: { updatedAt: now } }
        : echo
          ? { $max: { lastOutboundAt: record.sentAt }, $set: { lastActivityAt: now, updatedAt: now } }
          : { $inc: { unreadCount: 1 }, ...(record.opensWindow === false ? {} : { $max: { lastInboundAt: record.sentAt } }), $set: { lastActivityAt: now, updatedAt: now } },
      { returnDocument: 'after', lean: true }
    ) as Doc
    const message = await this.m.Message.findById(messageId).lean() as Doc
    return { duplicate: false, conversationCreated: created, message: toMessage(message), conversation: toConversation(conversation) }
  }

  /** The contact's open conversation on this channel and thread, or a new one (closed when a note opens it: nothing to answer). */
  private async openConversation (record: InboundRecord, contactId: string, note: boolean, now: Date): Promise<{ id: string, created: boolean }> {
    const thread = record.thread ?? ''
    const proposedId = newId(now.getTime())
    const fields = { _id: proposedId, channelId: record.channelId, contactId, thread, assigneeId: null, teamId: record.teamId, queuedAt: null, queueReason: null, assignedAt: null, tags: [], unreadCount: 0, lastInboundAt: null, lastOutboundAt: null, lastActivityAt: now, moodAlertAt: null, rating: null, ratingInvitedAt: null, createdAt: now, updatedAt: now }
    if (note) {
      await this.m.Conversation.create({ ...fields, status: 'closed' })
      return { id: proposedId, created: true }
    }
    const opened = await this.m.Conversation.findOneAndUpdate(
      { openKey: openKey(record.channelId, contactId, thread) }, { $setOnInsert: { ...fields, status: 'unassigned' } },
      { upsert: true, returnDocument: 'after', lean: true }
    ) as Doc
    return { id: opened._id, created: opened._id === proposedId }
  }

  /** A conversation the channel matched: a customer message reopens it if closed, unless the contact has opened another there since. */
  private async joinConversation (joined: Doc, note: boolean, now: Date): Promise<{ id: string, created: boolean }> {
    if (joined.status !== 'closed' || note) return { id: joined._id, created: false }
    const key = openKey(joined.channelId, joined.contactId, joined.thread ?? '')
    try {
      await this.m.Conversation.updateOne({ _id: joined._id, status: 'closed' },
        { $set: { status: 'unassigned', assigneeId: null, assignedAt: null, updatedAt: now, openKey: key } })
      return { id: joined._id, created: false }
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
      const open = await this.m.Conversation.findOne({ openKey: key }).lean() as Doc
      return { id: open._id, created: false }
    }
  }

  /** See the sqlite driver: a new address writing into a matched conversation whose contact has that email joins that contact. */
  private async upsertIdentity (record: InboundRecord, now: Date, joined: Doc | null): Promise<string> {
    const { channelId, contact } = record
    const filter = { channelId, externalId: contact.externalId }
    let newContactId = newId(now.getTime())
    if (joined !== null && contact.email !== undefined && await this.m.Identity.exists(filter) === null) {
      const owner = await this.m.Contact.findById(joined.contactId).lean() as Doc | null
      if (typeof owner?.email === 'string' && owner.email.toLowerCase() === contact.email.toLowerCase()) newContactId = owner._id
    }
    const upsert = async (): Promise<Doc> => await this.m.Identity.findOneAndUpdate(
      filter, { $setOnInsert: { contactId: newContactId, createdAt: now } }, { upsert: true, returnDocument: 'after', lean: true }
    ) as Doc
    // Two concurrent upserts of a new identity: one wins, the other gets E11000 and reads the winner.
    const identity = await upsert().catch(async err => { if (isDuplicateKey(err)) return await upsert(); throw err })
    const contactId = identity.contactId as string
    await this.m.Contact.updateOne({ _id: contactId }, { $setOnInsert: { createdAt: now, updatedAt: now } }, { upsert: true })
    // Fill only the profile fields that are still empty; agents' edits win.
    const fields = { name: contact.name, email: contact.email, phone: contact.phone, avatarUrl: contact.avatarUrl }
    await Promise.all(Object.entries(fields).filter(([, v]) => v !== undefined).map(async ([k, v]) =>
      await this.m.Contact.updateOne({ _id: contactId, [k]: null }, { $set: { [k]: v, updatedAt: now } })))
    return contactId
  }

  async recordOutbound (record: OutboundRecord, now: Date): Promise<Message> {
    const conversation = await this.m.Conversation.findOneAndUpdate(
      { _id: record.conversationId }, { $set: { lastActivityAt: now, updatedAt: now } }, { lean: true }
    ) as Doc | null
    if (conversation === null) throw notFound('conversation', record.conversationId)
    const note = record.direction === 'note'
    const created = await this.m.Message.create({
      _id: newId(now.getTime()), conversationId: record.conversationId, channelId: record.channelId ?? conversation.channelId, direction: record.direction,
      author: record.author, text: record.text, attachments: record.attachments, cards: record.cards, extras: record.extras ?? null, externalId: null,
      status: note ? 'sent' : 'pending', tag: record.tag, routed: true, createdAt: now, sentAt: note ? now : null, updatedAt: now
    })
    return toMessage(created.toObject() as Doc)
  }

  async updateMessageStatus (id: string, update: MessageStatusUpdate, now: Date): Promise<Message> {
    const set: Doc = { status: update.status, errorCode: update.errorCode ?? null, errorMessage: update.errorMessage ?? null, updatedAt: now }
    if (update.externalId !== undefined) set.externalId = update.externalId
    const stamp = { sent: 'sentAt', delivered: 'deliveredAt', read: 'readAt' }[update.status as string]
    const current = await this.m.Message.findById(id).lean() as Doc | null
    if (current === null) throw notFound('message', id)
    if (stamp !== undefined && current[stamp] == null) set[stamp] = now
    const message = await this.m.Message.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after', lean: true }) as Doc
    if (update.status === 'sent') {
      await this.m.Conversation.updateOne({ _id: message.conversationId }, { $set: { lastOutboundAt: now, updatedAt: now } })
    }
    return toMessage(message)
  }

  async advanceOutbound (channelId: string, receipt: { status: 'delivered' | 'read', externalIds?: string[], upTo?: { contactExternalId: string, at: Date } }, now: Date): Promise<Message[]> {
    const filters: Doc[] = []
    if (receipt.externalIds !== undefined && receipt.externalIds.length > 0) filters.push({ externalId: { $in: receipt.externalIds } })
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
    await this.m.Message.updateMany({ _id: { $in: ids }, deliveredAt: null }, { $set: { deliveredAt: now } })
    const set: Doc = { status: receipt.status, updatedAt: now }
    if (receipt.status === 'read') set.readAt = now
    await this.m.Message.updateMany({ ...query, _id: { $in: ids } }, { $set: set })
    return (await this.m.Message.find({ _id: { $in: ids } }).lean() as Doc[]).map(toMessage)
  }

  async fillProfile (channelId: string, contactExternalId: string, profile: { name?: string, avatarUrl?: string }, now: Date): Promise<void> {
    const identity = await this.m.Identity.findOne({ channelId, externalId: contactExternalId }).lean() as Doc | null
    if (identity === null) return
    for (const [field, value] of Object.entries(profile)) {
      if (value !== undefined) await this.m.Contact.updateOne({ _id: identity.contactId, [field]: null }, { $set: { [field]: value, updatedAt: now } })
    }
  }

  async updateContact (channelId: string, contactExternalId: string, details: ContactDetails, now: Date): Promise<Contact | null> {
    const identity = await this.m.Identity.findOne({ channelId, externalId: contactExternalId }).lean() as Doc | null
    if (identity === null) return null
    const contact = await this.m.Contact.findById(identity.contactId).lean() as Doc | null
    if (contact === null) return null
    const { attributes, ...fields } = details
    const set: Doc = { ...fields, updatedAt: now }
    if (attributes !== undefined) set.attributes = mergeAttributes(contact.attributes ?? {}, attributes)
    await this.m.Contact.updateOne({ _id: contact._id }, { $set: set })
    return await this.getContact(contact._id)
  }

  async recordPageView (channelId: string, externalId: string, view: PageView): Promise<void> {
    await this.m.PageView.create({ channelId, externalId, ...view })
    const [first] = await this.m.PageView.find({ channelId, externalId }).sort({ _id: 1 }).limit(1).lean() as Doc[]
    const [cutoff] = await this.m.PageView.find({ channelId, externalId }).sort({ _id: -1 }).skip(PAGE_VIEWS_KEPT).limit(1).lean() as Doc[]
    // Keep the first visit and the latest ones; older pages in between go.
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
    if (d === null) throw notFound('message', id)
    return toMessage(d)
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
    return (await this.m.Message.find({ channelId, externalId: { $in: externalIds } }).sort({ _id: 1 }).lean() as Doc[]).map(toMessage)
  }

  async listMessages (conversationId: string, options: MessagePaging): Promise<Page<Message>> {
    const filter: Doc = { conversationId }
    if (options.cursor !== undefined) filter._id = { $gt: String(decodeCursor(options.cursor, 1)[0]) }
    if (options.since !== undefined) filter.createdAt = { $gte: options.since }
    const docs = await this.m.Message.find(filter).sort({ _id: 1 }).limit(options.limit + 1).lean() as Doc[]
    const items = docs.slice(0, options.limit).map(toMessage)
    return { items, nextCursor: docs.length > options.limit ? encodeCursor([items[items.length - 1]!.id]) : null }
  }

  async listUnfinished (olderThan: Date, limit: number): Promise<{ pendingOutbound: Message[], unrouted: Message[] }> {
    const [pending, unrouted] = await Promise.all([
      this.m.Message.find({ status: 'pending', createdAt: { $lte: olderThan } }).sort({ createdAt: 1 }).limit(limit).lean(),
      this.m.Message.find({ routed: false, direction: 'inbound', createdAt: { $lte: olderThan } }).sort({ createdAt: 1 }).limit(limit).lean()
    ]) as [Doc[], Doc[]]
    return { pendingOutbound: pending.map(toMessage), unrouted: unrouted.map(toMessage) }
  }

  async getConversation (id: string): Promise<Conversation | null> {
    const d = await this.m.Conversation.findById(id).lean() as Doc | null
    return d === null ? null : toConversation(d)
  }

  private async conversationQuery (filter: ConversationFilter): Promise<Doc> {
    const query: Doc = {}
    if (filter.status === 'open') query.status = { $ne: 'closed' }
    else if (filter.status !== undefined) query.status = filter.status
    if (filter.channelId !== undefined) query.channelId = filter.channelId
    if (filter.assigneeId !== undefined) query.assigneeId = filter.assigneeId
    if (filter.contactId !== undefined) query.contactId = filter.contactId
    if (filter.teamIds !== undefined) query.teamId = { $in: filter.teamIds }
    if (filter.unread === true) query.unreadCount = { $gt: 0 }
    if (filter.tag !== undefined) query.tags = filter.tag
    if (filter.moodAlert === true) query.moodAlertAt = { $ne: null }
    if (filter.unansweredSince !== undefined) {
      query.status = { $ne: 'closed' }
      query.lastInboundAt = { $lte: filter.unansweredSince }
      query.$expr = { $or: [{ $eq: ['$lastOutboundAt', null] }, { $lt: ['$lastOutboundAt', '$lastInboundAt'] }] }
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
    const query = await this.conversationQuery(filter)
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
    return await this.m.Conversation.countDocuments(await this.conversationQuery(filter))
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
    const d = await this.m.Contact.findById(id).lean() as Doc | null
    if (d === null) return null
    const identities = await this.m.Identity.find({ contactId: id }).sort({ createdAt: 1 }).lean() as Doc[]
    const { _id, ...rest } = d
    return {
      id: _id, ...rest,
      identities: identities.map((i): Identity => ({ channelId: i.channelId, externalId: i.externalId, contactId: i.contactId, createdAt: i.createdAt }))
    } as Contact
  }

  async getContacts (ids: string[]): Promise<Contact[]> {
    const [docs, identities] = await Promise.all([
      this.m.Contact.find({ _id: { $in: ids } }).lean() as Promise<Doc[]>,
      this.m.Identity.find({ contactId: { $in: ids } }).sort({ createdAt: 1 }).lean() as Promise<Doc[]>
    ])
    return docs.map(({ _id, ...rest }) => ({
      id: _id, ...rest,
      identities: identities.filter(i => i.contactId === _id).map((i): Identity => ({ channelId: i.channelId, externalId: i.externalId, contactId: i.contactId, createdAt: i.createdAt }))
    }) as Contact)
  }

  async editContact (id: string, edit: ContactEdit, now: Date): Promise<Contact> {
    const set = Object.fromEntries(Object.entries(edit).filter(([, v]) => v !== undefined))
    const r = await this.m.Contact.updateOne({ _id: id }, { $set: { ...set, updatedAt: now } })
    if (r.matchedCount === 0) throw notFound('contact', id)
    return (await this.getContact(id))!
  }

  async createAgent (agent: NewAgent, now: Date): Promise<Agent> {
    try {
      const created = await this.m.Agent.create({ _id: newId(now.getTime()), ...agent, email: agent.email.toLowerCase(), createdAt: now })
      return toAgent(created.toObject() as Doc)
    } catch (err) {
      if (isDuplicateKey(err)) throw new HubError('agent_exists', `An agent with email ${agent.email} already exists.`, 409)
      throw err
    }
  }

  async findAgentByTokenHash (tokenHash: string): Promise<Agent | null> {
    const d = await this.m.Agent.findOne({ tokenHash }).lean() as Doc | null
    return d === null ? null : toAgent(d)
  }

  async ensureAgentWithToken (agent: NewAgent, now: Date): Promise<Agent> {
    const existing = await this.findAgentByTokenHash(agent.tokenHash)
    if (existing !== null) return existing
    const updated = await this.m.Agent.findOneAndUpdate({ email: agent.email.toLowerCase() }, { $set: { tokenHash: agent.tokenHash } }, { returnDocument: 'after', lean: true }) as Doc | null
    return updated !== null ? toAgent(updated) : await this.createAgent(agent, now)
  }

  async getAgent (id: string): Promise<Agent | null> {
    const d = await this.m.Agent.findById(id).lean() as Doc | null
    return d === null ? null : toAgent(d)
  }

  async listAgents (): Promise<Agent[]> {
    return (await this.m.Agent.find().sort({ name: 1, _id: 1 }).lean() as Doc[]).map(toAgent)
  }

  async updateAgent (id: string, patch: AgentPatch): Promise<Agent> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
    const d = await this.m.Agent.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw notFound('agent', id)
    return toAgent(d)
  }

  async rotateAgentToken (id: string, tokenHash: string): Promise<void> {
    const r = await this.m.Agent.updateOne({ _id: id }, { $set: { tokenHash } })
    if (r.matchedCount === 0) throw notFound('agent', id)
  }

  async setAgentStatus (id: string, update: StatusUpdate, now: Date): Promise<Agent | null> {
    const set: Doc = { status: update.status, statusChangedAt: now }
    if (update.source === 'api') Object.assign(set, { lastActiveAt: now, lastSeenAt: now })
    const d = await this.m.Agent.findOneAndUpdate({ _id: id, status: { $in: update.from ?? ['online', 'busy', 'offline'] } }, { $set: set }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) {
      if (await this.m.Agent.exists({ _id: id }) === null) throw notFound('agent', id)
      return null
    }
    await this.m.StatusChange.create({ _id: newId(now.getTime()), agentId: id, status: update.status, at: now, source: update.source, ip: update.ip ?? null, userAgent: update.userAgent ?? null })
    return toAgent(d)
  }

  async touchAgents (ids: string[], now: Date): Promise<void> {
    if (ids.length > 0) await this.m.Agent.updateMany({ _id: { $in: ids } }, { $set: { lastSeenAt: now } })
  }

  async markAgentActive (id: string, now: Date): Promise<void> {
    await this.m.Agent.updateOne({ _id: id }, { $set: { lastSeenAt: now, lastActiveAt: now } })
  }

  async listStatusLog (filter: { agentId?: string }, options: { cursor?: string, limit: number }): Promise<Page<StatusChange>> {
    const query: Doc = {}
    if (filter.agentId !== undefined) query.agentId = filter.agentId
    if (options.cursor !== undefined) query._id = { $lt: String(decodeCursor(options.cursor, 1)[0]) }
    const docs = await this.m.StatusChange.find(query).sort({ _id: -1 }).limit(options.limit + 1).lean() as Doc[]
    const items = docs.slice(0, options.limit).map(toStatusChange)
    return { items, nextCursor: docs.length > options.limit ? encodeCursor([items[items.length - 1]!.id]) : null }
  }

  async createTeam (team: { id: string, name: string }, now: Date): Promise<Team> {
    try {
      const created = await this.m.Team.create({ _id: team.id, name: team.name, createdAt: now })
      return toTeam(created.toObject() as Doc)
    } catch (err) {
      if (isDuplicateKey(err)) throw new HubError('team_exists', `A team with id ${team.id} already exists.`, 409)
      throw err
    }
  }

  async getTeam (id: string): Promise<Team | null> {
    const d = await this.m.Team.findById(id).lean() as Doc | null
    return d === null ? null : toTeam(d)
  }

  async listTeams (): Promise<Team[]> {
    return (await this.m.Team.find().sort({ _id: 1 }).lean() as Doc[]).map(toTeam)
  }

  async updateTeam (id: string, patch: { name: string }): Promise<Team> {
    const d = await this.m.Team.findOneAndUpdate({ _id: id }, { $set: { name: patch.name } }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw notFound('team', id)
    return toTeam(d)
  }

  async assignConversation (conversationId: string, agentId: string, options: AssignOptions, now: Date): Promise<Conversation | null> {
    const before = await this.m.Conversation.findById(conversationId).lean() as Doc | null
    if (before === null) throw notFound('conversation', conversationId)
    const movable = options.onlyIfWaiting ? before.status === 'unassigned' && before.assigneeId === null : before.status !== 'closed'
    if (!movable || before.assigneeId === agentId) return null
    // The capacity check and the increment are one atomic update: concurrent routers cannot both pass it.
    const taken = await this.m.Agent.findOneAndUpdate(
      { _id: agentId, ...(options.capacity !== null ? { activeCount: { $lt: options.capacity } } : {}), ...(options.statuses !== undefined ? { status: { $in: options.statuses } } : {}) },
      { $inc: { activeCount: 1 }, $set: { lastRoutedAt: now } }, { lean: true })
    if (taken === null) return null
    const expected = options.onlyIfWaiting
      ? { status: 'unassigned', assigneeId: null }
      : { status: { $ne: 'closed' }, assigneeId: before.assigneeId ?? null }
    const updated = await this.m.Conversation.findOneAndUpdate({ _id: conversationId, ...expected },
      { $set: { status: 'assigned', assigneeId: agentId, assignedAt: now, queuedAt: null, queueReason: null, updatedAt: now } },
      { returnDocument: 'after', lean: true }) as Doc | null
    if (updated === null) {
      // Someone else changed it first: give the slot back.
      await this.m.Agent.updateOne({ _id: agentId }, { $inc: { activeCount: -1 } })
      return null
    }
    if (before.assigneeId != null) await this.m.Agent.updateOne({ _id: before.assigneeId, activeCount: { $gt: 0 } }, { $inc: { activeCount: -1 } })
    return toConversation(updated)
  }

  async unassignConversation (conversationId: string, now: Date, options: { teamId?: string | null } = {}): Promise<Conversation> {
    const before = await this.m.Conversation.findById(conversationId).lean() as Doc | null
    if (before === null) throw notFound('conversation', conversationId)
    if (before.status === 'closed') throw new HubError('conversation_closed', 'The conversation is closed; reopen it first.', 409)
    const set: Doc = { status: 'unassigned', assigneeId: null, assignedAt: null, updatedAt: now }
    if (options.teamId !== undefined) set.teamId = options.teamId
    const after = await this.m.Conversation.findOneAndUpdate({ _id: conversationId, assigneeId: before.assigneeId ?? null }, { $set: set }, { returnDocument: 'after', lean: true }) as Doc | null
    if (after === null) return await this.unassignConversation(conversationId, now, options)
    if (before.assigneeId != null) await this.m.Agent.updateOne({ _id: before.assigneeId, activeCount: { $gt: 0 } }, { $inc: { activeCount: -1 } })
    return toConversation(after)
  }

  async queueConversation (conversationId: string, reason: QueueReason, since: Date, now: Date): Promise<Conversation | null> {
    await this.m.Conversation.updateOne({ _id: conversationId, status: 'unassigned', queuedAt: null }, { $set: { queuedAt: since } })
    const d = await this.m.Conversation.findOneAndUpdate({ _id: conversationId, status: 'unassigned' }, { $set: { queueReason: reason, updatedAt: now } }, { returnDocument: 'after', lean: true }) as Doc | null
    return d === null ? null : toConversation(d)
  }

  async listQueue (limit: number): Promise<Conversation[]> {
    return (await this.m.Conversation.find({ queuedAt: { $ne: null }, status: 'unassigned' }).sort({ queuedAt: 1, _id: 1 }).limit(limit).lean() as Doc[]).map(toConversation)
  }

  async queueSizes (): Promise<Array<{ teamId: string | null, size: number }>> {
    const groups = await this.m.Conversation.aggregate<{ _id: string | null, size: number }>([
      { $match: { queuedAt: { $ne: null }, status: 'unassigned' } },
      { $group: { _id: '$teamId', size: { $sum: 1 } } }
    ])
    return groups.map(g => ({ teamId: g._id ?? null, size: g.size }))
  }

  async queuePosition (conversation: Conversation): Promise<number> {
    if (conversation.queuedAt === null) return 0
    const at = new Date(conversation.queuedAt)
    const ahead = await this.m.Conversation.countDocuments({
      status: 'unassigned', teamId: conversation.teamId, queuedAt: { $ne: null },
      $or: [{ queuedAt: { $lt: at } }, { queuedAt: at, _id: { $lt: conversation.id } }]
    })
    return ahead + 1
  }

  async setConversationTags (id: string, tags: string[], now: Date): Promise<Conversation> {
    const d = await this.m.Conversation.findOneAndUpdate({ _id: id }, { $set: { tags, updatedAt: now } }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw notFound('conversation', id)
    return toConversation(d)
  }

  async markConversationRead (id: string, now: Date): Promise<Conversation> {
    const d = await this.m.Conversation.findOneAndUpdate({ _id: id }, { $set: { unreadCount: 0, updatedAt: now } }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw notFound('conversation', id)
    return toConversation(d)
  }

  async closeConversation (id: string, now: Date): Promise<Conversation> {
    const before = await this.m.Conversation.findOneAndUpdate({ _id: id, status: { $ne: 'closed' } },
      { $set: { status: 'closed', queuedAt: null, queueReason: null, unreadCount: 0, updatedAt: now }, $unset: { openKey: 1 } }, { lean: true }) as Doc | null
    if (before?.assigneeId != null) await this.m.Agent.updateOne({ _id: before.assigneeId, activeCount: { $gt: 0 } }, { $inc: { activeCount: -1 } })
    const after = await this.m.Conversation.findById(id).lean() as Doc | null
    if (after === null) throw notFound('conversation', id)
    return toConversation(after)
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

  async markRatingInvited (id: string, at: Date): Promise<Conversation> {
    const d = await this.m.Conversation.findOneAndUpdate({ _id: id }, { $set: { ratingInvitedAt: at, updatedAt: at } }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw notFound('conversation', id)
    return toConversation(d)
  }

  async rateConversation (id: string, rating: Rating, now: Date): Promise<Conversation> {
    const d = await this.m.Conversation.findOneAndUpdate({ _id: id }, { $set: { rating, updatedAt: now } }, { returnDocument: 'after', lean: true }) as Doc | null
    if (d === null) throw notFound('conversation', id)
    return toConversation(d)
  }

  async ratingStats (since: Date): Promise<RatingStat[]> {
    const rows = await this.m.Conversation.aggregate<{ _id: { agentId: string | null, channelId: string }, count: number, average: number, satisfied: number }>([
      { $match: { 'rating.at': { $gte: since } } },
      { $group: { _id: { agentId: '$rating.agentId', channelId: '$channelId' }, count: { $sum: 1 }, average: { $avg: '$rating.score' }, satisfied: { $sum: { $cond: [{ $gte: ['$rating.score', 4] }, 1, 0] } } } },
      { $sort: { '_id.channelId': 1, '_id.agentId': 1 } }
    ])
    return rows.map(r => ({ agentId: r._id.agentId ?? null, channelId: r._id.channelId, count: r.count, average: r.average, satisfied: r.satisfied }))
  }

  async reopenConversation (id: string, now: Date): Promise<Conversation> {
    const current = await this.m.Conversation.findById(id).lean() as Doc | null
    if (current === null) throw notFound('conversation', id)
    if (current.status !== 'closed') return toConversation(current)
    try {
      const d = await this.m.Conversation.findOneAndUpdate({ _id: id, status: 'closed' },
        { $set: { status: 'unassigned', assigneeId: null, assignedAt: null, moodAlertAt: null, lastActivityAt: now, updatedAt: now, openKey: openKey(current.channelId, current.contactId, current.thread ?? '') } },
        { returnDocument: 'after', lean: true }) as Doc | null
      return toConversation(d ?? current)
    } catch (err) {
      if (isDuplicateKey(err)) throw new HubError('conversation_open_elsewhere', 'This contact already has an open conversation on this channel; continue that one.', 409)
      throw err
    }
  }

  async listAssigned (agentId: string): Promise<Conversation[]> {
    return (await this.m.Conversation.find({ assigneeId: agentId, status: 'assigned' }).sort({ assignedAt: 1 }).lean() as Doc[]).map(toConversation)
  }

  async recordServed (contactId: string, agentId: string, now: Date): Promise<void> {
    await this.m.Contact.updateOne({ _id: contactId }, { $set: { lastAgentId: agentId, lastAgentAt: now } })
  }

  async listContactMessages (contactId: string, options: { cursor?: string, limit: number }): Promise<Page<Message>> {
    const conversations = await this.m.Conversation.find({ contactId }, { _id: 1 }).lean() as Doc[]
    const filter: Doc = { conversationId: { $in: conversations.map(c => c._id) } }
    if (options.cursor !== undefined) filter._id = { $gt: String(decodeCursor(options.cursor, 1)[0]) }
    const docs = await this.m.Message.find(filter).sort({ _id: 1 }).limit(options.limit + 1).lean() as Doc[]
    const items = docs.slice(0, options.limit).map(toMessage)
    return { items, nextCursor: docs.length > options.limit ? encodeCursor([items[items.length - 1]!.id]) : null }
  }

  async kvGet (namespace: string, key: string): Promise<string | null> {
    const d = await this.m.Kv.findOne({ namespace, key }).lean() as Doc | null
    return d?.value ?? null
  }

  async kvSet (namespace: string, key: string, value: string): Promise<void> {
    await this.m.Kv.updateOne({ namespace, key }, { $set: { value } }, { upsert: true })
  }

  async kvDelete (namespace: string, key: string): Promise<void> {
    await this.m.Kv.deleteOne({ namespace, key })
  }

  async createPhrase (phrase: NewPhrase, now: Date): Promise<Phrase> {
    try {
      const created = await this.m.Phrase.create({ _id: newId(now.getTime()), ...phrase, ownerKey: phraseOwnerKey(phrase), createdAt: now, updatedAt: now })
      return toPhrase(created.toObject() as Doc)
    } catch (err) {
      if (isDuplicateKey(err)) throw phraseCodeTaken(phrase.code)
      throw err
    }
  }

  async getPhrase (id: string): Promise<Phrase | null> {
    const d = await this.m.Phrase.findById(id).lean() as Doc | null
    return d === null ? null : toPhrase(d)
  }

  async updatePhrase (id: string, patch: PhrasePatch, now: Date): Promise<Phrase> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
    try {
      const d = await this.m.Phrase.findByIdAndUpdate(id, { $set: { ...set, updatedAt: now } }, { new: true, lean: true }) as Doc | null
      if (d === null) throw notFound('phrase', id)
      return toPhrase(d)
    } catch (err) {
      if (isDuplicateKey(err)) throw phraseCodeTaken(patch.code!)
      throw err
    }
  }

  async deletePhrase (id: string): Promise<void> {
    if ((await this.m.Phrase.deleteOne({ _id: id })).deletedCount === 0) throw notFound('phrase', id)
  }

  async listPhrases (filter: { agentId: string, teamIds: string[] | 'all' }): Promise<Phrase[]> {
    const teams = filter.teamIds === 'all' ? { scope: 'team' } : { teamId: { $in: filter.teamIds } }
    const docs = await this.m.Phrase.find({ $or: [{ ownerId: filter.agentId }, { scope: 'hub' }, teams] }).sort({ code: 1, _id: 1 }).lean() as Doc[]
    return docs.map(toPhrase)
  }

  async recordAgentEvent (agentId: string, kind: string, at: Date): Promise<void> {
    await this.m.AgentEvent.create({ agentId, kind, at })
  }

  async countAgentEvents (since: Date): Promise<Array<{ agentId: string, kind: string, count: number }>> {
    return (await countEvents(this.m.AgentEvent, 'agentId', since)).map(r => ({ agentId: r.subject, kind: r.kind, count: r.count }))
  }

  async putFaqEntries (entries: FaqEntry[]): Promise<void> {
    if (entries.length === 0) return
    // Without a replica set there are no transactions: the core checks every entry first, so only an outage can leave part written.
    await this.m.FaqEntry.bulkWrite(entries.map(({ id, createdAt, ...fields }) => ({
      updateOne: { filter: { _id: id }, update: { $set: fields, $setOnInsert: { createdAt } }, upsert: true }
    })), { ordered: true })
  }

  async getFaqEntry (id: string): Promise<FaqEntry | null> {
    const d = await this.m.FaqEntry.findById(id).lean() as Doc | null
    return d === null ? null : toFaqEntry(d)
  }

  async deleteFaqEntry (id: string): Promise<void> {
    if ((await this.m.FaqEntry.deleteOne({ _id: id })).deletedCount === 0) throw notFound('FAQ entry', id)
  }

  async listFaqEntries (teamIds: string[] | 'all'): Promise<FaqEntry[]> {
    const query = teamIds === 'all' ? {} : { $or: [{ teamId: null }, { teamId: { $in: teamIds } }] }
    return (await this.m.FaqEntry.find(query).sort({ createdAt: 1, _id: 1 }).lean() as Doc[]).map(toFaqEntry)
  }

  async recordChannelEvent (channelId: string, kind: string, at: Date): Promise<void> {
    await this.m.ChannelEvent.create({ channelId, kind, at })
  }

  async countChannelEvents (since: Date): Promise<Array<{ channelId: string, kind: string, count: number }>> {
    return (await countEvents(this.m.ChannelEvent, 'channelId', since)).map(r => ({ channelId: r.subject, kind: r.kind, count: r.count }))
  }

  async kvSetIfAbsent (namespace: string, key: string, value: string): Promise<boolean> {
    const r = await this.m.Kv.updateOne({ namespace, key }, { $setOnInsert: { value } }, { upsert: true }).catch(err => {
      if (isDuplicateKey(err)) return { upsertedCount: 0 }
      throw err
    })
    return r.upsertedCount === 1
  }

  async kvTake (namespace: string, key: string): Promise<string | null> {
    const d = await this.m.Kv.findOneAndDelete({ namespace, key }).lean() as Doc | null
    return d?.value ?? null
  }
}
