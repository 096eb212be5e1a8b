import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import t from 'tap'
import { channelFiles } from '../../core/channels/index.js'
import { FileLinks, LocalFileStore } from '../../core/files/index.js'
import { parseEmail, sanitizeForAgents, storeParts } from './parse.js'
import { composeReply } from './compose.js'
import { trimReply } from './quote.js'
import { conversationOfMessageId, normalizeSubject, ownMessageId, replyAddress, replySubject, tokenOf, trimReferences } from './thread.js'

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64')
const word = (charset: string, bytes: Buffer): string => `=?${charset}?B?${b64(bytes)}?=`
const mail = (headers: string[], body: string): Buffer => Buffer.from([...headers, '', body].join('\r\n'))

t.test('charsets: GB2312, GBK, Big5, ISO-2022-JP, UTF-8 in encoded words and bodies', async t => {
  const gb = await parseEmail(mail([
    'From: ' + word('GB2312', iconv.encode('张伟', 'gb2312')) + ' <zhang@example.cn>',
    'Subject: ' + word('GB2312', iconv.encode('订单没有收到', 'gb2312')),
    'Message-ID: <gb@example.cn>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=GB2312', 'Content-Transfer-Encoding: base64'
  ], b64(iconv.encode('你好，我的订单还没有到。', 'gb2312'))))
  t.equal(gb.subject, '订单没有收到')
  t.equal(gb.from.name, '张伟')
  t.equal(gb.text, '你好，我的订单还没有到。')

  const gbk = await parseEmail(mail(['From: a@b.cn', 'Subject: x', 'Content-Type: text/plain; charset=GBK', 'Content-Transfer-Encoding: base64'], b64(iconv.encode('镕铉', 'gbk'))))
  t.equal(gbk.text, '镕铉', 'GBK-only characters')

  const big5 = await parseEmail(mail(['From: a@b.tw', 'Subject: ' + word('Big5', iconv.encode('退貨申請', 'big5')), 'Content-Type: text/plain; charset=Big5', 'Content-Transfer-Encoding: base64'], b64(iconv.encode('請問如何退貨？', 'big5'))))
  t.equal(big5.subject, '退貨申請')
  t.equal(big5.text, '請問如何退貨？')

  // こんにちは in ISO-2022-JP: ESC $ B, JIS X 0208 pairs, ESC ( B.
  const jis = Buffer.from([0x1b, 0x24, 0x42, 0x24, 0x33, 0x24, 0x73, 0x24, 0x4b, 0x24, 0x41, 0x24, 0x4f, 0x1b, 0x28, 0x42])
  const jp = await parseEmail(Buffer.concat([mail(['From: a@b.jp', 'Subject: ' + word('ISO-2022-JP', jis), 'Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit'], ''), jis]))
  t.equal(jp.subject, 'こんにちは')
  t.equal(jp.text, 'こんにちは')

  const qp = await parseEmail(mail(['From: a@b.de', 'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=', 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: quoted-printable'], 'Sch=C3=B6ne Gr=C3=BC=C3=9Fe, =E2=9C=93'))
  t.equal(qp.subject, 'Grüße')
  t.equal(qp.text, 'Schöne Grüße, ✓')
})

t.test('ids: Message-ID, In-Reply-To, References; a digest when Message-ID is missing', async t => {
  const m = await parseEmail(mail(['From: A <A@Example.com>', 'To: support+abc@shop.test, Other <o@x.y>', 'Cc: c@x.y', 'Subject: Re: x',
    'Message-ID: <m2@x>', 'In-Reply-To: <m1@x>', 'References: <m0@x>\r\n <m1@x>'], 'hi'))
  t.equal(m.messageId, '<m2@x>')
  t.equal(m.inReplyTo, '<m1@x>')
  t.same(m.references, ['<m0@x>', '<m1@x>'])
  t.same(m.from, { address: 'a@example.com', name: 'A' }, 'address folded to lower case')
  t.same(m.recipients, ['support+abc@shop.test', 'o@x.y', 'c@x.y'])
  const a = await parseEmail(mail(['From: a@x', 'Subject: s'], 'one'))
  const b = await parseEmail(mail(['From: a@x', 'Subject: s'], 'one'))
  const c = await parseEmail(mail(['From: a@x', 'Subject: s'], 'two'))
  t.equal(a.messageId, b.messageId, 'the same source has the same key')
  t.not(a.messageId, c.messageId)
})

t.test('trimming: quoted history and signatures go, the full body stays', async t => {
  t.equal(trimReply('Thanks, it arrived!\n\nOn Mon, 3 Nov 2026 at 10:00, Shop Support <support@shop.test> wrote:\n> Your parcel is on its way.\n> Tracking: 123'), 'Thanks, it arrived!')
  t.equal(trimReply('Yes please.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nOld text'), 'Yes please.')
  t.equal(trimReply('Refund please\n\nFrom: Shop Support <support@shop.test>\nSent: Monday, November 3, 2026 10:00\nTo: me'), 'Refund please')
  t.equal(trimReply('好的，谢谢\n\n在 2026年11月3日 10:00，客服 <support@shop.test> 写道：\n> 已发货'), '好的，谢谢')
  t.equal(trimReply('收到\n\n------------------ 原始邮件 ------------------\n发件人: 客服'), '收到')
  t.equal(trimReply('See you\n-- \nAnn\nCEO, Example Ltd'), 'See you')
  t.equal(trimReply('Got it\n\nSent from my iPhone'), 'Got it')
  t.equal(trimReply('> quoted first\nmy answer in between\n> more'), '> quoted first\nmy answer in between', 'interleaved answers stay, the quote after the last one goes')
  t.equal(trimReply('From: my order 42, nothing arrived'), 'From: my order 42, nothing arrived', 'a sentence starting with From: is not a header block')
  t.equal(trimReply('On Tue, Ann wrote:\n> only a quote'), 'On Tue, Ann wrote:\n> only a quote', 'a message that would be empty after trimming is kept whole')
  const m = await parseEmail(mail(['From: a@x', 'Subject: s'], 'New words\r\n\r\nOn Tue, Support wrote:\r\n> old words'))
  t.equal(m.text, 'New words')
  t.match(m.fullText, /old words/)
})

t.test('trimming: Outlook in German, French, Spanish, Japanese and Chinese, and its HTML-only replies', async t => {
  const outlook: Array<[string, string]> = [
    ['Danke, ist angekommen.', 'Von: Shop Support <support@shop.test>\nGesendet: Montag, 30. November 2026 10:00\nAn: Kunde\nBetreff: Ihre Bestellung'],
    ['Merci, bien reçu.', 'De : Shop Support <support@shop.test>\nEnvoyé : lundi 30 novembre 2026 10:00\nÀ : Client'],
    ['Gracias, ya llegó.', 'De: Shop Support <support@shop.test>\nEnviado: lunes, 30 de noviembre de 2026 10:00\nPara: Cliente'],
    ['届きました。ありがとうございます。', '差出人: Shop Support <support@shop.test>\n送信日時: 2026年11月30日 10:00\n宛先: お客様'],
    ['收到了，谢谢', '发件人: Shop Support <support@shop.test>\n发送时间: 2026年11月30日 10:00\n收件人: 客户']
  ]
  for (const [words, header] of outlook) t.equal(trimReply(`${words}\n\n${header}\n\nYour order shipped.`), words, header.slice(0, 12))
  t.equal(trimReply('Bis bald\n\nAm Mo., 30. Nov. 2026 um 10:00 Uhr schrieb Support <support@shop.test>:\n> Alt'), 'Bis bald')
  t.equal(trimReply('À bientôt\n\nLe lun. 30 nov. 2026 à 10:00, Support <support@shop.test> a écrit :\n> Ancien'), 'À bientôt')
  t.equal(trimReply('De: Madrid, con cariño'), 'De: Madrid, con cariño', 'a line starting with De: alone is not a header block')

  // Outlook on the web sends HTML only: the rule (<hr>) and a bold header block, which become text like this.
  const html = '<div dir="ltr">Thanks, the parcel arrived.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">' +
    '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>Von:</b> Support &lt;support@shop.test&gt;<br><b>Gesendet:</b> Montag, 30. November 2026 10:00<br>' +
    '<b>An:</b> Kunde</font></div><div>Hello, your order shipped.</div>'
  const m = await parseEmail(mail(['From: kunde@example.test', 'Subject: AW: Ihre Bestellung', 'Content-Type: text/html; charset=utf-8'], html))
  t.equal(m.text, 'Thanks, the parcel arrived.', 'the rule and the quoted block go')
  t.match(m.fullText, /your order shipped/, 'the whole text stays for agents')
})

t.test('noise: auto-replies, bulk and list mail, bounces', async t => {
  const kind = async (headers: string[], body = 'x'): Promise<unknown> => (await parseEmail(mail(['From: a@x', 'Subject: s', ...headers], body))).kind
  t.same(await kind(['Auto-Submitted: auto-replied']), { kind: 'automated', reason: 'auto_submitted' })
  t.same(await kind(['Auto-Submitted: no']), { kind: 'customer' }, 'Auto-Submitted: no is a person')
  t.same(await kind(['X-Autoreply: yes']), { kind: 'automated', reason: 'autoreply' })
  t.same(await kind(['Precedence: bulk']), { kind: 'automated', reason: 'bulk' })
  t.same(await kind(['Precedence: junk']), { kind: 'automated', reason: 'bulk' })
  t.same(await kind(['List-Id: <news.shop.example>']), { kind: 'automated', reason: 'list' })
  t.same(await kind([]), { kind: 'customer' })
  const dsn = mail(['Return-Path: <>', 'From: Mail Delivery System <MAILER-DAEMON@mx.example>', 'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="B"'], [
    '--B', 'Content-Type: text/plain', '', 'Your message could not be delivered.', '',
    '--B', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example', '', 'Final-Recipient: rfc822; gone@example.com', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 User unknown', '',
    '--B', 'Content-Type: text/rfc822-headers', '', 'From: support@shop.test', 'To: gone@example.com', 'Message-ID: <01ABC.01DEF@shop.test>', 'Subject: Re: order', '',
    '--B--', ''].join('\r\n'))
  t.same((await parseEmail(dsn)).kind, { kind: 'bounce', server: 'rfc3464', action: 'failed', returnedIds: ['<01ABC.01DEF@shop.test>'], recipient: 'gone@example.com', status: '5.1.1', diagnostic: '550 5.1.1 User unknown' })
})

t.test('HTML is sanitized and inline images point at stored copies; attachments are stored', async t => {
  const files = channelFiles(new LocalFileStore(mkdtempSync(join(tmpdir(), 'omnihub-parse-'))), new FileLinks(randomBytes(32), 3600), () => new Date())
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')
  const source = mail(['From: a@x', 'Subject: photo', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="M"'], [
    '--M', 'Content-Type: multipart/related; boundary="R"', '',
    '--R', 'Content-Type: text/html; charset=UTF-8', '',
    '<p onclick="steal()">Broken <b>item</b><script>alert(1)</script><img src="cid:pic1"><img src="https://tracker.example/p.gif"><a href="javascript:x()">x</a></p>', '',
    '--R', 'Content-Type: image/png', 'Content-ID: <pic1>', 'Content-Transfer-Encoding: base64', 'Content-Disposition: inline', '', b64(png), '',
    '--R--', '',
    '--M', 'Content-Type: application/pdf; name="invoice.pdf"', 'Content-Disposition: attachment; filename="invoice.pdf"', 'Content-Transfer-Encoding: base64', '', b64('%PDF-1.4 test'), '',
    '--M--', ''].join('\r\n'))
  const email = await parseEmail(source)
  const { attachments, html } = await storeParts(email, files)
  t.equal(attachments.length, 2)
  const image = attachments.find(a => a.kind === 'image')!
  const pdf = attachments.find(a => a.name === 'invoice.pdf')!
  t.match(pdf, { kind: 'file', mimeType: 'application/pdf', size: 13 })
  t.same((await files.read(pdf.url)).data.toString(), '%PDF-1.4 test', 'the file is kept')
  t.match(html, `<img src="${image.url}" />`, 'inline image points at the stored copy')
  t.notMatch(html, /script|onclick|tracker\.example|javascript:/, 'scripts, handlers, remote images and javascript: links are gone')
  t.match(html, '<b>item</b>')
  t.equal(sanitizeForAgents('<a href="https://shop.example">x</a>'), '<a href="https://shop.example" rel="noopener noreferrer nofollow" target="_blank">x</a>')
})

t.test('threading helpers', async t => {
  const id = ownMessageId('01JD0000000000000000000001', '01JD0000000000000000000002', 'shop.test')
  t.equal(id, '<01JD0000000000000000000001.01JD0000000000000000000002@shop.test>')
  t.equal(conversationOfMessageId(id), '01JD0000000000000000000002')
  t.equal(conversationOfMessageId(id.toLowerCase()), '01JD0000000000000000000002', 'recognised after a client lowercased it')
  t.equal(conversationOfMessageId('<abc@gmail.com>'), null)
  const reply = replyAddress('support@shop.test', '01JD0000000000000000000002', true)
  t.equal(reply, 'support+01jd0000000000000000000002@shop.test')
  t.equal(replyAddress('support@shop.test', '01JD0000000000000000000002', false), 'support@shop.test')
  t.equal(tokenOf(reply, 'support@shop.test'), '01JD0000000000000000000002')
  t.equal(tokenOf('SUPPORT+01JD0000000000000000000002@SHOP.TEST', 'support@shop.test'), '01JD0000000000000000000002')
  t.equal(tokenOf('support+01jd0000000000000000000002@other.test', 'support@shop.test'), null, 'another domain')
  t.equal(tokenOf('support+hello@shop.test', 'support@shop.test'), null, 'not a token')
  t.equal(normalizeSubject('Re: RE: Fwd: 回复： 答复: [42] Order  Late'), '[42] order late')
  t.equal(replySubject('Order late'), 'Re: Order late')
  t.equal(replySubject('RE: Order late'), 'RE: Order late')
  const refs = Array.from({ length: 30 }, (_, i) => `<r${i}@x>`)
  const trimmed = trimReferences(refs)
  t.equal(trimmed.length, 20)
  t.equal(trimmed[0], '<r0@x>', 'the first reference is kept')
  t.equal(trimmed.at(-1), '<r29@x>', 'and the latest')
})

t.test('a reply is signed under the conventional "-- " line, above the quoted mail; our own trimming takes the signature off again', async t => {
  const { text, html } = composeReply('Your parcel left today.', { text: 'Where is it?', at: new Date('2026-11-20T10:00:00Z'), from: 'Ann' }, 'Mia Chen\nShop support')
  t.equal(text, 'Your parcel left today.\n\n-- \nMia Chen\nShop support\n\nOn Fri, 20 Nov 2026 10:00:00 GMT, Ann wrote:\n> Where is it?')
  t.match(html, /Your parcel left today\.<br><br>-- <br>Mia Chen<br>Shop support<\/div>/)
  t.equal(composeReply('Hi', null).text, 'Hi', 'no signature: nothing added')
  t.equal(trimReply(text), 'Your parcel left today.', 'a customer quoting it back is trimmed to what they wrote')
})
