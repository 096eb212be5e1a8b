import { readFileSync } from 'node:fs'
import t from 'tap'
import { parseEmail } from './parse.js'
import { tokenOf } from './thread.js'
import { verpAddress, verpMessageId, verpMessageIds } from './verp.js'

/** Our mail that every bounce fixture returns. */
const OURS = '<01JEXAMPLE0000000000000000.01JCONV0000000000000000000@shop.test>'
const fixture = async (name: string) => (await parseEmail(readFileSync(new URL(`./fixtures/machine/${name}`, import.meta.url)))).kind

const failures: Array<[string, string, { recipient: string, status: string | null, diagnostic: RegExp | null }]> = [
  ['qmail.eml', 'qmail', { recipient: 'buyer@example.net', status: '5.1.1', diagnostic: /550 5\.1\.1 sorry, no mailbox/ }],
  ['exim.eml', 'exim', { recipient: 'buyer@example.org', status: '5.1.1', diagnostic: /550 5\.1\.1 User unknown/ }],
  ['postfix-text.eml', 'postfix', { recipient: 'buyer@example.com', status: '5.2.2', diagnostic: /552 5\.2\.2 Mailbox full/ }],
  ['sendmail.eml', 'rfc3464', { recipient: 'buyer@example.jp', status: '5.1.1', diagnostic: /User unknown/ }],
  ['exchange.eml', 'rfc3464', { recipient: 'buyer@contoso.example', status: '5.1.10', diagnostic: /RecipientNotFound/ }],
  ['exchange-de.eml', 'exchange', { recipient: 'kunde@firma.example', status: '5.1.1', diagnostic: /550 5\.1\.1 User unknown/ }],
  // Domino names no SMTP reply: its reason is prose ("not listed in Domino Directory").
  ['domino.eml', 'domino', { recipient: 'buyer@lotus.example', status: null, diagnostic: null }],
  ['gmail.eml', 'gmail', { recipient: 'buyer@gmail.example', status: '5.1.1', diagnostic: /550 5\.1\.1 The email account/ }],
  ['yahoo.eml', 'yahoo', { recipient: 'buyer@yahoo.example', status: null, diagnostic: /554: delivery error/ }],
  ['ses.eml', 'rfc3464', { recipient: 'buyer@example.co', status: '5.1.1', diagnostic: /550 5\.1\.1 user unknown/ }],
  ['docomo.eml', 'carrier-jp', { recipient: 'buyer@docomo.example', status: null, diagnostic: /550 Unknown user/ }]
]

for (const [name, server, expected] of failures) {
  t.test(`${name}: a failed delivery, its recipient, status and the mail of ours it returns`, async t => {
    const kind = await fixture(name)
    t.match(kind, { kind: 'bounce', server, action: 'failed', ...expected })
    if (kind.kind === 'bounce') t.equal(kind.returnedIds[0], OURS, 'found by the returned Message-ID')
  })
}

for (const name of ['gmail-delay.eml', 'delayed-rfc3464.eml']) {
  t.test(`${name}: a delay, not a failure`, async t => {
    const kind = await fixture(name)
    t.match(kind, { kind: 'bounce', action: 'delayed', recipient: /@/ })
    if (kind.kind === 'bounce') t.equal(kind.returnedIds[0], OURS)
  })
}

t.test('bounces that return no copy: named by the VERP envelope, or only by their recipient', async t => {
  const verp = await parseEmail(readFileSync(new URL('./fixtures/machine/verp-no-copy.eml', import.meta.url)))
  t.match(verp.kind, { kind: 'bounce', server: 'postfix', action: 'failed', recipient: 'ken@mangle.example', status: '5.1.1', returnedIds: [] })
  t.same(verpMessageIds(verp, 'support@shop.test', 'shop.test'), [OURS], 'the envelope it was sent to names our mail')
  t.same(verpMessageIds(verp, 'bounces@shop.test', 'shop.test'), [], 'only with the return path it was sent from')
  t.match(await fixture('no-copy.eml'), { kind: 'bounce', action: 'failed', recipient: 'customer@example.com', status: '5.1.1', returnedIds: [] })
})

t.test('VERP addresses round-trip, folded to lowercase, and are not reply tokens', async t => {
  const address = verpAddress('Bounces@Shop.test', '01JEXAMPLE0000000000000000', '01JCONV0000000000000000000')
  t.equal(address, 'bounces+01jexample0000000000000000.01jconv0000000000000000000@shop.test')
  t.equal(verpMessageId(address.toUpperCase(), 'bounces@shop.test', 'shop.test'), OURS)
  t.equal(verpMessageId(`<${address}>`, 'bounces@shop.test', 'shop.test'), OURS, 'as a Return-Path writes it')
  t.equal(verpMessageId(address.replace('shop.test', 'other.test'), 'bounces@shop.test', 'shop.test'), null, 'another domain')
  t.equal(verpMessageId('bounces+01jconv0000000000000000000@shop.test', 'bounces@shop.test', 'shop.test'), null, 'a reply token names a conversation, not a mail')
  t.equal(tokenOf(address, 'bounces@shop.test'), null, 'and a VERP address is not taken for a reply token')
})

t.test('an ARF feedback report names the complainant and our mail', async t => {
  t.match(await fixture('arf.eml'), { kind: 'feedback', feedbackType: 'abuse', recipient: 'buyer@isp.example', returnedIds: [OURS] })
})

const automated: Array<[string, string]> = [
  ['outlook-ooo.eml', 'auto_submitted'],
  ['outlook-ooo-de.eml', 'autoreply'],
  ['ooo-zh.eml', 'autoreply'],
  ['ooo-fr.eml', 'autoreply'],
  ['apple-vacation.eml', 'auto_submitted'],
  ['precedence-auto-reply.eml', 'autoreply'],
  ['noreply.eml', 'machine_sender'],
  ['null-sender.eml', 'machine_sender'],
  ['list.eml', 'list']
]
for (const [name, reason] of automated) {
  t.test(`${name}: machine mail (${reason}), never answered`, async t => {
    t.match(await fixture(name), { kind: 'automated', reason })
  })
}

t.test('a person who writes about a bounce is a customer', async t => {
  t.same(await fixture('customer-about-bounce.eml'), { kind: 'customer' })
})
