import t from 'tap'
import { clip, escapeMrkdwn, plainFromSlack, quote } from './mrkdwn.js'

t.test('customer text cannot ping or link in Slack', async t => {
  t.equal(escapeMrkdwn('<!channel> & <https://evil.example|click>'), '&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;')
  t.equal(quote('a\nb'), '>a\n>b')
})

t.test('an agent\'s Slack formatting becomes what a customer reads', async t => {
  t.equal(plainFromSlack('see <https://shop.example/faq|the FAQ> or <https://shop.example>'), 'see the FAQ (https://shop.example/faq) or https://shop.example')
  t.equal(plainFromSlack('mail <mailto:help@shop.example|help@shop.example>'), 'mail help@shop.example')
  t.equal(plainFromSlack('ask <@U123|ana> in <#C42|support>'), 'ask @ana in #support')
  t.equal(plainFromSlack('ask <@U123>'), 'ask @U123')
  t.equal(plainFromSlack('<!here> &lt;b&gt; &amp; co'), '@here <b> & co')
  t.equal(plainFromSlack('<!subteam^S1|@sales> will call'), '@sales will call')
  t.equal(plainFromSlack('2 &gt; 1'), '2 > 1', 'entities decoded once')
  t.equal(plainFromSlack('&amp;lt;'), '&lt;', 'not twice')
})

t.test('long text is cut on a character boundary, marked', async t => {
  t.equal(clip('退货怎么办', 3), '退货…')
  t.equal(clip('short', 10), 'short')
})
