import t from 'tap'
import { BannedWords, ReplyGuards } from '../core/guards/index.js'
import type { Agent } from '../core/model/index.js'

const draft = (text: string) => ({ text, attachments: [], cards: [], tag: null, automated: false })
const agent = (teams: string[]): Agent => ({ id: 'a1', name: 'A', email: 'a@x', role: 'agent', teams, status: 'online', statusChangedAt: null, capacity: null, activeCount: 0, lastRoutedAt: null, lastSeenAt: null, lastActiveAt: null, locale: null, createdAt: new Date() })

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

t.test('guards: hub-wide plus the author\'s teams\' words', async t => {
  const guards = new ReplyGuards({ bannedWords: ['刷单'], teams: { presales: { bannedWords: ['最低价'] }, aftersales: { bannedWords: ['退款不了'] } } })
  t.equal(guards.check(draft('全网最低价'), agent([])), null, 'another team\'s word is allowed')
  const refusal = guards.check(draft('全网最低价，刷单'), agent(['presales']))
  t.equal(refusal?.code, 'banned_words')
  t.same((refusal?.details.words as string[]).sort(), ['刷单', '最低价'].sort())
  t.match(refusal?.message, /刷单/)
  t.equal(guards.check(draft('hello'), null), null)
})
