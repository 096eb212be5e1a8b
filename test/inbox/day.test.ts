import t, { type Test } from 'tap'
import { FakeLibreTranslate } from '../fakes/libretranslate.js'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { VisitorClient } from '../helpers/visitor.js'
import { callbackReceiver, eventually, inboxPage, launch, signIn } from './browser.js'

/** An agent's whole day in Chromium: handing back to the robot, one message translated, and the rest of issue 25's tools. */
const browser = await launch(t)

async function day (t: Test, options: { robot?: Record<string, unknown>, config?: Record<string, unknown> } = {}) {
  const callback = await callbackReceiver(t)
  const h = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url, ...(options.robot !== undefined ? { robot: options.robot } : {}) }, { id: 'webchat', plugin: 'webchat' }], config: options.config ?? {} })
  const mia = await h.addAgent({ name: 'Mia', status: 'online' })
  const page = await inboxPage(t, browser)
  return { h, mia, page, callback, pane: page.locator('.conversation-pane') }
}

t.test('hand back to the robot: the conversation leaves Mia for the Bot view, and the robot answers the next question', async t => {
  const { h, mia, page, pane, callback } = await day(t, { robot: { mode: 'auto', threshold: 0.5 } })
  const admin = await h.addAgent({ name: 'Root', role: 'admin' })
  t.match(await admin.api('POST', '/faq', { question: 'When will my order ship?', answer: 'We ship within 24 hours.' }), { status: 201 })
  const { conversationId } = await (await h.inbound(inboundBody({ from: { id: 'ann', name: 'Ann' }, text: 'I want a person' }))).json() as { conversationId: string }
  await eventually('Mia has it', async () => (await h.hub.services.store.getConversation(conversationId))?.assigneeId === mia.agent.id)
  await signIn(page, h.url, mia.token)
  await page.locator(`.conv-row[data-id="${conversationId}"]`).click()
  await pane.getByRole('button', { name: 'Hand back to robot' }).click()
  await eventually('the robot holds it', async () => (await h.hub.services.store.getConversation(conversationId))?.status === 'bot')
  await eventually('the button goes', async () => (await pane.getByRole('button', { name: 'Hand back to robot' }).count()) === 0)
  await page.locator('.views [data-view="bot"]').click()
  await page.locator(`.conv-row[data-id="${conversationId}"]`).waitFor()
  await h.inbound(inboundBody({ from: { id: 'ann', name: 'Ann' }, text: 'When will my order ship?' }))
  await eventually('the robot answered', async () => callback.received.some(r => r.text === 'We ship within 24 hours.'))
  await pane.locator('article.msg.outbound', { hasText: 'We ship within 24 hours.' }).waitFor()
})

t.test('one message translated with the button beside it, the conversation\'s translation off', async t => {
  const translator = new FakeLibreTranslate()
  await translator.listen()
  t.teardown(async () => { await translator.close() })
  const { h, mia, page, pane } = await day(t, { config: { translation: { url: translator.url, apiKey: translator.apiKey } } })
  await h.inbound(inboundBody({ from: { id: 'wu', name: 'Wu' }, text: '可以退货吗？' }))
  await signIn(page, h.url, mia.token)
  await page.locator('.conv-row', { hasText: '可以退货吗？' }).click()
  const message = pane.locator('article.msg.inbound', { hasText: '可以退货吗？' })
  await message.getByRole('button', { name: 'Translate message' }).click()
  await message.locator('.translation', { hasText: 'Can I return it?' }).waitFor()
  t.equal(await message.getByRole('button', { name: 'Translate message' }).count(), 0, 'translated: the button goes')
  t.equal(await pane.getByRole('button', { name: 'Translate', exact: true }).getAttribute('aria-pressed'), 'false', 'the conversation\'s translation stays off')
})

