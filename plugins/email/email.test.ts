import { readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import t from 'tap'
import type { Test } from 'tap'
import { runChannelKit } from '../../core/channels/testkit/index.js'
import { API_SECRET, inboundBody, startTestHub, type TestHub } from '../../test/helpers/hub.js'
import { MAIL_PASSWORD, startDovecot, startSmtpSink, type Dovecot, type SmtpSink } from '../../test/helpers/mail.js'
import { until } from '../../test/queue.contract.js'
import email from './index.js'

const SUPPORT = 'support@shop.test'
const CUSTOMER = 'customer@example.com'
const USERS = ['support', 'customer']

interface Setup { dovecot: Dovecot, smtp: SmtpSink, dir: string }

async function servers (t: Test): Promise<Setup> {
  const dovecot = await startDovecot(t, USERS)
  const smtp = await startSmtpSink(t, dovecot, address => {
    const local = address.split('@')[0]!.split('+')[0]!
    return USERS.includes(local) ? local : null
  })
  return { dovecot, smtp, dir: mkdtempSync(join(tmpdir(), 'omnihub-email-')) }
}

function emailChannel ({ dovecot, smtp }: Setup, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'email',
    plugin: 'email',
    address: SUPPORT,
    fromName: 'Shop Support',
    plusAddressing: true,
    imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: 'support', password: MAIL_PASSWORD, firstSync: 'all', idleRestartMs: 3000, pollMs: 1000, reconnectMinMs: 100, reconnectMaxMs: 500, timeoutMs: 5000 },
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, rejectUnauthorized: false, timeoutMs: 5000 },
    ...over
  }
}

/** A hub on the setup's database, so a second one continues where the first stopped. */
async function hubOn (t: Test, setup: Setup, over: Record<string, unknown> = {}): Promise<TestHub> {
  return await startTestHub(t, {
    channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: '' }, emailChannel(setup, over)],
    config: { store: { driver: 'sqlite', path: join(setup.dir, 'hub.db') }, files: { dir: join(setup.dir, 'files') } }
  })
}

