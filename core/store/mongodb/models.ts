import { Schema, type Connection } from 'mongoose'

/**
 * Mongoose schemas mirroring the SQLite tables; ids are the hub's own ULIDs. minimize: false
 * everywhere, so an empty object is stored as one (a message's `extras: {}`, `{}` in a card).
 * The driver's queries and the index that serves each are listed in inbox.ts's header.
 */
const options = { versionKey: false as const, _id: false as const, minimize: false }
const plain = { versionKey: false as const, minimize: false }

const contact = new Schema({
  _id: String,
  name: { type: String, default: null },
  email: { type: String, default: null },
  phone: { type: String, default: null },
  avatarUrl: { type: String, default: null },
  tags: { type: [String], default: [] },
  notes: { type: String, default: null },
  attributes: { type: Schema.Types.Mixed, default: {} },
  lastAgentId: { type: String, default: null },
  lastAgentAt: { type: Date, default: null },
  suppression: { type: new Schema({ reason: String, channelId: String, detail: { type: String, default: null }, at: Date }, options), default: null },
  blocked: { type: new Schema({ by: String, at: Date }, options), default: null },
  language: { type: String, default: null },
  timeZone: { type: String, default: null },
  country: { type: String, default: null },
  createdAt: Date,
  updatedAt: Date
}, options)
contact.index({ 'suppression.channelId': 1 }, { sparse: true })

const identity = new Schema({
  channelId: { type: String, required: true },
  externalId: { type: String, required: true },
  contactId: { type: String, required: true, index: true },
  createdAt: Date
}, plain)
identity.index({ channelId: 1, externalId: 1 }, { unique: true })

const conversation = new Schema({
  _id: String,
  channelId: { type: String, required: true },
  contactId: { type: String, required: true },
  status: { type: String, required: true },
  /** The channel's thread (email); '' for channels with one conversation per contact. */
  thread: { type: String, default: '' },
  /** `open|channel|contact[|thread]` while open, `closed|<id>` once closed: a unique index keeps one open conversation. */
  openKey: { type: String, required: true },
  /** The latest messages counted into unreadCount and the times: a count finished twice (a repair) is a no-op. */
  countedIds: { type: [String], default: [] },
  assigneeId: { type: String, default: null },
  teamId: { type: String, default: null },
  queuedAt: { type: Date, default: null },
  queueReason: { type: String, default: null },
  assignedAt: { type: Date, default: null },
  tags: { type: [String], default: [] },
  unreadCount: { type: Number, default: 0 },
  lastInboundAt: { type: Date, default: null },
  lastOutboundAt: { type: Date, default: null },
  /** When a person's reply last went out (automatic messages leave it); not in the model, read by the unanswered filter. */
  lastReplyAt: { type: Date, default: null },
  lastActivityAt: Date,
  moodAlertAt: { type: Date, default: null },
  /** { score, comment, agentId, at } once the customer rated. */
  rating: { type: Schema.Types.Mixed, default: null },
  ratingInvitedAt: { type: Date, default: null },
  channelState: { type: Schema.Types.Mixed, default: {} },
  /** Opened by a held message (rule 8) and not answered since: left out of the agents' lists; not in the model. */
  held: { type: Boolean, default: false },
  createdAt: Date,
  updatedAt: Date
}, options)
conversation.index({ openKey: 1 }, { unique: true })
conversation.index({ lastActivityAt: -1, _id: -1 })
conversation.index({ status: 1, lastActivityAt: -1, _id: -1 })
conversation.index({ assigneeId: 1, lastActivityAt: -1, _id: -1 })
conversation.index({ teamId: 1, lastActivityAt: -1, _id: -1 })
conversation.index({ contactId: 1 })
conversation.index({ 'rating.at': 1 }, { partialFilterExpression: { 'rating.at': { $type: 'date' } } })
conversation.index({ queuedAt: 1, _id: 1 }, { partialFilterExpression: { queuedAt: { $type: 'date' } } })

const message = new Schema({
  _id: String,
  conversationId: { type: String, required: true },
  channelId: { type: String, required: true },
  direction: String,
  author: { type: { type: String }, id: { type: String, default: null } },
  text: String,
  attachments: { type: [Schema.Types.Mixed], default: [] },
  cards: { type: [Schema.Types.Mixed], default: [] },
  extras: { type: Schema.Types.Mixed, default: null },
  externalId: { type: String, default: null },
  status: String,
  errorCode: { type: String, default: null },
  errorMessage: { type: String, default: null },
  tag: { type: String, default: null },
  routed: { type: Boolean, default: false },
  /** False from the insert until the conversation has counted it (rule 3); repair finds those left false. */
  counted: { type: Boolean, default: true },
  /** Whether counting it moves lastInboundAt (InboundRecord.opensWindow), kept until it is counted. */
  opensWindow: { type: Boolean, default: true },
  createdAt: Date,
  sentAt: { type: Date, default: null },
  deliveredAt: { type: Date, default: null },
  readAt: { type: Date, default: null },
  updatedAt: Date
}, options)
// Idempotent ingest; replies not yet sent have no external id and are left out of the index.
message.index({ channelId: 1, externalId: 1 }, { unique: true, partialFilterExpression: { externalId: { $type: 'string' } } })
message.index({ conversationId: 1, _id: 1 })
message.index({ status: 1, createdAt: 1 }, { partialFilterExpression: { status: 'pending' } })
message.index({ createdAt: 1 }, { partialFilterExpression: { routed: false, direction: 'inbound' } })
message.index({ counted: 1, createdAt: 1 }, { partialFilterExpression: { counted: false } })
// The Spam view: held messages, newest first (a restored one keeps extras.held, with `restored`).
message.index({ 'extras.held.team': 1, _id: -1 }, { partialFilterExpression: { 'extras.held.reason': { $type: 'string' } } })

