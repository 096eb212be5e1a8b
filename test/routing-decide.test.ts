import t from 'tap'
import { DEFAULT_NOTIFICATIONS, type Agent, type Contact, type Conversation } from '../core/model/index.js'
import { decide, strategies } from '../core/routing/index.js'

const now = new Date('2026-11-21T12:00:00Z')
const hoursAgo = (h: number): Date => new Date(now.getTime() - h * 3_600_000)
const settings = { defaultCapacity: 2, affinityHours: 72 }
const agent = (id: string, over: Partial<Agent> = {}): Agent => ({
  id, name: id, email: `${id}@x`, role: 'agent', teams: ['sales'], status: 'online', statusChangedAt: null, capacity: null,
  activeCount: 0, lastRoutedAt: null, lastSeenAt: null, lastActiveAt: null, lastReplyAt: null, locale: null, welcome: null, signature: null, deactivatedAt: null, notifications: DEFAULT_NOTIFICATIONS, createdAt: now, ...over
})
const conversation = (over: Partial<Conversation> = {}): Conversation => ({
  id: 'c1', channelId: 'web', contactId: 'k1', status: 'unassigned', assigneeId: null, teamId: 'sales', queuedAt: null, queueReason: null,
  assignedAt: null, tags: [], unreadCount: 1, lastInboundAt: now, lastOutboundAt: null, lastActivityAt: now, moodAlertAt: null, rating: null, ratingInvitedAt: null, channelState: {}, createdAt: now, updatedAt: now, ...over
})
const contact = (lastAgentId: string | null, lastAgentAt: Date | null): Contact => ({
  id: 'k1', name: null, email: null, phone: null, avatarUrl: null, tags: [], notes: null, attributes: {}, identities: [], lastAgentId, lastAgentAt, suppression: null, blocked: null, language: null, timeZone: null, country: null, createdAt: now, updatedAt: now
})
const ids = (d: ReturnType<typeof decide>): string[] => d.candidates.map(c => c.agent.id)

t.test('least-busy: fewest open conversations, ties to the one routed longest ago', async t => {
  const agents = [agent('a', { activeCount: 1 }), agent('b', { activeCount: 0, lastRoutedAt: hoursAgo(1) }), agent('c', { activeCount: 0, lastRoutedAt: hoursAgo(2) })]
  t.same(ids(decide(conversation(), null, agents, strategies['least-busy']!, settings, now)), ['c', 'b', 'a'])
})

t.test('round-robin: the one routed longest ago, whatever the load', async t => {
  const agents = [agent('a', { activeCount: 0, lastRoutedAt: hoursAgo(1) }), agent('b', { activeCount: 1, lastRoutedAt: hoursAgo(3) })]
  t.same(ids(decide(conversation(), null, agents, strategies['round-robin']!, settings, now)), ['b', 'a'])
})

t.test('manual: nobody automatically, reason manual_routing', async t => {
  const d = decide(conversation(), contact('a', hoursAgo(1)), [agent('a')], strategies.manual!, settings, now)
  t.same(d, { candidates: [], waitReason: 'manual_routing' })
})

t.test('only online agents of the team, below capacity', async t => {
  const agents = [agent('full', { activeCount: 2 }), agent('own-cap', { capacity: 5, activeCount: 2 }), agent('busy', { status: 'busy' }), agent('other', { teams: ['support'] }), agent('off', { status: 'offline' })]
  t.same(ids(decide(conversation(), null, agents, strategies['least-busy']!, settings, now)), ['own-cap'])
  t.same(ids(decide(conversation({ teamId: null }), null, agents, strategies['least-busy']!, settings, now)), ['other', 'own-cap'], 'no team: every agent')
})

t.test('affinity: the agent who served the buyer within the window goes first, even when busy', async t => {
  const agents = [agent('a'), agent('b', { status: 'busy', activeCount: 1 })]
  const d = decide(conversation(), contact('b', hoursAgo(71)), agents, strategies['least-busy']!, settings, now)
  t.same(d.candidates.map(c => [c.agent.id, c.reason]), [['b', 'affinity'], ['a', 'routed']])
  t.same(ids(decide(conversation(), contact('b', hoursAgo(73)), agents, strategies['least-busy']!, settings, now)), ['a'], 'outside 72 h: a new buyer again')
  t.same(ids(decide(conversation(), contact('b', hoursAgo(1)), [agent('a'), agent('b', { status: 'offline' })], strategies['least-busy']!, settings, now)), ['a'], 'never to an offline agent')
  t.same(ids(decide(conversation(), contact('b', hoursAgo(1)), [agent('a'), agent('b', { status: 'busy', activeCount: 2 })], strategies['least-busy']!, settings, now)), ['a'], 'nor past capacity')
  t.same(ids(decide(conversation(), contact('a', hoursAgo(1)), [agent('a')], strategies['least-busy']!, settings, now)), ['a'], 'listed once')
})

t.test('reasons to wait', async t => {
  const reason = (agents: Agent[], teamId: string | null = 'sales') => decide(conversation({ teamId }), null, agents, strategies['least-busy']!, settings, now).waitReason
  t.equal(reason([agent('a', { status: 'offline' })]), 'team_offline')
  t.equal(reason([agent('a', { status: 'busy' })]), 'team_offline', 'busy agents take no new buyers')
  t.equal(reason([], null), 'no_agent_online')
  t.equal(reason([agent('a', { activeCount: 2 })]), 'all_at_capacity')
})