let serial = 0
function customerMail (o: { subject?: string, body?: string, messageId?: string, to?: string, headers?: string[], from?: string } = {}): { raw: string, messageId: string } {
  const messageId = o.messageId ?? `<c${++serial}.${process.pid}@example.com>`
  const raw = [
    `From: ${o.from ?? `Ann Lee <${CUSTOMER}>`}`, `To: ${o.to ?? SUPPORT}`, `Subject: ${o.subject ?? 'Where is my order?'}`, `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', ...(o.headers ?? []), '', o.body ?? 'Hello, my order 42 has not arrived.', ''
  ].join('\r\n')
  return { raw, messageId }
}

const conversations = async (hub: TestHub): Promise<any[]> => (await hub.api('GET', '/conversations?channel=email&limit=100')).body.items
const messages = async (hub: TestHub, id: string): Promise<any[]> => (await hub.api('GET', `/conversations/${id}/messages?limit=100`)).body.items
const allMessages = async (hub: TestHub): Promise<any[]> => {
  const lists = await Promise.all((await conversations(hub)).map(async c => await messages(hub, c.id)))
  return lists.flat()
}

t.test('kit', async t => {
  await runChannelKit(t, {
    definition: email as never,
    config: { address: SUPPORT, imap: { host: '127.0.0.1', user: 'u', password: 'p' }, smtp: { host: '127.0.0.1' } }
  })
})

t.test('config: a mailbox needs a password or token, and a folder to move mail to', async t => {
  const { validateConfig } = await import('../../core/config/index.js')
  const { PluginRegistry } = await import('../../core/channels/index.js')
  const registry = PluginRegistry.of([email as never])
  t.throws(() => validateConfig({ channels: [{ id: 'mail', plugin: 'email', address: SUPPORT, imap: { host: 'h', user: 'u' }, smtp: { host: 'h' }, processed: { action: 'move' } }] }, registry, {}), {
    code: 'config_invalid',
    problems: ['channels[0].imap: set password or accessToken', 'channels[0].processed.folder: required when action is "move"']
  })
})

t.test('a new mail is one conversation; the reply threads; the customer\'s answers thread by any one handle', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup)
  const first = customerMail({ body: 'Hello, my order 42 has not arrived.\r\n\r\n-- \r\nAnn Lee\r\nExample Ltd' })
  await setup.dovecot.deliver('support', first.raw)
  await until(async () => (await conversations(hub)).length === 1, 15_000, 'the mail to become a conversation')
  const [conversation] = await conversations(hub)
  const [inbound] = await messages(hub, conversation.id)
  t.match(inbound, { direction: 'inbound', text: 'Hello, my order 42 has not arrived.', externalId: first.messageId, extras: { subject: 'Where is my order?' } })
  t.match(inbound.extras.fullText, /Example Ltd/, 'the signature is trimmed from the text but kept')
  const contact = (await hub.api('GET', `/conversations/${conversation.id}`)).body.contact
  t.match(contact, { name: 'Ann Lee', email: CUSTOMER })

  const sent = await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'It ships today.\nSorry for the wait!' })
  t.equal(sent.status, 202)
  await until(async () => (await setup.dovecot.read('customer')).length === 1, 15_000, 'the reply in the customer\'s mailbox')
  const [delivered] = await setup.dovecot.read('customer')
  const reply = await simpleParser(delivered!.source)
  const replyId = reply.messageId!
  t.match(replyId, new RegExp(`^<${sent.body.id}\\.${conversation.id}@shop\\.test>$`), 'a Message-ID the hub recognises')
  t.equal(reply.inReplyTo, first.messageId)
  t.same([reply.references].flat(), [first.messageId])
  t.equal(reply.subject, 'Re: Where is my order?')
  t.equal(reply.replyTo?.value[0]?.address, `support+${conversation.id.toLowerCase()}@shop.test`)
  t.equal(reply.from?.value[0]?.name, 'Shop Support')
  t.match(reply.text, /It ships today\.\nSorry for the wait!\n\nOn .* wrote:\n> Hello, my order 42 has not arrived\./, 'the customer\'s words quoted under the reply')
  t.match(reply.html, '<div>It ships today.<br>Sorry for the wait!</div>')
  t.notOk(reply.headers.has('auto-submitted'), 'a person\'s reply is not marked automated')
  await until(async () => (await messages(hub, conversation.id)).find(m => m.id === sent.body.id)?.status === 'sent', 5000, 'sent')
  t.equal((await messages(hub, conversation.id)).find(m => m.id === sent.body.id).externalId, replyId)

  // Another client kept only References, and changed the subject.
  const onlyReferences = customerMail({ subject: 'Fw: thing', body: 'Thanks! Tracking number?', headers: [`References: ${first.messageId} ${replyId}`] })
  await setup.dovecot.deliver('support', onlyReferences.raw)
  // This one dropped every header but kept the reply address.
  const onlyToken = customerMail({ subject: 'no subject', body: 'Still waiting.', to: reply.replyTo!.value[0]!.address! })
  await setup.dovecot.deliver('support', onlyToken.raw)
  // A new subject from the same person is a thread of its own.
  const fresh = customerMail({ subject: 'Invoice for order 43', body: 'Please send an invoice.' })
  await setup.dovecot.deliver('support', fresh.raw)
  // The same mail filed twice (a second copy on the server) is stored once.
  await setup.dovecot.deliver('support', onlyReferences.raw)
  await until(async () => (await conversations(hub)).length === 2 && (await messages(hub, conversation.id)).length === 4, 15_000, 'threading')
  const thread = await messages(hub, conversation.id)
  t.same(thread.map(m => m.externalId), [first.messageId, replyId, onlyReferences.messageId, onlyToken.messageId])
  const other = (await conversations(hub)).find(c => c.id !== conversation.id)
  t.equal(other.contactId, conversation.contactId, 'one contact, two threads')
  t.same((await messages(hub, other.id)).map(m => m.text), ['Please send an invoice.'])
  await until(async () => (await setup.dovecot.read('support')).every(m => m.flags.has('\\Seen')), 5000, 'processed mail is marked read')
})

t.test('20 mails while the hub is stopped are exactly 20 after restart; a new UIDVALIDITY re-reads without duplicates', async t => {
  const setup = await servers(t)
  const before = await hubOn(t, setup)
  await setup.dovecot.deliver('support', customerMail({ subject: 'first' }).raw)
  await until(async () => (await allMessages(before)).length === 1, 15_000, 'the first mail')
  await before.hub.stop()

  for (let i = 0; i < 20; i++) await setup.dovecot.deliver('support', customerMail({ subject: `while stopped ${i}` }).raw)
  const after = await hubOn(t, setup)
  await until(async () => (await allMessages(after)).length === 21, 20_000, '20 more mails')
  await new Promise(resolve => setTimeout(resolve, 1500))
  const all = await allMessages(after)
  t.equal(all.length, 21, 'none twice, none missed')
  t.equal(new Set(all.map(m => m.externalId)).size, 21)
  await after.hub.stop()

  // The server renumbered the folder (a restore, a migration): the stored cursor no longer applies.
  await after.hub.services.store.open()
  await after.hub.services.store.kvSet('email', 'imap:INBOX', JSON.stringify({ validity: '1', lastUid: 9999 }))
  await after.hub.services.store.close()
  await setup.dovecot.deliver('support', customerMail({ subject: 'after the renumbering' }).raw)
  const third = await hubOn(t, setup)
  await until(async () => (await allMessages(third)).length === 22, 20_000, 'the new mail after a resync')
  await new Promise(resolve => setTimeout(resolve, 1000))
  t.equal((await allMessages(third)).length, 22, 'a resync re-reads the folder and stores only the new mail')
})

t.test('the IMAP server restarted mid-IDLE: the hub reconnects and misses nothing', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup)
  await setup.dovecot.deliver('support', customerMail({ subject: 'before' }).raw)
  await until(async () => (await allMessages(hub)).length === 1, 15_000, 'the first mail')
  await new Promise(resolve => setTimeout(resolve, 300)) // now idling
  await setup.dovecot.stop()
  const channelState = async (): Promise<string> => (await (await fetch(`${hub.url}/readyz`)).json() as { checks: { channels: Record<string, string> } }).checks.channels.email!
  await until(async () => await channelState() === 'unhealthy: imap_unreachable', 15_000, '/readyz to show the mailbox down')
  await setup.dovecot.start()
  for (let i = 0; i < 3; i++) await setup.dovecot.deliver('support', customerMail({ subject: `after restart ${i}` }).raw)
  await until(async () => (await allMessages(hub)).length === 4, 20_000, 'the mail after the restart')
  t.equal(await channelState(), 'ok', 'and healthy again')
  await new Promise(resolve => setTimeout(resolve, 1000))
  t.equal((await allMessages(hub)).length, 4, 'each mail once')
  await setup.dovecot.deliver('support', customerMail({ subject: 'while idling again' }).raw)
  await until(async () => (await allMessages(hub)).length === 5, 15_000, 'IDLE works again')
  t.pass('a mail after the reconnect arrives through IDLE')
})

t.test('a silent IDLE is noticed: a connection that stops answering is replaced', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup, { imap: { ...(emailChannel(setup).imap as object), idleRestartMs: 1000, timeoutMs: 1000 } })
  await setup.dovecot.deliver('support', customerMail({ subject: 'before' }).raw)
  await until(async () => (await allMessages(hub)).length === 1, 15_000, 'the first mail')
  await new Promise(resolve => setTimeout(resolve, 200))
  // The hub's session stops answering without closing: no EXISTS will ever come from it.
  const release = setup.dovecot.freezeSessions()
  t.teardown(release)
  await setup.dovecot.deliver('support', customerMail({ subject: 'during the silence' }).raw)
  await until(async () => (await allMessages(hub)).length === 2, 15_000, 'the mail through a new connection')
  t.pass('the mail arrived through a new connection')
})

t.test('away replies go to customers\' mail outside business hours, marked Auto-Submitted, never to an auto-reply; a rating invitation is a link', async t => {
  const setup = await servers(t)
  // Closed every day: the away reply always applies.
  const hub = await hubOn(t, setup, { autoReplies: { away: 'We are closed now and answer tomorrow from 9:00.', businessHours: { timezone: 'UTC', days: {} } } })
  await setup.dovecot.deliver('support', customerMail({ subject: 'Order 77' }).raw)
  await until(async () => setup.smtp.received.length === 1, 15_000, 'the away reply')
  const away = await simpleParser(setup.smtp.received[0]!.raw)
  t.match(away, { subject: 'Re: Order 77', text: /We are closed now/ })
  t.equal(away.headers.get('auto-submitted'), 'auto-replied', 'marked as automatic, so the customer\'s own autoresponder stays quiet')
  const outOfOffice = customerMail({ subject: 'Automatic reply: Re: Order 77', body: 'I am on holiday.', headers: ['Auto-Submitted: auto-replied', `In-Reply-To: ${away.messageId!}`], from: `Ann Lee <${CUSTOMER}>` })
  await setup.dovecot.deliver('support', outOfOffice.raw)
  const [conversation] = await conversations(hub)
  await until(async () => (await messages(hub, conversation.id)).some(m => m.direction === 'note'), 15_000, 'the auto-reply kept as a note')
  await new Promise(resolve => setTimeout(resolve, 300))
  t.equal(setup.smtp.received.length, 1, 'no away reply to an auto-reply')

  const agent = await hub.addAgent({ name: 'Ana', status: 'online' })
  t.equal((await agent.api('POST', `/conversations/${conversation.id}/rating-invitation`)).status, 200)
  await until(async () => setup.smtp.received.length === 2, 15_000, 'the invitation')
  const invitation = await simpleParser(setup.smtp.received[1]!.raw)
  const link = /http\S+\/rate\/\S+/.exec(invitation.text ?? '')?.[0]
  t.ok(link, 'email has no buttons: the invitation links to the rating page')
  const rated = await fetch(link!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=5&comment=Quick+and+kind' })
  t.equal(rated.status, 200)
  t.match((await hub.api('GET', `/conversations/${conversation.id}`)).body, { rating: { score: 5, comment: 'Quick and kind' } })
})

t.test('auto-replies are notes, bounces fail the message they return', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup)
  const first = customerMail()
  await setup.dovecot.deliver('support', first.raw)
  await until(async () => (await conversations(hub)).length === 1, 15_000, 'conversation')
  const [conversation] = await conversations(hub)
  const sent = await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'On its way.' })
  await until(async () => setup.smtp.received.length === 1, 10_000, 'the reply')
  const replyId = (await simpleParser(setup.smtp.received[0]!.raw)).messageId!

  const outOfOffice = customerMail({ subject: 'Automatic reply: Re: Where is my order?', body: 'I am away until Monday.', headers: ['Auto-Submitted: auto-replied', `In-Reply-To: ${replyId}`] })
  await setup.dovecot.deliver('support', outOfOffice.raw)
  const newsletter = customerMail({ from: 'news@brand.example', subject: 'Our autumn sale', headers: ['List-Id: <news.brand.example>', 'Precedence: bulk'] })
  await setup.dovecot.deliver('support', newsletter.raw)
  await until(async () => (await messages(hub, conversation.id)).length === 3, 15_000, 'the auto-reply')
  const note = (await messages(hub, conversation.id))[2]
  t.match(note, { direction: 'note', text: 'I am away until Monday.', extras: { automated: 'auto_submitted' } })
  const after = (await hub.api('GET', `/conversations/${conversation.id}`)).body
  t.equal(after.unreadCount, 1, 'an auto-reply is not unread')
  t.equal(after.lastInboundAt, conversation.lastInboundAt, 'nor a customer message')
  await until(async () => (await hub.api('GET', '/conversations?status=closed&channel=email')).body.items.length === 1, 10_000, 'the newsletter')
  const [kept] = (await hub.api('GET', '/conversations?status=closed&channel=email')).body.items
  t.match((await messages(hub, kept.id))[0], { direction: 'note', extras: { automated: 'bulk' } }, 'list mail is kept out of the way, closed')
  t.equal(setup.smtp.received.length, 1, 'nothing answered either of them')

  const bounce = [
    'Return-Path: <>', 'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>', `To: ${SUPPORT}`, 'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <bounce.${process.pid}@mx.example.com>`, 'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="B"', '',
    '--B', 'Content-Type: text/plain', '', 'This is the mail system. Your message could not be delivered.', '',
    '--B', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example.com', '', `Final-Recipient: rfc822; ${CUSTOMER}`, 'Action: failed', 'Status: 5.2.2', 'Diagnostic-Code: smtp; 552 5.2.2 Mailbox full', '',
    '--B', 'Content-Type: text/rfc822-headers', '', `From: Shop Support <${SUPPORT}>`, `To: ${CUSTOMER}`, `Message-ID: ${replyId}`, 'Subject: Re: Where is my order?', '',
    '--B--', ''].join('\r\n')
  await setup.dovecot.deliver('support', bounce)
  await until(async () => (await messages(hub, conversation.id)).find(m => m.id === sent.body.id)?.status === 'failed', 15_000, 'the bounce')
  const failed = (await messages(hub, conversation.id)).find(m => m.id === sent.body.id)
  t.equal(failed.errorCode, 'bounced')
  t.match(failed.errorMessage, `${CUSTOMER} 5.2.2 552 5.2.2 Mailbox full`, 'the recipient and their server\'s status')
  await until(async () => (await messages(hub, conversation.id)).length === 4, 10_000, 'the bounce\'s note')
  t.match((await messages(hub, conversation.id))[3], { direction: 'note', text: `Delivery failed: ${CUSTOMER} 5.2.2 552 5.2.2 Mailbox full`, extras: { automated: 'bounce' } }, 'the bounce is a note beside the reply it returns, no customer message')
  t.equal(setup.smtp.received.length, 1, 'and nothing answered it')
})

