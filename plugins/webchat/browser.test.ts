import { createServer } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { startTestHub, type TestHub } from '../../test/helpers/hub.js'
import { freePort } from '../../test/helpers/process.js'
import { VisitorClient } from '../../test/helpers/visitor.js'

/**
 * The widget in a real browser (Debian's Chromium), on a shop page served from another origin
 * than the hub, as a seller would embed it. OMNIHUB_SCREENSHOTS=<dir> keeps the screenshots.
 */
const SHOTS = process.env.OMNIHUB_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'omnihub-shots-'))

let browser: Browser
t.before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
})
t.teardown(async () => { await browser.close() })

/** A shop page on its own origin (localhost, while the hub is 127.0.0.1) with the snippet. */
async function shop (t: Test, hubUrl: string, extra = '', scriptAttributes = ''): Promise<string> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8')
    response.end(`<!doctype html><html><head><title>Linen shirt · Shop</title><style>body{font:16px serif;background:#fafaf9} button{all:unset;color:red} * {font-size: 40px !important}</style></head>
<body><h1>Linen shirt</h1><p>¥199</p>${extra}<script src="${hubUrl}/channels/webchat/widget.js" async${scriptAttributes}></script></body></html>`)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  return `http://localhost:${(server.address() as { port: number }).port}/p/linen-shirt`
}

async function newPage (t: Test): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 900, height: 720 } })
  t.teardown(async () => { await context.close() })
  return await context.newPage()
}

async function hubOn (t: Test, port: number, path: string, settings: Record<string, unknown> = {}): Promise<TestHub> {
  return await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat', ...settings }], config: { http: { host: '127.0.0.1', port }, store: { driver: 'sqlite', path } } })
}

async function waitFor<T> (what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

t.test('a visitor chats with an agent; reloads and a hub restart lose and duplicate nothing', async t => {
  const port = await freePort()
  const db = join(mkdtempSync(join(tmpdir(), 'omnihub-browser-')), 'hub.db')
  let hub = await hubOn(t, port, db, { title: 'Linen & Co.' })
  const page = await newPage(t)
  await page.goto(await shop(t, hub.url))

  const bubble = page.locator('#omnihub-widget .bubble')
  await bubble.waitFor()
  t.equal(await bubble.getAttribute('aria-label'), 'Open chat')
  t.equal(await page.locator('#omnihub-widget .panel').isHidden(), true, 'closed at first')
  t.equal(await bubble.evaluate(b => getComputedStyle(b).width), '56px', "the shop's CSS does not reach into the widget")
  await page.screenshot({ path: join(SHOTS, 'widget-closed.png') })

  // Keyboard: focus the bubble, open with Enter, type, send with Enter.
  await bubble.focus()
  await page.keyboard.press('Enter')
  const input = page.locator('#omnihub-widget textarea')
  await input.waitFor()
  t.equal(await page.evaluate(() => document.querySelector('#omnihub-widget')!.shadowRoot!.activeElement?.tagName), 'TEXTAREA', 'focus moves into the composer')
  await input.fill('Hello! Does the linen shirt come in M?')
  await page.keyboard.press('Enter')

  const conversation = await waitFor('the conversation', async () => (await hub.api('GET', '/conversations')).body.items[0])
  const messages = async (): Promise<string[]> => (await hub.api('GET', `/conversations/${conversation.id}/messages`)).body.items.map((m: any) => m.text)
  t.same(await messages(), ['Hello! Does the linen shirt come in M?'], 'the agent sees it')
  const contact = (await hub.api('GET', `/contacts/${conversation.contactId}`)).body
  t.match(contact.browsing.firstVisit, { title: 'Linen shirt · Shop', url: /\/p\/linen-shirt$/ }, 'and the page it was written on')

  await hub.api('POST', `/conversations/${conversation.id}/typing`, { on: true })
  await page.locator('#omnihub-widget .typing').filter({ hasText: 'is typing…' }).waitFor()
  await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'Yes, M is in stock. Shall I reserve one?' })
  await page.locator('#omnihub-widget .msg.agent').filter({ hasText: 'Shall I reserve one?' }).waitFor()
  t.equal(await page.locator('#omnihub-widget .typing').isHidden(), true, 'typing ends with the reply')
  await waitFor('the read receipt', async () => (await hub.api('GET', `/conversations/${conversation.id}/messages`)).body.items.find((m: any) => m.status === 'read'))
  await page.screenshot({ path: join(SHOTS, 'widget-open.png') })

  await page.reload()
  await page.locator('#omnihub-widget .bubble').click()
  await page.locator('#omnihub-widget .msg.agent').filter({ hasText: 'Shall I reserve one?' }).waitFor()
  t.equal(await page.locator('#omnihub-widget .msg').count(), 2, 'a reload keeps the conversation')

  // The hub goes down; the visitor writes meanwhile; it comes back on the same address and data.
  await hub.hub.stop()
  await page.locator('#omnihub-widget .state').filter({ hasText: 'Connecting…' }).waitFor()
  await page.locator('#omnihub-widget textarea').fill('Yes please, reserve it.')
  await page.keyboard.press('Enter')
  await page.locator('#omnihub-widget .msg.visitor .meta').filter({ hasText: 'Sending…' }).waitFor()
  hub = await hubOn(t, port, db, { title: 'Linen & Co.' })
  await page.locator('#omnihub-widget .msg.visitor').filter({ hasText: 'Yes please, reserve it.' }).locator('.meta').filter({ hasText: 'Sent' }).waitFor({ timeout: 20_000 })
  t.same(await messages(), ['Hello! Does the linen shirt come in M?', 'Yes, M is in stock. Shall I reserve one?', 'Yes please, reserve it.'], 'sent once when the hub is back')
  await page.reload()
  await page.locator('#omnihub-widget .bubble').click()
  await page.locator('#omnihub-widget .msg').nth(2).waitFor()
  t.equal(await page.locator('#omnihub-widget .msg').count(), 3, 'and shown once')
  t.same(await messages(), ['Hello! Does the linen shirt come in M?', 'Yes, M is in stock. Shall I reserve one?', 'Yes please, reserve it.'], 'no duplicate after another reload')
})

