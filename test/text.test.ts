import t from 'tap'
import { Bm25Index, tokenize } from '../core/text/index.js'

t.test('Chinese gives characters and overlapping pairs; other scripts give stemmed words', async t => {
  t.same(tokenize('退货怎么办'), ['退', '货', '怎', '么', '办', '退货', '货怎', '怎么', '么办'])
  t.same(tokenize('How do I return my boxes?'), ['return', 'box'])
  t.same(tokenize('Shipping refunded parties'), ['ship', 'refund', 'party'])
  t.same(tokenize('ＡＢＣ 退款 OK'), ['abc', '退', '款', '退款', 'ok'], 'full-width letters folded')
  t.same(tokenize('订单123号 order#456'), ['订', '单', '订单', '123', '号', 'order', '456'])
})

t.test('BM25 ranks the document that shares the rarest terms first, in any language', async t => {
  const index = new Bm25Index([
    [{ text: '退货流程', weight: 2 }, { text: '您好，退货请在订单页点击申请退货，我们会在48小时内处理。', weight: 1 }],
    [{ text: '发货时间', weight: 2 }, { text: '我们在付款后24小时内发货。', weight: 1 }],
    [{ text: 'Returns', weight: 2 }, { text: 'To return an item, open your order and choose Return.', weight: 1 }],
    [{ text: 'Shipping', weight: 2 }, { text: 'We ship within one day of payment.', weight: 1 }]
  ])
  t.equal(index.search('退货怎么办', 3)[0]?.index, 0)
  t.equal(index.search('什么时候发货', 3)[0]?.index, 1)
  t.equal(index.search('how can I return this', 3)[0]?.index, 2)
  t.equal(index.search('when do you ship', 3)[0]?.index, 3)
  t.same(index.search('weather', 3), [], 'nothing shared, nothing returned')
  const ranked = index.search('退货 发货', 4)
  t.ok(ranked.every((r, i) => i === 0 || ranked[i - 1]!.score >= r.score), 'best first')
})