/** Our mail a fixture returns or answers, and the VERP envelope of it, as the fixtures write them. */
const FIXTURE_OURS = '<01JEXAMPLE0000000000000000.01JCONV0000000000000000000@shop.test>'
const FIXTURE_VERP = 'support+01jexample0000000000000000.01jconv0000000000000000000@shop.test'
const fixture = (name: string, ours?: { messageId: string, envelope: string }): string => {
  const text = readFileSync(new URL(`./fixtures/machine/${name}`, import.meta.url), 'utf8')
  return ours === undefined ? text : text.replaceAll(FIXTURE_OURS, ours.messageId).replaceAll(FIXTURE_VERP, ours.envelope)
}

t.test('every machine-mail fixture through Dovecot: where it ends up, what it marks, and that no mail ever answers it', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup, { autoReplies: { welcome: 'Thanks for writing, we answer within a day.' }, ratings: { onClose: true } })
  const mailsOut = (): number => setup.smtp.received.length
  const conversationOf = async (from: string): Promise<any> => (await conversations(hub)).find(c => c.contact?.email === from)
  const noteCount = async (id: string): Promise<number> => (await messages(hub, id)).filter(m => m.direction === 'note').length
  await setup.dovecot.deliver('support', customerMail({ subject: 'Order 42' }).raw)
  await until(async () => mailsOut() === 1, 15_000, 'the welcome')
  const ann = await conversationOf(CUSTOMER)

  /** An agent's reply, sent: its Message-ID and the envelope sender it went out with. */
  const reply = async (conversationId: string): Promise<{ id: string, messageId: string, envelope: string }> => {
    const before = mailsOut()
    const sent = await hub.api('POST', `/conversations/${conversationId}/messages`, { text: 'Your parcel left today.' })
    await until(async () => mailsOut() === before + 1, 10_000, 'the reply')
    const out = setup.smtp.received.at(-1)!
    return { id: sent.body.id, messageId: (await simpleParser(out.raw)).messageId!, envelope: out.from }
  }
  const statusOf = async (id: string): Promise<any> => (await messages(hub, ann.id)).find(m => m.id === id)

  const bounces: Array<[string, 'bounce' | 'delivery_delayed']> = [
    ...['qmail', 'exim', 'postfix-text', 'sendmail', 'exchange', 'exchange-de', 'domino', 'gmail', 'yahoo', 'ses', 'docomo', 'verp-no-copy', 'no-copy'].map(n => [`${n}.eml`, 'bounce'] as [string, 'bounce']),
    ['gmail-delay.eml', 'delivery_delayed'], ['delayed-rfc3464.eml', 'delivery_delayed']
  ]
  for (const [name, automated] of bounces) {
    const ours = await reply(ann.id)
    t.match(ours.envelope, new RegExp(`^support\\+${ours.id.toLowerCase()}\\.${ann.id.toLowerCase()}@shop\\.test$`), `${name}: sent with a VERP envelope`)
    const notes = await noteCount(ann.id)
    const out = mailsOut()
    await setup.dovecot.deliver('support', fixture(name, ours))
    await until(async () => await noteCount(ann.id) === notes + 1, 15_000, `${name}: its note`)
    t.match((await messages(hub, ann.id)).filter(m => m.direction === 'note').at(-1), { extras: { automated } }, `${name}: a ${automated} note beside the mail`)
    if (automated === 'bounce') t.match(await statusOf(ours.id), { status: 'failed', errorCode: 'bounced' }, `${name}: the reply it returns is marked failed`)
    else t.match(await statusOf(ours.id), { status: 'sent', errorCode: null }, `${name}: a delay marks nothing failed`)
    t.equal(mailsOut(), out, `${name}: nothing sent in answer`)
  }
  t.match(await statusOf((await messages(hub, ann.id)).filter(m => m.errorCode === 'bounced')[0].id), { errorMessage: /buyer@example\.net 5\.1\.1/ }, 'the remote diagnostic reaches the agent')
  t.match((await hub.api('GET', `/contacts/${ann.contactId}`)).body.suppression, { reason: 'undeliverable', channelId: 'email', detail: /5\.1\.1/ })

  // Auto-replies to our last mail: notes in its conversation, which stays as it was.
  const last = await reply(ann.id)
  const before = (await hub.api('GET', `/conversations/${ann.id}`)).body
  for (const [name, automated] of [['outlook-ooo.eml', 'auto_submitted'], ['outlook-ooo-de.eml', 'autoreply'], ['ooo-zh.eml', 'autoreply'], ['ooo-fr.eml', 'autoreply'], ['apple-vacation.eml', 'auto_submitted'], ['precedence-auto-reply.eml', 'autoreply']]) {
    const notes = await noteCount(ann.id)
    await setup.dovecot.deliver('support', fixture(name!, last))
    await until(async () => await noteCount(ann.id) === notes + 1, 15_000, `${name}: its note`)
    t.match((await messages(hub, ann.id)).at(-1), { direction: 'note', extras: { automated } }, `${name}: kept as a ${automated} note`)
  }
  t.match((await hub.api('GET', `/conversations/${ann.id}`)).body, { status: before.status, unreadCount: before.unreadCount, assigneeId: before.assigneeId }, 'auto-replies leave the conversation unread, status and routing as they were')

  // No-reply senders, null return paths and lists: a closed conversation each, whose contact gets nothing automatic.
  for (const [name, from] of [['noreply.eml', 'no-reply@payments.example'], ['null-sender.eml', 'notify@system.example'], ['list.eml', 'news@brand.example']]) {
    await setup.dovecot.deliver('support', fixture(name!))
    await until(async () => (await conversationOf(from!)) !== undefined, 15_000, `${name}: kept apart`)
    t.match(await conversationOf(from!), { status: 'closed', unreadCount: 0 }, `${name}: closed, not waiting for anyone`)
  }
  t.match((await hub.api('GET', `/contacts/${(await conversationOf('no-reply@payments.example')).contactId}`)).body.suppression, { reason: 'machine' })

  // Machine mail about nothing of ours is dropped: no conversation, no note.
  const known = (await conversations(hub)).length
  const unmatched = (name: string): string => fixture(name).replace(/^Message-ID: .*$/im, `Message-ID: <unmatched.${name}@elsewhere.example>`)
  await setup.dovecot.deliver('support', unmatched('exim.eml'))
  await setup.dovecot.deliver('support', unmatched('ooo-fr.eml'))

  // A person writing about a bounce is a customer, welcomed; a complaint about our reply to her ends every automatic mail to her.
  await setup.dovecot.deliver('support', fixture('customer-about-bounce.eml'))
  await until(async () => (await conversationOf('carol@example.com')) !== undefined, 15_000, 'Carol')
  await until(async () => setup.smtp.received.some(m => m.to.includes('carol@example.com')), 10_000, 'her welcome')
  t.equal((await conversations(hub)).length, known + 1, 'the unmatched bounce and auto-reply opened nothing')
  const carol = await conversationOf('carol@example.com')
  const toCarol = await reply(carol.id)
  const carolNotes = await noteCount(carol.id)
  await setup.dovecot.deliver('support', fixture('arf.eml', toCarol))
  await until(async () => await noteCount(carol.id) === carolNotes + 1, 15_000, 'the complaint note')
  t.match((await messages(hub, carol.id)).at(-1), { direction: 'note', extras: { automated: 'complaint' }, text: /reported our mail as abuse/ })
  t.match((await hub.api('GET', `/contacts/${carol.contactId}`)).body.suppression, { reason: 'complained', detail: 'abuse' })

  const supervisor = await hub.addAgent({ role: 'supervisor' })
  t.match(await hub.api('GET', '/channels/counters'), { status: 403 }, 'counters are for supervisors')
  const counters = await supervisor.api('GET', '/channels/counters?days=1')
  t.same(counters.body.items.find((c: any) => c.channelId === 'email'), {
    channelId: 'email', plugin: 'email',
    counts: { bounce: 14, delivery_delayed: 2, complaint: 1, auto_reply: 7 },
    suppressed: { complained: 1, undeliverable: 1, machine: 2 }
  }, 'the last day counted: every bounce (the unmatched one too), delays, the complaint, auto-replies; and whom they stopped')

  // Closing asks for a rating, but not Carol, who complained; Ann wrote again from her address, so her bounce no longer stops it.
  const out = mailsOut()
  await hub.api('POST', `/conversations/${carol.id}/close`)
  await setup.dovecot.deliver('support', customerMail({ subject: 'Order 42', body: 'Any news?', headers: [`In-Reply-To: ${last.messageId}`] }).raw)
  await until(async () => (await hub.api('GET', `/contacts/${ann.contactId}`)).body.suppression === null, 15_000, 'Ann reachable again')
  await hub.api('POST', `/conversations/${ann.id}/close`)
  await until(async () => mailsOut() === out + 1, 10_000, "Ann's rating invitation")
  await new Promise(resolve => setTimeout(resolve, 500))
  t.same(setup.smtp.received.slice(out).map(m => m.to), [[CUSTOMER]], 'one invitation, to Ann; none to Carol')
  t.same(setup.smtp.received.flatMap(m => m.to).filter(to => to !== CUSTOMER && to !== 'carol@example.com'), [], 'every mail out went to a customer, none to a machine')
})