t.test('notifications as the agent chooses, kept on the server: sound, desktop notifications, the unread count in the tab title', async t => {
  const { h, mia, page } = await day(t)
  // The tab is "hidden" on demand; chimes and notifications are counted instead of heard.
  await page.addInitScript(() => {
    const w = window as any
    w.heard = { chimes: 0, notifications: [] as string[] }
    Object.defineProperty(document, 'hidden', { get: () => w.tabHidden === true })
    w.AudioContext = class { currentTime = 0; destination = {}; createOscillator () { w.heard.chimes++; return { frequency: {}, connect: (x: unknown) => x, start () {}, stop () {} } } createGain () { return { gain: { setValueAtTime () {}, exponentialRampToValueAtTime () {} }, connect: (x: unknown) => x } } }
    w.Notification = class { static permission = 'granted'; static requestPermission = async () => 'granted'; constructor (title: string) { w.heard.notifications.push(title) } }
    // With the service worker, notifications go through it (as phones require).
    ServiceWorkerRegistration.prototype.showNotification = async function (title: string) { w.heard.notifications.push(title) }
  })
  await signIn(page, h.url, mia.token)
  await h.inbound(inboundBody({ from: { id: 'ann', name: 'Ann' }, text: 'first question' }))
  await eventually('the unread count in the title', async () => (await page.title()) === '(1) Omnihub inbox')

  await page.evaluate(() => { (window as any).tabHidden = true })
  await h.inbound(inboundBody({ from: { id: 'ann', name: 'Ann' }, text: 'are you there?' }))
  const heard = await eventually('told while hidden', async () => {
    const now = await page.evaluate(() => (window as any).heard)
    return now.notifications.length > 0 ? now : undefined
  })
  t.ok(heard.chimes > 0, 'a chime')
  t.match(heard.notifications[0], /New message from Ann/)

  await page.evaluate(() => { (window as any).tabHidden = false })
  await page.getByRole('button', { name: 'Notifications' }).click()
  const dialog = page.getByRole('form', { name: 'Notifications' })
  await dialog.getByLabel(/Play a sound/).uncheck()
  await dialog.getByLabel(/unread count/).uncheck()
  await dialog.getByRole('button', { name: 'Save' }).click()
  await eventually('no count in the title', async () => (await page.title()) === 'Omnihub inbox')
  t.same((await mia.api('GET', '/agents/me')).body.notifications, { sound: false, desktop: true, tabTitle: false }, 'kept on the server')

  await page.reload()
  await page.locator('header.top').waitFor()
  await page.evaluate(() => { (window as any).tabHidden = true })
  await h.inbound(inboundBody({ from: { id: 'bob', name: 'Bob' }, text: 'hello from Bob' }))
  const later = await eventually('the desktop notification only', async () => {
    const now = await page.evaluate(() => (window as any).heard)
    return now.notifications.length > 0 ? now : undefined
  })
  t.equal(later.chimes, 0, 'no sound after the reload: the choice came from the server')
  t.equal(await page.title(), 'Omnihub inbox')
})