const agent = new Schema({
  _id: String,
  name: String,
  email: { type: String, unique: true },
  role: String,
  teams: { type: [String], default: [] },
  tokenHash: { type: String, unique: true },
  status: { type: String, default: 'offline' },
  statusChangedAt: { type: Date, default: null },
  capacity: { type: Number, default: null },
  /** The open conversations assigned to the agent, each with when it was taken: activeCount is its length (rule 4). */
  slots: { type: [new Schema({ conversationId: String, at: Date }, { _id: false })], default: [] },
  lastRoutedAt: { type: Date, default: null },
  lastSeenAt: { type: Date, default: null },
  lastActiveAt: { type: Date, default: null },
  lastReplyAt: { type: Date, default: null },
  locale: { type: String, default: null },
  welcome: { type: String, default: null },
  signature: { type: String, default: null },
  deactivatedAt: { type: Date, default: null },
  /** { sound, desktop, tabTitle }; null: the defaults. */
  notifications: { type: Schema.Types.Mixed, default: null },
  createdAt: Date
}, options)

const team = new Schema({ _id: String, name: String, createdAt: Date }, options)

const statusChange = new Schema({
  _id: String,
  agentId: { type: String, required: true },
  status: String,
  at: Date,
  source: String,
  ip: { type: String, default: null },
  userAgent: { type: String, default: null }
}, options)
statusChange.index({ agentId: 1, _id: -1 })

const pageView = new Schema({
  channelId: { type: String, required: true },
  externalId: { type: String, required: true },
  url: String,
  title: String,
  referrer: { type: String, default: null },
  at: Date
}, plain)
pageView.index({ channelId: 1, externalId: 1, _id: 1 })

const phrase = new Schema({
  _id: String, scope: String, ownerId: { type: String, default: null }, teamId: { type: String, default: null }, ownerKey: String,
  code: String, title: String, text: String, attachments: { type: [Schema.Types.Mixed], default: [] }, createdAt: Date, updatedAt: Date
}, plain)
phrase.index({ ownerKey: 1, code: 1 }, { unique: true })
phrase.index({ ownerId: 1 })
phrase.index({ teamId: 1 })
phrase.index({ scope: 1 })

const agentEvent = new Schema({ agentId: String, kind: String, at: Date }, plain)
agentEvent.index({ at: 1 })

const faqEntry = new Schema({
  _id: String, teamId: { type: String, default: null }, question: String, alternatives: { type: [String], default: [] }, answer: String,
  related: { type: [String], default: [] }, createdBy: { type: String, default: null }, suggested: { type: Boolean, default: false }, createdAt: Date, updatedAt: Date
}, plain)
faqEntry.index({ teamId: 1 })
faqEntry.index({ createdAt: 1, _id: 1 })

const channelEvent = new Schema({ channelId: String, kind: String, at: Date }, plain)
channelEvent.index({ at: 1 })

/** The sign-in log, newest first per agent. */
const sessionEvent = new Schema({ _id: String, agentId: String, event: String, method: { type: String, default: null }, at: Date, ip: { type: String, default: null }, userAgent: { type: String, default: null } }, plain)
sessionEvent.index({ agentId: 1, _id: -1 })

/** The reports' counters (core/store/reports.ts); reads match tag and an hour range first. */
const reportCount = new Schema({ span: Number, tag: String, hour: Number, channelId: String, teamId: String, agentId: String, measure: String, count: Number, sum: Number }, plain)
reportCount.index({ span: 1, tag: 1, hour: 1, channelId: 1, teamId: 1, agentId: 1, measure: 1 }, { unique: true })
reportCount.index({ measure: 1 })

/** The product catalog, by the seller's own id; a pasted link is looked up by url. */
const product = new Schema({ _id: String, title: String, price: { type: String, default: null }, imageUrl: { type: String, default: null }, url: { type: String, default: null }, updatedAt: Date }, options)
product.index({ url: 1 }, { partialFilterExpression: { url: { $type: 'string' } } })

const kv = new Schema({ namespace: String, key: String, value: String }, plain)
kv.index({ namespace: 1, key: 1 }, { unique: true })

export function registerModels (connection: Connection) {
  return {
    Contact: connection.model('Contact', contact, 'contacts'),
    Identity: connection.model('Identity', identity, 'identities'),
    Conversation: connection.model('Conversation', conversation, 'conversations'),
    Message: connection.model('Message', message, 'messages'),
    Agent: connection.model('Agent', agent, 'agents'),
    Team: connection.model('Team', team, 'teams'),
    StatusChange: connection.model('StatusChange', statusChange, 'agent_status_log'),
    PageView: connection.model('PageView', pageView, 'page_views'),
    Phrase: connection.model('Phrase', phrase, 'phrases'),
    Product: connection.model('Product', product, 'products'),
    AgentEvent: connection.model('AgentEvent', agentEvent, 'agent_events'),
    FaqEntry: connection.model('FaqEntry', faqEntry, 'faq_entries'),
    ChannelEvent: connection.model('ChannelEvent', channelEvent, 'channel_events'),
    SessionEvent: connection.model('SessionEvent', sessionEvent, 'agent_sessions'),
    ReportCount: connection.model('ReportCount', reportCount, 'report_counts'),
    Kv: connection.model('Kv', kv, 'plugin_kv')
  }
}

export type Models = ReturnType<typeof registerModels>