t.test('threading by subject is on: a reply that drops In-Reply-To and References joins its conversation within 7 days', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup)
  await setup.dovecot.deliver('support', customerMail({ subject: 'Invoice for order 77' }).raw)
  await until(async () => (await conversations(hub)).length === 1, 15_000, 'the first mail')
  await setup.dovecot.deliver('support', customerMail({ subject: 'AW: Invoice for order 77', body: 'Danke!' }).raw)
  await setup.dovecot.deliver('support', customerMail({ subject: 'Invoice for order 77', from: 'someone@else.example', body: 'Same subject, another sender' }).raw)
  await until(async () => (await allMessages(hub)).length === 3, 15_000, 'both later mails')
  const [first] = await conversations(hub).then(list => list.filter(c => c.contact?.email === CUSTOMER))
  t.equal((await messages(hub, first.id)).filter(m => m.direction === 'inbound').length, 2, 'the header-less reply joined')
  t.equal((await conversations(hub)).length, 2, 'another sender with the same subject has their own')
})

t.test('a supervisor lifts a suppression; an agent may not; a new address lifts a bounce', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup)
  await setup.dovecot.deliver('support', customerMail({ subject: 'Order 9' }).raw)
  await until(async () => (await conversations(hub)).length === 1, 15_000, 'the mail')
  const [conversation] = await conversations(hub)
  const sent = await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'On its way.' })
  await until(async () => setup.smtp.received.length === 1, 10_000, 'the reply')
  const ours = { messageId: (await simpleParser(setup.smtp.received[0]!.raw)).messageId!, envelope: setup.smtp.received[0]!.from }
  await setup.dovecot.deliver('support', fixture('arf.eml', ours))
  await until(async () => (await hub.api('GET', `/contacts/${conversation.contactId}`)).body.suppression !== null, 15_000, 'the complaint')
  const supervisor = await hub.addAgent({ role: 'supervisor' })
  t.match(await hub.api('PATCH', `/contacts/${conversation.contactId}`, { suppression: null }), { status: 403, body: { code: 'forbidden' } }, 'an agent may not lift it')
  t.match((await hub.api('PATCH', `/contacts/${conversation.contactId}`, { email: 'ann.new@example.com' })).body.suppression, { reason: 'complained' }, 'a new address does not undo a complaint')
  t.equal((await supervisor.api('PATCH', `/contacts/${conversation.contactId}`, { suppression: null })).body.suppression, null, 'a supervisor lifts it')
  t.match(await hub.api('PATCH', `/contacts/${conversation.contactId}`, { suppression: { reason: 'machine' } }), { status: 400 }, 'nobody sets one by hand')

  await setup.dovecot.deliver('support', fixture('qmail.eml', ours))
  await until(async () => (await messages(hub, conversation.id)).find(m => m.id === sent.body.id)?.status === 'failed', 15_000, 'the bounce')
  t.match((await hub.api('GET', `/contacts/${conversation.contactId}`)).body.suppression, { reason: 'undeliverable' })
  t.equal((await hub.api('PATCH', `/contacts/${conversation.contactId}`, { email: 'ann.other@example.com' })).body.suppression, null, 'a new address lifts a bounce')
})

