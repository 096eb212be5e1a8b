import mongoose, { type Connection } from 'mongoose'
import { HubError, notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import type { Agent, Contact, Conversation, Identity, Message } from '../../model/index.js'
import { decodeCursor, encodeCursor } from '../cursor.js'
import type {
  ConversationFilter, InboundRecord, InboundResult, MessageStatusUpdate, NewAgent, OutboundRecord, Page, Store
} from '../store.js'
import { registerModels, type Models } from './models.js'

type Doc = Record<string, any>

const isDuplicateKey = (err: unknown): boolean => (err as { code?: number }).code === 11000

function toConversation (d: Doc): Conversation {
  const { _id, openKey: _openKey, ...rest } = d
  return { id: _id, ...rest } as Conversation
}
function toMessage (d: Doc): Message {
  const { _id, ...rest } = d
  return { id: _id, ...rest, author: { type: d.author.type, id: d.author.id ?? null } } as Message
}
function toAgent (d: Doc): Agent {
  const { _id, tokenHash: _hash, ...rest } = d
  return { id: _id, ...rest } as Agent
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
    const contactId = await this.upsertIdentity(record, now)
    const openKey = `${record.channelId}|${contactId}`
    const proposedId = newId(now.getTime())
    const opened = await this.m.Conversation.findOneAndUpdate(
      { openKey },
      { $setOnInsert: { _id: proposedId, channelId: record.channelId, contactId, status: 'unassigned', assigneeId: null, tags: [], unreadCount: 0, lastInboundAt: null, lastOutboundAt: null, lastActivityAt: now, createdAt: now, updatedAt: now } },
      { upsert: true, returnDocument: 'after', lean: true }
    ) as Doc
    const conversationCreated = opened._id === proposedId
    const messageId = newId(now.getTime())
    try {
      await this.m.Message.create({
        _id: messageId, conversationId: opened._id, channelId: record.channelId, direction: 'inbound',
        author: { type: 'contact', id: contactId }, text: record.text, attachments: record.attachments, cards: record.cards,
        externalId: record.externalId, status: 'delivered', createdAt: now, sentAt: record.sentAt, deliveredAt: now, updatedAt: now
      })
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
      const existing = await this.m.Message.findOne({ channelId: record.channelId, externalId: record.externalId }).lean() as Doc
      const conversation = await this.m.Conversation.findById(existing.conversationId).lean() as Doc
      return { duplicate: true, conversationCreated: false, message: toMessage(existing), conversation: toConversation(conversation) }
    }
    const conversation = await this.m.Conversation.findOneAndUpdate(
      { _id: opened._id },
      { $inc: { unreadCount: 1 }, $max: { lastInboundAt: record.sentAt }, $set: { lastActivityAt: now, updatedAt: now } },
      { returnDocument: 'after', lean: true }
    ) as Doc
    const message = await this.m.Message.findById(messageId).lean() as Doc
    return { duplicate: false, conversationCreated, message: toMessage(message), conversation: toConversation(conversation) }
  }

  private async upsertIdentity (record: InboundRecord, now: Date): Promise<string> {
    const { channelId, contact } = record
    const filter = { channelId, externalId: contact.externalId }
    const upsert = async (): Promise<Doc> => await this.m.Identity.findOneAndUpdate(
      filter, { $setOnInsert: { contactId: newId(now.getTime()), createdAt: now } }, { upsert: true, returnDocument: 'after', lean: true }
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
      _id: newId(now.getTime()), conversationId: record.conversationId, channelId: conversation.channelId, direction: record.direction,
      author: record.author, text: record.text, attachments: record.attachments, cards: record.cards, externalId: null,
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

  async markRouted (id: string): Promise<void> {
    await this.m.Message.updateOne({ _id: id }, { $set: { routed: true } })
  }

  async getMessage (id: string): Promise<Message | null> {
    const d = await this.m.Message.findById(id).lean() as Doc | null
    return d === null ? null : toMessage(d)
  }

  async listMessages (conversationId: string, options: { cursor?: string, limit: number }): Promise<Page<Message>> {
    const filter: Doc = { conversationId }
    if (options.cursor !== undefined) filter._id = { $gt: String(decodeCursor(options.cursor, 1)[0]) }
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

  async listConversations (filter: ConversationFilter, options: { cursor?: string, limit: number }): Promise<Page<Conversation>> {
    const query: Doc = {}
    if (filter.status !== undefined) query.status = filter.status
    if (filter.channelId !== undefined) query.channelId = filter.channelId
    if (filter.assigneeId !== undefined) query.assigneeId = filter.assigneeId
    if (options.cursor !== undefined) {
      const [activity, id] = decodeCursor(options.cursor, 2)
      const at = new Date(Number(activity))
      query.$or = [{ lastActivityAt: { $lt: at } }, { lastActivityAt: at, _id: { $lt: String(id) } }]
    }
    const docs = await this.m.Conversation.find(query).sort({ lastActivityAt: -1, _id: -1 }).limit(options.limit + 1).lean() as Doc[]
    const items = docs.slice(0, options.limit).map(toConversation)
    const last = items[items.length - 1]
    return { items, nextCursor: docs.length > options.limit && last !== undefined ? encodeCursor([last.lastActivityAt.getTime(), last.id]) : null }
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
}
