import t from 'tap'
import { AttitudeGuard, BannedWords, ReplyGuards } from '../core/guards/index.js'
import { DEFAULT_NOTIFICATIONS, type Agent } from '../core/model/index.js'

const draft = (text: string) => ({ text, attachments: [], cards: [], tag: null, automated: false })
const agent = (teams: string[]): Agent => ({ id: 'a1', name: 'A', email: 'a@x', role: 'agent', teams, status: 'online', statusChangedAt: null, capacity: null, activeCount: 0, lastRoutedAt: null, lastSeenAt: null, lastActiveAt: null, lastReplyAt: null, locale: null, welcome: null, signature: null, deactivatedAt: null, notifications: DEFAULT_NOTIFICATIONS, createdAt: new Date() })

t.test('banned words: case- and width-insensitive, reported as configured', async t => {
  const words = new BannedWords(['Refund Guaranteed', 'WeChat'])
  t.same(words.find('we offer a REFUND GUARANTEED today'), ['Refund Guaranteed'])
  t.same(words.find('add me on ＷｅＣｈａｔ'), ['WeChat'], 'full-width letters fold to ASCII')
  t.same(words.find('nothing here'), [])
})

t.test('banned words: Chinese matches inside running text', async t => {
  const words = new BannedWords(['刷单', '加微信', '最低价'])
  t.same(words.find('亲，可以加微信聊，我们全网最低价').sort(), ['加微信', '最低价'].sort())
  t.same(words.find('这是正品，放心购买'), [])
})

t.test('banned words: a Latin word matches whole words only', async t => {
  const words = new BannedWords(['ass'])
  t.same(words.find('first class service'), [], 'no Scunthorpe problem')
  t.same(words.find('what an ass!'), ['ass'])
  t.same(words.find('ass'), ['ass'])
})

t.test('banned words: the longer of two overlapping words is reported', async t => {
  const words = new BannedWords(['刷单', '刷单返现'])
  t.same(words.find('支持刷单返现'), ['刷单返现'])
})

t.test('banned words: regex characters in a word are literal', async t => {
  const words = new BannedWords(['c++ (free)', '$$$'])
  t.same(words.find('get c++ (free) now'), ['c++ (free)'])
  t.same(words.find('win $$$'), ['$$$'])
  t.same(words.find('cxx free'), [])
})

const ATTITUDE_OFF = { enabled: false, block: [], add: { abusive: [], rude: [], dismissive: [] }, remove: [] }

t.test('guards: hub-wide plus the author\'s teams\' words', async t => {
  const guards = new ReplyGuards({ bannedWords: ['刷单'], teams: { presales: { bannedWords: ['最低价'] }, aftersales: { bannedWords: ['退款不了'] } }, attitude: ATTITUDE_OFF })
  t.equal(guards.check(draft('全网最低价'), agent([])), null, 'another team\'s word is allowed')
  const refusal = guards.check(draft('全网最低价，刷单'), agent(['presales']))
  t.equal(refusal?.code, 'banned_words')
  t.same((refusal?.details.words as string[]).sort(), ['刷单', '最低价'].sort())
  t.match(refusal?.message, /刷单/)
  t.equal(guards.check(draft('hello'), null), null)
})

t.test('attitude: abusive, rude and dismissive replies in English and Chinese; everyday words left alone', async t => {
  const guard = new AttitudeGuard({ ...ATTITUDE_OFF, enabled: true })
  t.same(guard.read('Are you an IDIOT?'), { category: 'abusive', words: ['idiot'] })
  t.same(guard.read('你是白痴吗'), { category: 'abusive', words: ['白痴'] })
  t.same(guard.read('Shut up and wait.'), { category: 'rude', words: ['shut up'] })
  t.same(guard.read('说了多少遍了，自己看'), { category: 'rude', words: ['说了多少遍'] })
  t.same(guard.read('WHY DID YOU NOT READ THE PAGE'), { category: 'rude', words: ['SHOUTING'] })
  t.same(guard.read("That's your problem, not ours."), { category: 'dismissive', words: ["that's your problem"] })
  t.same(guard.read('这个不关我事'), { category: 'dismissive', words: ['不关我事'] })
  t.same(guard.read('Idiot, that is not my problem'), { category: 'abusive', words: ['idiot'] }, 'the worst category wins')
  for (const fine of ['请滚动到页面底部查看尺码表', '妈妈的生日礼物已发货', 'Your problem is solved: the parcel left today.', 'A classic fit, see the size chart', 'OK, DHL tracking: JD014600003', '谢谢您的耐心']) {
    t.equal(guard.read(fine), null, fine)
  }
  const tuned = new AttitudeGuard({ enabled: true, block: ['rude'], add: { abusive: [], rude: ['沙雕'], dismissive: [] }, remove: ['dumb'] })
  t.same(tuned.read('你个沙雕'), { category: 'rude', words: ['沙雕'] }, 'words added in config')
  t.equal(tuned.read('a dumb question'), null, 'shipped words removed in config')
  t.ok(tuned.blocks('rude'))
  t.notOk(tuned.blocks('dismissive'))
  t.equal(new AttitudeGuard(ATTITUDE_OFF).read('idiot'), null, 'off when disabled')
})

t.test('guards: an attitude warning can be confirmed; a blocked category cannot', async t => {
  const guards = new ReplyGuards({ bannedWords: [], teams: {}, attitude: { ...ATTITUDE_OFF, enabled: true, block: ['abusive'] } })
  t.match(guards.check(draft('not my problem'), agent([])), { code: 'attitude_warning', details: { category: 'dismissive', words: ['not my problem'], confirmable: true } })
  t.equal(guards.check(draft('not my problem'), agent([]), true), null)
  t.match(guards.check(draft('you idiot'), agent([]), true), { code: 'attitude_blocked', message: /reads as abusive \(idiot\)/ })
})