t.test('GB2312 and ISO-2022-JP mail, and attachments, through the server', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup)
  const iconv = (await import('iconv-lite')).default
  const b64 = (b: Buffer): string => b.toString('base64')
  await setup.dovecot.deliver('support', [
    `From: =?GB2312?B?${b64(iconv.encode('王芳', 'gb2312'))}?= <wang@example.cn>`, `To: ${SUPPORT}`, `Subject: =?GB2312?B?${b64(iconv.encode('发票问题', 'gb2312'))}?=`,
    '<gb.mail@example.cn>'.replace(/^/, 'Message-ID: '), 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="X"', '',
    '--X', 'Content-Type: text/plain; charset=GB2312', 'Content-Transfer-Encoding: base64', '', b64(iconv.encode('请开发票，谢谢。', 'gb2312')), '',
    '--X', 'Content-Type: image/png', 'Content-Disposition: attachment; filename="receipt.png"', 'Content-Transfer-Encoding: base64', '', b64(Buffer.from('89504e470d0a1a0a', 'hex')), '',
    '--X--', ''].join('\r\n'))
  const jis = (...codes: number[]): Buffer => Buffer.from([0x1b, 0x24, 0x42, ...codes, 0x1b, 0x28, 0x42])
  const subject = jis(0x24, 0x33, 0x24, 0x73, 0x24, 0x4b, 0x24, 0x41, 0x24, 0x4f) // こんにちは
  await setup.dovecot.deliver('support', Buffer.concat([Buffer.from([
    'From: yamada@example.jp', `To: ${SUPPORT}`, `Subject: =?ISO-2022-JP?B?${b64(subject)}?=`, 'Message-ID: <jp.mail@example.jp>',
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit', '', ''].join('\r\n')), subject, Buffer.from('\r\n')]))
  await until(async () => (await allMessages(hub)).length === 2, 15_000, 'both mails')
  const all = await allMessages(hub)
  const gb = all.find(m => m.externalId === '<gb.mail@example.cn>')
  t.match(gb, { text: '请开发票，谢谢。', extras: { subject: '发票问题' } })
  t.equal(gb.attachments.length, 1)
  t.match(gb.attachments[0], { kind: 'image', name: 'receipt.png', mimeType: 'image/png', size: 8 })
  const file = await fetch(`${hub.url}${gb.attachments[0].url}`)
  t.equal(file.status, 200)
  t.same(Buffer.from(await file.arrayBuffer()), Buffer.from('89504e470d0a1a0a', 'hex'), 'the attachment is served from the hub')
  t.equal((await fetch(`${hub.url}/files/${'0'.repeat(40)}/x.png`)).status, 403, 'no file without a signed link')
  const gbContact = (await hub.api('GET', `/conversations/${gb.conversationId}`)).body.contact
  t.equal(gbContact.name, '王芳', 'encoded-word names')
  t.match(all.find(m => m.externalId === '<jp.mail@example.jp>'), { text: 'こんにちは', extras: { subject: 'こんにちは' } })
})

t.test('SMTP: a 4xx is retried, a 5xx fails with the server\'s words', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup)
  await setup.dovecot.deliver('support', customerMail().raw)
  await until(async () => (await conversations(hub)).length === 1, 15_000, 'conversation')
  const [conversation] = await conversations(hub)
  setup.smtp.failNext({ code: 451, message: '4.7.1 Greylisted, try again' })
  const retried = await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'first try' })
  await until(async () => (await messages(hub, conversation.id)).find(m => m.id === retried.body.id)?.status === 'sent', 10_000, 'the retried send')
  t.equal(setup.smtp.received.length, 1, 'delivered once, on the second try')

  setup.smtp.failNext({ code: 550, message: '5.7.1 Message rejected as spam' })
  const refused = await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'second' })
  await until(async () => (await messages(hub, conversation.id)).find(m => m.id === refused.body.id)?.status === 'failed', 10_000, 'the refusal')
  const failed = (await messages(hub, conversation.id)).find(m => m.id === refused.body.id)
  t.equal(failed.errorCode, 'smtp_rejected')
  t.match(failed.errorMessage, '5.7.1 Message rejected as spam')
  t.equal(setup.smtp.received.length, 1, 'no second attempt after a 5xx')
})

