import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import { Value } from 'typebox/value'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { FileLinks, LocalFileStore } from '../../files/index.js'
import { channelFiles } from '../files.js'
import type { Contact, Conversation, Message } from '../../model/index.js'
import { ChannelSendError, type ChannelContext, type ChannelInstance, type ChannelPluginDefinition, type InboundMessage, type Verdict } from '../contract.js'

export interface ChannelKitOptions<C> {
  definition: ChannelPluginDefinition
  /** A valid settings block for the plugin. */
  config: C
  /** Makes the plugin's remote side deliver one message in, given the mounted routes' base URL (if any). */
  deliverInbound?: (instance: ChannelInstance, baseUrl: string | undefined) => Promise<void>
  /** Makes the next send fail at the remote side; the kit checks the error is typed. */
  failNextSend?: () => void
}

const now = new Date('2026-11-21T12:00:00Z')

export function sampleConversation (channelId: string, over: Partial<Conversation> = {}): Conversation {
  return { id: 'conv-kit', channelId, contactId: 'contact-kit', status: 'unassigned', assigneeId: null, teamId: null, queuedAt: null, queueReason: null, assignedAt: null, tags: [], unreadCount: 1, lastInboundAt: new Date(now.getTime() - 60_000), lastOutboundAt: null, lastActivityAt: now, moodAlertAt: null, rating: null, ratingInvitedAt: null, channelState: {}, createdAt: now, updatedAt: now, ...over }
}

function isVerdict (v: Verdict): boolean {
  if (v.verdict === 'allow') return true
  if (v.verdict === 'deny') return typeof v.code === 'string' && v.code !== '' && typeof v.message === 'string' && v.message !== ''
  if (v.verdict === 'tag_required') return Array.isArray(v.tags) && v.tags.length > 0 && typeof v.message === 'string'
  return false
}

/**
 * Checks a channel plugin against the contract the core relies on. Each plugin's own test
 * calls it; a new plugin that passes it can be loaded, configured, asked and sent through.
 */