t.test('the pre-chat form validates; a bad identity hash is refused; Chinese texts', async t => {
  const port = await freePort()
  const hub = await hubOn(t, port, join(mkdtempSync(join(tmpdir(), 'omnihub-browser-')), 'hub.db'), {
    preChat: { name: 'required', email: 'required', phone: 'optional' }, identitySecret: 'identity-secret-0123456789'
  })
  const page = await newPage(t)
  await page.goto(await shop(t, hub.url, '<script>window.omnihubSettings = { locale: "en" }</script>'))
  await page.waitForFunction(() => (window as any).omnihub !== undefined)
  const events = await page.evaluate(async () => await new Promise<string[]>(resolve => {
    const seen: string[] = []
    const omnihub = (window as any).omnihub
    omnihub.on('opened', () => seen.push('opened'))
    omnihub.on('error', (e: { code: string }) => { seen.push(e.code); resolve(seen) })
    omnihub.open()
    omnihub.setUser('u-1', { name: 'Mallory', hash: 'deadbeef' })
  }))
  t.same(events, ['opened', 'identity_unverified'], 'setUser with a wrong hash is refused, with the reason')

  const form = page.locator('#omnihub-widget form.prechat')
  await form.waitFor()
  t.equal(await page.locator('#omnihub-widget form.composer').isHidden(), true, 'no composer before the form')
  await form.locator('input[name=email]').fill('not an email')
  await form.locator('button').click()
  t.equal(await form.locator('input[name=name]').getAttribute('aria-invalid'), 'true')
  t.equal(await form.locator('input[name=email]').getAttribute('aria-invalid'), 'true')
  t.same(await form.locator('.field-error').allTextContents(), ['Required', 'Check this', ''])
  await page.screenshot({ path: join(SHOTS, 'widget-prechat.png') })
  await form.locator('input[name=name]').fill('Ann Lee')
  await form.locator('input[name=email]').fill('ann@example.com')
  await form.locator('button').click()
  await page.locator('#omnihub-widget form.composer').waitFor()
  await page.locator('#omnihub-widget textarea').fill('hi')
  await page.keyboard.press('Enter')
  const conversation = await waitFor('the conversation', async () => (await hub.api('GET', '/conversations')).body.items[0])
  const contact = (await hub.api('GET', `/contacts/${conversation.contactId}`)).body
  t.match(contact, { name: 'Ann Lee', email: 'ann@example.com' }, 'the form filled the contact; the refused identity did not')
  t.match(contact.identities[0].externalId, /^v_/)

  await page.evaluate(() => (window as any).omnihub.setLocale('zh-CN'))
  t.equal(await page.locator('#omnihub-widget textarea').getAttribute('placeholder'), '输入消息…')
  await page.evaluate(() => (window as any).omnihub.close())
  t.equal(await page.locator('#omnihub-widget .bubble').getAttribute('aria-label'), '打开聊天')
})