t.test('a contact from another channel is answered by email, and their reply comes back to that conversation', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup)
  t.equal((await hub.inbound(inboundBody({ from: { id: 'shopper-7', name: 'Ann Lee', email: CUSTOMER }, text: 'Can you email me the manual?' }))).status, 200)
  t.equal((await hub.inbound(inboundBody({ from: { id: 'anonymous-3' }, text: 'hi' }))).status, 200)
  const list = (await hub.api('GET', '/conversations?channel=api')).body.items
  const convOf = async (externalId: string): Promise<any> => {
    for (const c of list) if ((await hub.api('GET', `/conversations/${c.id}`)).body.contact.identities[0].externalId === externalId) return c
    throw new Error('no conversation')
  }
  const ann = await convOf('shopper-7')
  const anonymous = await convOf('anonymous-3')

  t.match((await hub.api('GET', `/conversations/${ann.id}/reply-policy?channelId=email`)).body, { verdict: 'allow' })
  const unreachable = await hub.api('POST', `/conversations/${anonymous.id}/messages`, { text: 'hi', channelId: 'email' })
  t.equal(unreachable.status, 422)
  t.equal(unreachable.body.code, 'contact_unreachable')
  t.equal((await hub.api('POST', `/conversations/${ann.id}/messages`, { text: 'x', channelId: 'fax' })).body.code, 'unknown_channel')

  const sent = await hub.api('POST', `/conversations/${ann.id}/messages`, { text: 'Here is the manual.', channelId: 'email' })
  t.equal(sent.status, 202)
  t.equal(sent.body.channelId, 'email')
  await until(async () => setup.smtp.received.length === 1, 10_000, 'the mail')
  const mail = await simpleParser(setup.smtp.received[0]!.raw)
  t.same(setup.smtp.received[0]!.to, [CUSTOMER])
  t.equal(mail.subject, 'Your conversation with Shop Support')
  t.equal(mail.inReplyTo, undefined, 'it starts the thread')

  await setup.dovecot.deliver('support', customerMail({ subject: `Re: ${mail.subject}`, body: 'Got it, thanks!', headers: [`In-Reply-To: ${mail.messageId}`] }).raw)
  await until(async () => (await messages(hub, ann.id)).length === 3, 15_000, 'the reply in the api conversation')
  t.match((await messages(hub, ann.id))[2], { channelId: 'email', direction: 'inbound', text: 'Got it, thanks!' })
  const contact = (await hub.api('GET', `/conversations/${ann.id}`)).body.contact
  t.same(contact.identities.map((i: any) => i.channelId).sort(), ['api', 'email'], 'the address became the contact\'s email identity')
  t.equal((await conversations(hub)).length, 0, 'no separate email conversation')
})