t.test('the keyboard: j and k move between conversations, a assigns, r writes, p opens phrases, x closes; ? lists them', async t => {
  const { h, mia, page, pane } = await day(t)
  for (const [id, text] of [['ann', 'first customer'], ['bob', 'second customer']]) await h.inbound(inboundBody({ from: { id: id!, name: id! }, text: text! }))
  await mia.api('PUT', '/agents/me/status', { status: 'busy' })
  const waiting = ((await (await h.inbound(inboundBody({ from: { id: 'cy', name: 'Cy' }, text: 'third customer' }))).json()) as { conversationId: string }).conversationId
  await signIn(page, h.url, mia.token)
  await page.locator('.conv-row').nth(2).waitFor()
  await page.keyboard.press('?')
  const overlay = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await overlay.waitFor()
  t.match(await overlay.textContent(), /jNext conversation.*kPrevious conversation.*aAssign to me.*xClose the conversation.*rWrite a reply.*pOpen quick phrases/)
  await page.keyboard.press('Escape')
  await overlay.waitFor({ state: 'detached' })

  await page.keyboard.press('j')
  const firstOpen = await eventually('a conversation open', async () => /#\/c\/(\w+)/.exec(page.url())?.[1])
  await page.keyboard.press('j')
  const secondOpen = await eventually('the next one', async () => { const id = /#\/c\/(\w+)/.exec(page.url())?.[1]; return id !== firstOpen ? id : undefined })
  await page.keyboard.press('k')
  await eventually('back to the first', async () => /#\/c\/(\w+)/.exec(page.url())?.[1] === firstOpen)
  t.not(firstOpen, secondOpen)

  await page.goto(`${h.url}/inbox/#/c/${waiting}`)
  await pane.locator('article.msg.inbound', { hasText: 'third customer' }).waitFor()
  await page.keyboard.press('a')
  await eventually('assigned to Mia', async () => (await h.hub.services.store.getConversation(waiting))?.assigneeId === mia.agent.id)
  await page.keyboard.press('r')
  const box = pane.getByRole('textbox', { name: /Write a reply/ })
  t.ok(await box.evaluate(el => el === document.activeElement), 'r puts the cursor in the reply box')
  await box.pressSequentially('jk')
  t.equal(await box.inputValue(), 'jk', 'letters typed in the box are text, not shortcuts')
  await page.keyboard.press('Escape')
  await page.keyboard.press('p')
  await pane.getByRole('searchbox', { name: /Find a phrase/ }).waitFor()
  await page.keyboard.press('Escape')
  await box.fill('')
  await page.keyboard.press('Escape')
  await page.keyboard.press('x')
  await eventually('closed', async () => (await h.hub.services.store.getConversation(waiting))?.status === 'closed')
})

t.test('the contact panel shows the customer\'s language, country and local time from their browser; the agent corrects them', async t => {
  const { h, mia, page } = await day(t)
  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  v.send({ type: 'page', url: 'https://shop.example/', title: 'Shop', language: 'zh-CN', timeZone: 'Asia/Shanghai' })
  await v.next(f => f.type === 'welcome')
  await v.say('在吗？')
  await signIn(page, h.url, mia.token)
  await page.locator('.conv-row', { hasText: '在吗？' }).click()
  const panel = page.locator('aside.contact-panel')
  const local = panel.locator('.local-time')
  await local.waitFor()
  const shanghai = new Date().toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', weekday: 'short' })
  t.match(await local.textContent(), new RegExp(`^${shanghai.slice(0, 4)}.*Asia/Shanghai`), 'their local time, not the agent\'s')
  t.match(await panel.locator('.whereabouts').textContent(), /LanguagezhCountryCN/)
  await panel.getByRole('button', { name: /Language, country, time zone/ }).click()
  const form = panel.getByRole('form', { name: 'Language, country and time zone' })
  await form.getByLabel('Time zone').fill('Mars/Olympus')
  await form.getByRole('button', { name: 'Save' }).click()
  await form.getByRole('alert').getByText(/is not a time zone/).waitFor()
  await form.getByLabel('Time zone').fill('Europe/Berlin')
  await form.getByLabel('Country').fill('de')
  await form.getByRole('button', { name: 'Save' }).click()
  await panel.locator('.local-time', { hasText: 'Europe/Berlin' }).waitFor()
  t.match(await panel.locator('.whereabouts').textContent(), /CountryDE/, 'saved as the code it is')
})

t.test('visitor presence: "On site" in the list, the page in the contact panel, live as they browse and leave', async t => {
  const { h, mia, page } = await day(t)
  const v = await VisitorClient.connect(h.url)
  await v.ready()
  v.send({ type: 'page', url: 'https://shop.example/shirt', title: 'Linen shirt' })
  await v.next(f => f.type === 'welcome')
  await v.say('Is M in stock?')
  await signIn(page, h.url, mia.token)
  const row = page.locator('.conv-row', { hasText: 'Is M in stock?' })
  await row.locator('.on-site', { hasText: 'On site' }).waitFor()
  await row.click()
  const presence = page.locator('aside.contact-panel .presence')
  await presence.getByText('On the site now').waitFor()
  await presence.getByRole('link', { name: 'Linen shirt' }).waitFor()
  v.send({ type: 'page', url: 'https://shop.example/cart', title: 'Cart' })
  await presence.getByRole('link', { name: 'Cart' }).waitFor()
  v.close()
  await presence.getByText(/Left the site/).waitFor()
  await eventually('the list follows', async () => (await row.locator('.on-site').count()) === 0)
})

t.test('choosing the channel to answer on: a webchat visitor who left an email is answered by email from the reply box', async t => {
  const callback = await callbackReceiver(t)
  const mail = { id: 'mail', plugin: 'email', address: 'support@shop.test', imap: { host: '127.0.0.1', port: 9, secure: false, user: 'u', password: 'p', reconnectMinMs: 60_000 }, smtp: { host: '127.0.0.1', port: 9 } }
  const h = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }, { id: 'webchat', plugin: 'webchat' }, mail] })
  const mia = await h.addAgent({ name: 'Mia', status: 'online' })
  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  v.send({ type: 'profile', email: 'ann@example.com' })
  await v.next(f => f.type === 'profile')
  await v.say('Please send the invoice to my email.')
  const page = await inboxPage(t, browser)
  await signIn(page, h.url, mia.token)
  await page.locator('.conv-row', { hasText: 'Please send the invoice' }).click()
  const pane = page.locator('.conversation-pane')
  const via = pane.getByLabel('Reply on')
  await via.waitFor()
  t.same(await via.locator('option').allTextContents(), ['webchat', 'mail · ann@example.com'])
  await via.selectOption('mail')
  const box = pane.getByRole('textbox', { name: /Write a reply/ })
  await box.fill('The invoice is attached to this email.')
  await box.press('Enter')
  const sent = await eventually('the reply stored', async () => (await h.hub.services.store.listMessages((await mia.api('GET', '/conversations')).body.items[0].id, { limit: 10 })).items.find(m => m.text === 'The invoice is attached to this email.'))
  t.equal(sent.channelId, 'mail', 'it goes out by email')
})