t.test('the store-entry welcome: the page names its group, the visitor sees it before writing and taps a question', async t => {
  const port = await freePort()
  const hub = await hubOn(t, port, join(mkdtempSync(join(tmpdir(), 'omnihub-browser-')), 'hub.db'))
  await hub.hub.services.rules.save('hub', {
    welcomes: [
      { id: 'everyday', name: 'Every day', text: 'Welcome! Ask us anything.', questions: [] },
      { id: 'spring-sale', name: 'Spring sale', text: 'Spring sale: 30% off linen until Sunday.', questions: ['Which sizes are left?', 'Is shipping free?'] }
    ]
  })
  const page = await newPage(t)
  await page.goto(await shop(t, hub.url, '', ' data-welcome="spring-sale"'))
  await page.locator('#omnihub-widget .bubble').click()
  const welcome = page.locator('#omnihub-widget .msg.agent').filter({ hasText: 'Spring sale: 30% off linen until Sunday.' })
  await welcome.waitFor()
  t.same(await page.locator('#omnihub-widget .choice').allTextContents(), ['Which sizes are left?', 'Is shipping free?'], 'its questions to tap')
  t.same((await hub.api('GET', '/conversations')).body.items, [], 'nothing is stored before the visitor writes')
  await page.screenshot({ path: join(SHOTS, 'widget-welcome.png') })
  await page.locator('#omnihub-widget .choice').filter({ hasText: 'Which sizes are left?' }).click()
  const conversation = await waitFor('the conversation', async () => (await hub.api('GET', '/conversations')).body.items[0])
  const [first] = (await hub.api('GET', `/conversations/${conversation.id}/messages`)).body.items
  t.match(first, { text: 'Which sizes are left?', extras: { welcome: { group: 'spring-sale', text: 'Spring sale: 30% off linen until Sunday.' } } }, 'the agent sees the question and the welcome it answered')
  await page.locator('#omnihub-widget .msg.visitor').filter({ hasText: 'Which sizes are left?' }).waitFor()
  t.equal(await page.locator('#omnihub-widget .choice').count(), 0, 'the questions are past once the visitor wrote')
  t.equal(await page.locator('#omnihub-widget .msg.agent').first().textContent().then(x => x?.includes('Spring sale')), true, 'the welcome stays above their message')
})

t.test('the widget tells the truth: "busy" while every agent is at capacity, and no place in line outside opening hours', async t => {
  const port = await freePort()
  const hub = await hubOn(t, port, join(mkdtempSync(join(tmpdir(), 'omnihub-browser-')), 'hub.db'))
  const mia = await hub.addAgent({ name: 'Mia', capacity: 1, status: 'online' })
  const first = await VisitorClient.connect(hub.url)
  t.teardown(() => first.close())
  await first.ready()
  await first.say('I was here first')
  await waitFor('Mia at capacity', async () => (await hub.hub.services.store.getAgent(mia.agent.id))?.activeCount === 1 ? true : undefined)
  const page = await newPage(t)
  await page.goto(await shop(t, hub.url))
  await page.locator('#omnihub-widget .bubble').click()
  await page.locator('#omnihub-widget .state').filter({ hasText: 'All our agents are busy' }).waitFor()
  t.equal(await page.locator('#omnihub-widget form.offline').isHidden(), true, 'no "nobody can answer" email form: they will answer')

  const closedPort = await freePort()
  const closed = await hubOn(t, closedPort, join(mkdtempSync(join(tmpdir(), 'omnihub-browser-')), 'hub.db'), { businessHours: { timezone: 'UTC', days: {} } })
  const night = await newPage(t)
  await night.goto(await shop(t, closed.url))
  await night.locator('#omnihub-widget .bubble').click()
  await night.locator('#omnihub-widget .state').filter({ hasText: 'Outside our opening hours' }).waitFor()
  await night.locator('#omnihub-widget textarea').fill('Are you open tomorrow?')
  await night.keyboard.press('Enter')
  await night.locator('#omnihub-widget .notice').filter({ hasText: 'We answer as soon as we open.' }).waitFor()
  t.notMatch(await night.locator('#omnihub-widget .panel').textContent(), /in line/, 'no "You are number 1 in line" under "Outside our opening hours"')
})

t.test('an agent\'s reply that quotes the visitor shows the quote above it in the widget', async t => {
  const port = await freePort()
  const hub = await hubOn(t, port, join(mkdtempSync(join(tmpdir(), 'omnihub-browser-')), 'hub.db'))
  const page = await newPage(t)
  await page.goto(await shop(t, hub.url))
  await page.locator('#omnihub-widget .bubble').click()
  await page.locator('#omnihub-widget textarea').fill('Does it come in M?')
  await page.keyboard.press('Enter')
  await page.locator('#omnihub-widget textarea').fill('And in blue?')
  await page.keyboard.press('Enter')
  const conversation = await waitFor('the conversation', async () => (await hub.api('GET', '/conversations')).body.items[0])
  const [first] = await waitFor('both messages', async () => { const items = (await hub.api('GET', `/conversations/${conversation.id}/messages`)).body.items; return items.length === 2 ? items : undefined })
  t.match(await hub.api('POST', `/conversations/${conversation.id}/messages`, { text: 'Yes, M is in stock.', replyTo: first.id }), { status: 202 })
  const reply = page.locator('#omnihub-widget .msg.agent').filter({ hasText: 'Yes, M is in stock.' })
  await reply.waitFor()
  t.equal(await reply.locator('.quote').textContent(), 'Does it come in M?', 'the question it answers, quoted')
  await page.reload()
  await page.locator('#omnihub-widget .bubble').click()
  await page.locator('#omnihub-widget .msg.agent .quote', { hasText: 'Does it come in M?' }).waitFor()
})