t.test('quoting: an agent\'s reply to an older mail goes In-Reply-To that mail and quotes it; a customer\'s answer to an older mail is shown as its quote', async t => {
  const setup = await servers(t)
  const hub = await hubOn(t, setup)
  const first = customerMail({ subject: 'Two questions', body: 'Do you ship to Norway?' })
  await setup.dovecot.deliver('support', first.raw)
  await until(async () => (await conversations(hub)).length === 1, 15_000, 'the first mail')
  const [conversation] = await conversations(hub)
  const second = customerMail({ subject: 'Re: Two questions', body: 'And can I pay by invoice?', headers: [`In-Reply-To: ${first.messageId}`, `References: ${first.messageId}`] })
  await setup.dovecot.deliver('support', second.raw)
  await until(async () => (await messages(hub, conversation.id)).length === 2, 15_000, 'the second mail')
  const asked = await messages(hub, conversation.id)
  t.notOk(asked[1].extras.quote, 'an answer to the latest mail is just the thread')

  const sent = await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'Yes, to Norway in 5 days.', replyTo: asked[0].id })
  t.match(sent, { status: 202, body: { extras: { quote: { messageId: asked[0].id, externalId: first.messageId, text: 'Do you ship to Norway?' } } } })
  await until(async () => (await setup.dovecot.read('customer')).length === 1, 15_000, 'the reply')
  const reply = await simpleParser((await setup.dovecot.read('customer'))[0]!.source)
  t.equal(reply.inReplyTo, first.messageId, 'In-Reply-To the quoted mail, not the latest one')
  t.equal([reply.references].flat().at(-1), first.messageId)
  t.match(reply.text, /Yes, to Norway in 5 days\.\n\nOn .* wrote:\n> Do you ship to Norway\?/, 'the quoted mail under the reply')
  t.notMatch(reply.text, /invoice/, 'not the latest one')

  await until(async () => (await messages(hub, conversation.id)).find(m => m.id === sent.body.id)?.status === 'sent', 5000, 'sent')
  const third = customerMail({ subject: 'Re: Two questions', body: 'Great, thanks.', headers: [`In-Reply-To: ${first.messageId}`, `References: ${first.messageId}`] })
  await setup.dovecot.deliver('support', third.raw)
  await until(async () => (await messages(hub, conversation.id)).length === 4, 15_000, 'the third mail')
  t.match((await messages(hub, conversation.id))[3], { text: 'Great, thanks.', extras: { quote: { messageId: asked[0].id, text: 'Do you ship to Norway?' } } }, 'the customer answered the older mail: shown as its quote')
})