t.test('cards from the reply box: a catalog product, a pasted link and an order go to the webchat visitor; the api channel refuses cards with the reason', async t => {
  const { h, mia, page, pane } = await day(t)
  const boss = await h.addAgent({ name: 'Bo', role: 'supervisor' })
  const imported = await fetch(`${h.url}/api/v1/products/import`, { method: 'POST', headers: { authorization: `Bearer ${boss.token}`, 'content-type': 'text/csv' }, body: 'id,title,price,url\nSKU-1,Linen shirt,¥199,https://shop.example/p/shirt\nSKU-2,Canvas tote,¥89,https://shop.example/p/tote\n' })
  t.equal(imported.status, 200)
  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  await v.say('Which shirt would you recommend?')
  await signIn(page, h.url, mia.token)
  await page.locator('.conv-row', { hasText: 'Which shirt' }).click()
  await pane.getByRole('button', { name: 'Card', exact: true }).click()
  const picker = page.getByRole('dialog', { name: 'Send a card' })
  await picker.getByRole('searchbox', { name: 'Find a product' }).fill('linen')
  await picker.locator('.products li[data-id="SKU-1"]').getByRole('button', { name: 'Add' }).click()
  await pane.getByRole('button', { name: 'Card', exact: true }).click()
  await picker.getByRole('textbox', { name: 'Paste a product link' }).fill('https://shop.example/p/tote')
  await picker.getByRole('form', { name: 'Paste a product link' }).getByRole('button', { name: 'Add' }).click()
  await pane.getByRole('button', { name: 'Card', exact: true }).click()
  const order = picker.getByRole('form', { name: 'Order card' })
  await order.getByLabel('Order number').fill('1042')
  await order.getByLabel('Total').fill('¥288')
  await order.getByLabel('Status').fill('Shipped')
  await order.getByRole('button', { name: 'Add' }).click()
  t.same(await pane.locator('.pending-cards .card-title').allTextContents(), ['Linen shirt', 'Canvas tote', 'Order 1042'], 'the pasted link found its catalog product')
  const from = v.frames.length
  await pane.getByRole('textbox', { name: /Write a reply/ }).fill('Here are both, and your order:')
  await pane.getByRole('button', { name: 'Send' }).click()
  const got = (await v.next(f => f.type === 'message', { from })).message
  t.match(got.cards, [{ kind: 'product', title: 'Linen shirt', fields: { price: '¥199' } }, { kind: 'product', title: 'Canvas tote' }, { kind: 'order', title: 'Order 1042', fields: { total: '¥288', status: 'Shipped' } }])
  await pane.locator('article.msg.outbound .card .card-title', { hasText: 'Order 1042' }).waitFor()

  await h.inbound(inboundBody({ from: { id: 'kim', name: 'Kim' }, text: 'send me a picture of the tote' }))
  await page.locator('.conv-row', { hasText: 'picture of the tote' }).click()
  await pane.getByRole('button', { name: 'Card', exact: true }).click()
  await pane.getByText('api cannot carry cards; send the details as text.').waitFor()
  t.equal(await page.getByRole('dialog', { name: 'Send a card' }).count(), 0, 'no picker where cards cannot go')
})