export async function runChannelKit<C> (t: Test, options: ChannelKitOptions<C>): Promise<void> {
  const { definition } = options
  const channelId = `kit-${definition.name}`
  const ingested: InboundMessage[] = []
  const kvData = new Map<string, string>()
  const context: ChannelContext = {
    channelId,
    ingest: async message => { ingested.push(message); return { messageId: `m${ingested.length}`, conversationId: 'conv-kit', duplicate: false } },
    receipt: async () => 0,
    updateProfile: async () => {},
    outboundFailed: async () => false,
    suppressContact: async () => null,
    amendMessage: async () => false,
    setConversationState: async () => {},
    count: async () => {},
    findMessages: async () => [],
    getConversation: async () => null,
    listMessages: async () => ({ items: [], nextCursor: null }),
    updateContact: async () => null,
    recordPageView: async () => {},
    welcome: async () => null,
    presence: async () => {},
    customerTyping: async () => {},
    agentsOnline: async () => ({ online: 0, free: 0 }),
    broadcast: async () => {},
    onBroadcast: () => () => {},
    files: channelFiles(new LocalFileStore(mkdtempSync(join(tmpdir(), 'omnihub-kit-'))), new FileLinks(randomBytes(32), 3600), () => now),
    reportHealth: () => {},
    logger: pino({ level: 'silent' }),
    clock: () => now,
    kv: {
      get: async k => kvData.get(k) ?? null,
      set: async (k, v) => { kvData.set(k, v) },
      delete: async k => { kvData.delete(k) },
      setIfAbsent: async (k, v) => {
        if (kvData.has(k)) return false
        kvData.set(k, v)
        return true
      }
    }
  }

  t.test(`${definition.name}: definition`, async t => {
    t.match(definition.name, /^[a-z][a-z0-9-]*$/, 'name is a plain identifier')
    const c = definition.capabilities
    t.ok(Number.isInteger(c.maxTextLength) && c.maxTextLength > 0, 'maxTextLength is a positive integer')
    t.ok(Number.isInteger(c.maxAttachments) && c.maxAttachments >= 0, 'maxAttachments is a whole number')
    t.ok(Value.Check(definition.configSchema, Value.Default(definition.configSchema, structuredClone(options.config))), 'the sample config is valid')
    for (const secret of definition.secretSettings ?? []) {
      type Node = { properties?: Record<string, Node> } | undefined
      const found = secret.split('.').reduce<Node>((schema, key) => schema?.properties?.[key], definition.configSchema as Node)
      t.ok(found !== undefined, `secret setting ${secret} is in the schema`)
    }
  })

  const instance = await definition.create(Value.Default(definition.configSchema, structuredClone(options.config)) as never, context)

  t.test(`${definition.name}: instance`, async t => {
    t.type(instance.policy, 'function', 'has policy()')
    t.type(instance.send, 'function', 'has send()')
    const draft = { text: 'hello', attachments: [], cards: [], tag: null, automated: false }
    const verdict = instance.policy(sampleConversation(channelId), draft, now)
    t.ok(isVerdict(verdict), `policy returns a well-formed verdict (${verdict.verdict})`)
    const automated = instance.policy(sampleConversation(channelId), { ...draft, automated: true }, now)
    t.ok(isVerdict(automated), 'policy answers for automated drafts too')
  })

  if (options.deliverInbound !== undefined) {
    t.test(`${definition.name}: inbound reaches ingest in the model's shape`, async t => {
      let baseUrl: string | undefined
      let close = async (): Promise<void> => {}
      if (instance.routes !== undefined) {
        const { default: Fastify } = await import('fastify')
        const app = Fastify()
        await app.register(async scope => { await instance.routes!(scope) }, { prefix: `/channels/${channelId}` })
        baseUrl = `${await app.listen({ port: 0, host: '127.0.0.1' })}/channels/${channelId}`
        close = async () => { await app.close() }
      }
      try {
        await options.deliverInbound!(instance, baseUrl)
        t.equal(ingested.length, 1, 'one message ingested')
        const message = ingested[0]!
        t.ok(typeof message.externalId === 'string' && message.externalId !== '', 'carries the channel\'s message id (the idempotency key)')
        t.ok(typeof message.from.externalId === 'string' && message.from.externalId !== '', 'names the sender\'s channel identity')
        t.type(message.text, 'string')
        if (message.sentAt !== undefined) t.ok(!Number.isNaN(message.sentAt.getTime()), 'sentAt is a real date')
        await options.deliverInbound!(instance, baseUrl)
        t.equal(ingested[1]?.externalId, message.externalId, 'a redelivery carries the same message id')
      } finally {
        await close()
      }
    })
  }

  if (options.failNextSend !== undefined) {
    t.test(`${definition.name}: a failed send is a typed ChannelSendError`, async t => {
      options.failNextSend!()
      const contact: Contact = { id: 'contact-kit', name: 'Kit', email: null, phone: null, avatarUrl: null, tags: [], notes: null, attributes: {}, identities: [{ channelId, externalId: 'kit-customer', contactId: 'contact-kit', createdAt: now }], lastAgentId: null, lastAgentAt: null, suppression: null, blocked: null, language: null, timeZone: null, country: null, createdAt: now, updatedAt: now }
      const message: Message = { id: 'msg-kit', conversationId: 'conv-kit', channelId, direction: 'outbound', author: { type: 'agent', id: 'a' }, text: 'hi', attachments: [], cards: [], extras: null, externalId: null, status: 'pending', errorCode: null, errorMessage: null, tag: null, routed: true, createdAt: now, sentAt: null, deliveredAt: null, readAt: null, updatedAt: now }
      const error = await instance.send({ conversation: sampleConversation(channelId), contact, message }).then(() => null, (err: unknown) => err)
      t.ok(error instanceof ChannelSendError, 'throws ChannelSendError')
      t.type((error as ChannelSendError).retryable, 'boolean', 'says whether a retry can help')
      t.ok((error as ChannelSendError).code !== '', 'has a code')
    })
  }
}
