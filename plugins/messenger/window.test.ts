import t from 'tap'
import type { Conversation } from '../../core/model/index.js'
import { tagCatalog } from './tags.js'
import { isPrivateUrl } from './upload.js'
import { windowVerdict } from './window.js'

const now = new Date('2026-11-21T12:00:00Z')
const hoursAgo = (h: number): Date => new Date(now.getTime() - h * 3_600_000)
const conversation = (lastInboundAt: Date | null): Conversation => ({
  id: 'c', channelId: 'fb', contactId: 'k', status: 'assigned', assigneeId: 'a', teamId: null, queuedAt: null, queueReason: null, assignedAt: now,
  tags: [], unreadCount: 0, lastInboundAt, lastOutboundAt: null, lastActivityAt: now, moodAlertAt: null, rating: null, ratingInvitedAt: null, channelState: {}, createdAt: now, updatedAt: now
})
const draft = (tag: string | null = null, automated = false) => ({ text: 'hi', attachments: [], cards: [], tag, automated })
const settings = { humanAgent: true, tags: tagCatalog([]) }

t.test('automated messages are never tagged: denied outside 24 h even with the permission', async t => {
  t.match(windowVerdict(conversation(hoursAgo(30)), draft(null, true), now, settings), { verdict: 'deny', code: 'window_closed', message: /automated/ })
  t.match(windowVerdict(conversation(hoursAgo(2)), draft(null, true), now, settings), { verdict: 'allow' }, 'inside 24 h they go')
})

t.test('the catalog can be changed in config without a code change', async t => {
  const retiredHuman = { humanAgent: true, tags: tagCatalog([{ tag: 'HUMAN_AGENT', windowHours: 168, needsHumanAgent: true, retiredOn: '2026-11-01' }]) }
  t.match(windowVerdict(conversation(hoursAgo(30)), draft('HUMAN_AGENT'), now, retiredHuman), { verdict: 'deny', code: 'tag_retired', message: /2026-11-01/ })
  const revived = { humanAgent: false, tags: tagCatalog([{ tag: 'ACCOUNT_UPDATE', windowHours: null, needsHumanAgent: false }]) }
  t.match(windowVerdict(conversation(hoursAgo(30 * 24)), draft(), now, revived), { verdict: 'tag_required', tags: ['ACCOUNT_UPDATE'] })
  t.match(windowVerdict(conversation(hoursAgo(30 * 24)), draft('ACCOUNT_UPDATE'), now, revived), { verdict: 'allow' })
  t.match(windowVerdict(conversation(hoursAgo(1)), draft('NOPE'), now, settings), { verdict: 'deny', code: 'unknown_tag' })
})

t.test('a retired tag is accepted before its date', async t => {
  t.match(windowVerdict(conversation(hoursAgo(1)), draft('ACCOUNT_UPDATE'), new Date('2026-04-26T23:59:59Z'), settings), { verdict: 'allow' })
  t.match(windowVerdict(conversation(hoursAgo(1)), draft('ACCOUNT_UPDATE'), new Date('2026-04-27T00:00:00Z'), settings), { verdict: 'deny', code: 'tag_retired' })
})

t.test('which files Meta cannot fetch itself', async t => {
  for (const url of ['http://localhost:3000/f.png', 'http://127.0.0.1/f', 'http://10.1.2.3/f', 'http://172.20.0.5/f', 'http://192.168.1.9/f', 'http://files.internal/f', 'http://[::1]/f', '/files/0123/f.png']) t.ok(isPrivateUrl(url), url)
  for (const url of ['https://cdn.example.com/f.png', 'http://172.32.0.1/f', 'not a url']) t.notOk(isPrivateUrl(url), url)
})

t.test('an ad opens a window of 7 days from the first message; tags are not needed inside it', async t => {
  const fromAd = { ...conversation(hoursAgo(72)), channelState: { adWindowUntil: hoursAgo(72).getTime() + 7 * 24 * 3_600_000 } }
  t.match(windowVerdict(fromAd, draft(), now, settings), { verdict: 'allow', windowClosesAt: new Date(hoursAgo(72).getTime() + 7 * 24 * 3_600_000) })
  t.match(windowVerdict(fromAd, draft(null, true), now, settings), { verdict: 'allow' }, 'automated messages too: it is the standard window, only longer')
  const expired = { ...conversation(hoursAgo(8 * 24)), channelState: { adWindowUntil: hoursAgo(24).getTime() } }
  t.match(windowVerdict(expired, draft(), now, settings), { verdict: 'deny', code: 'window_closed' })
})

t.test("Instagram's catalog has HUMAN_AGENT only: Messenger's update tags were never accepted there", async t => {
  t.same([...tagCatalog([], 'instagram').keys()], ['HUMAN_AGENT'])
  t.same([...tagCatalog([], 'messenger').keys()], ['HUMAN_AGENT', 'CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE'])
  t.same([...tagCatalog([{ tag: 'NEW_TAG', windowHours: 48, needsHumanAgent: false }], 'instagram').keys()], ['HUMAN_AGENT', 'NEW_TAG'], 'a config entry without platforms applies to both')
})
