import { join } from 'node:path'
import t, { type Test } from 'tap'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { FakeLibreTranslate } from '../fakes/libretranslate.js'
import { callbackReceiver, eventually, inboxPage, launch, SHOTS, signIn } from './browser.js'

/** The workbench tools in the reply box, in Chromium: quick phrases, the attitude warning, the supervisor's counts. */
const browser = await launch(t)

/** A hub with the api channel, Mia signed in, and the conversation a customer opened with `text` open in the inbox. */
async function openConversation (t: Test, text: string, role: 'agent' | 'supervisor' = 'agent', config: Record<string, unknown> = {}, channel: Record<string, unknown> = {}) {
  const callback = await callbackReceiver(t)
  const hub = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url, ...channel }], config })
  const mia = await hub.addAgent({ name: 'Mia Chen', role, status: 'online' })
  await hub.inbound(inboundBody({ from: { id: 'ann-1', name: 'Ann Lee' }, text }))
  const page = await inboxPage(t, browser)
  await signIn(page, hub.url, mia.token)
  await page.locator('.conv-row', { hasText: text }).click()
  const pane = page.locator('.conversation-pane')
  return { callback, hub, mia, page, pane, box: pane.getByRole('textbox', { name: /Write a reply/ }) }
}

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')

t.test('/hi completes with the customer\'s name; 退货怎么办 finds the returns phrase; the picker attaches its images', async t => {
  const { callback, hub, mia, page, pane, box } = await openConversation(t, 'hello there')
  await mia.api('POST', '/phrases', { code: 'hi', title: 'Hello', text: 'Hi {contact.name}, this is {agent.name}.' })
  await mia.api('POST', '/phrases', { code: 'returns', title: '退货流程', text: '您好，退货请在订单页点击"申请退货"。' })
  const upload = await fetch(`${hub.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${mia.token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'size-chart.png', 'x-file-type': 'image/png' }, body: PNG })
  const { attachment } = await upload.json() as { attachment: unknown }
  await mia.api('POST', '/phrases', { code: 'sizes', title: 'Size chart', text: 'Here is our size chart.', attachments: [attachment] })
  const menu = pane.getByRole('listbox', { name: 'Quick phrases' })

  await box.pressSequentially('/h')
  await menu.getByRole('option', { name: /\/hi/ }).waitFor()
  t.match(await menu.getByRole('option').first().textContent(), /Hi Ann Lee, this is Mia Chen\./, 'shown as it will go')
  await box.press('Enter')
  t.equal(await box.inputValue(), 'Hi Ann Lee, this is Mia Chen.', 'Enter picks the phrase, not sends')
  t.equal(await menu.count(), 0, 'the menu closes')
  await box.press('Enter')
  await eventually('the phrase at the callback', async () => callback.received.some(r => r.text === 'Hi Ann Lee, this is Mia Chen.'))
  await eventually('the box emptied once sent', async () => (await box.inputValue()) === '')

  await pane.getByRole('button', { name: 'Phrases' }).click()
  const search = pane.getByRole('searchbox', { name: /Find a phrase/ })
  await search.fill('退货怎么办')
  await eventually('the returns phrase first', async () => (await menu.getByRole('option').first().textContent())?.includes('/returns') === true)
  await search.fill('size')
  await menu.getByRole('option', { name: /\/sizes/ }).waitFor()
  await page.screenshot({ path: join(SHOTS, 'phrases.png') })
  await search.press('Enter')
  t.equal(await box.inputValue(), 'Here is our size chart.')
  await pane.locator('.pending-files li', { hasText: 'size-chart.png' }).waitFor()
  await box.press('Enter')
  await eventually('the chart at the callback', async () => callback.received.some(r => r.text === 'Here is our size chart.'))
  t.match(callback.received.find(r => r.text === 'Here is our size chart.'), { attachments: [{ kind: 'image', name: 'size-chart.png' }] }, 'its image went with it')
  await eventually('the box emptied once sent', async () => (await box.inputValue()) === '')

  await box.pressSequentially('/nothing-like-this')
  await menu.getByText('No phrase matches.').waitFor()
  await box.press('Escape')
  t.equal(await menu.count(), 0, 'Escape closes it, keeping the text')
  t.equal(await box.inputValue(), '/nothing-like-this')
})

t.test('a rude reply is held with "send anyway / edit"; the supervisor sees it counted', async t => {
  const { callback, page, pane, box } = await openConversation(t, 'it still has not arrived', 'supervisor')

  await box.pressSequentially('Not my problem, ask the courier.')
  await box.press('Enter')
  const warning = pane.locator('.policy.attitude')
  await warning.waitFor()
  t.match(await warning.textContent(), /may read badly.*dismissive.*not my problem/)
  t.equal(callback.received.length, 0, 'held')
  await warning.getByRole('button', { name: 'Edit' }).click()
  t.equal(await warning.count(), 0, 'Edit puts the agent back in the text')
  await box.fill('Sorry for the wait. I have asked the courier and will update you today.')
  await box.press('Enter')
  await eventually('the kind reply', async () => callback.received.some(r => r.text.startsWith('Sorry for the wait')))

  await box.pressSequentially('That is not my problem.')
  await box.press('Enter')
  await warning.getByRole('button', { name: 'Send anyway' }).click()
  await eventually('sent as written', async () => callback.received.some(r => r.text === 'That is not my problem.'))

  await page.getByRole('button', { name: 'Supervisor' }).click()
  const row = page.locator('table.attitude tr', { hasText: 'Mia Chen' })
  await row.waitFor()
  t.same(await row.locator('td').allTextContents(), ['Mia Chen', '2', '1', '0'], 'warned twice, sent anyway once')
})

t.test('an upset customer is marked in the list and the pane, and listed for supervisors', async t => {
  const { hub, page, pane } = await openConversation(t, 'where is my parcel?', 'supervisor')
  await hub.inbound(inboundBody({ from: { id: 'ann-1', name: 'Ann Lee' }, text: '垃圾店，骗子！！！' }))
  await page.locator('.conv-row .mood', { hasText: 'Upset' }).waitFor()
  await pane.locator('.pane-header .mood').waitFor()
  t.match(await pane.locator('.pane-header .mood').getAttribute('title'), /calm them/)
  await page.getByRole('button', { name: 'Supervisor' }).click()
  const row = page.locator('table.upset tr', { hasText: 'Ann Lee' })
  await row.waitFor()
  t.match(await row.textContent(), /Ann Lee.*api.*Mia Chen/)
})

t.test('a contact who complained is marked in the contact panel and a supervisor lifts it; the email channel\'s counts are listed', async t => {
  // An email channel whose mailbox is unreachable still counts: what it counted is written as the plugin would.
  const email = { id: 'mail', plugin: 'email', address: 'support@shop.test', imap: { host: '127.0.0.1', port: 9, secure: false, user: 'u', password: 'p', reconnectMinMs: 1000 }, smtp: { host: '127.0.0.1', port: 9 } }
  const { hub, page } = await openConversation(t, 'stop mailing me', 'supervisor', {}, {})
  const { store } = hub.hub.services
  const [conversation] = (await store.listConversations({}, { limit: 1 })).items
  await store.editContact(conversation!.contactId, { suppression: { reason: 'complained', channelId: 'api', detail: 'abuse', at: new Date() } }, new Date())
  await page.reload()
  await page.locator('.conv-row', { hasText: 'stop mailing me' }).click()
  const note = page.locator('.contact-panel .suppression')
  await note.waitFor()
  t.match(await note.textContent(), /Reported our mail as spam: nothing automatic/)
  await note.getByRole('button', { name: 'Send automatic messages again' }).click()
  await note.waitFor({ state: 'detached' })
  t.equal((await store.getContact(conversation!.contactId))!.suppression, null, 'lifted in the store')

  const withMail = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: '' }, email] })
  const lead = await withMail.addAgent({ name: 'Lea', role: 'supervisor' })
  for (const counter of ['bounce', 'bounce', 'complaint']) await withMail.hub.services.store.recordChannelEvent('mail', `counter:${counter}`, new Date())
  const other = await inboxPage(t, browser)
  await signIn(other, withMail.url, lead.token)
  await other.getByRole('button', { name: 'Supervisor' }).click()
  const row = other.locator('table.counters-mail tbody tr')
  await row.waitFor()
  t.same(await other.locator('table.counters-mail th').allTextContents(), ['Bounces', 'Delays', 'Complaints', 'Auto-replies', 'Contacts stopped'])
  t.same(await row.locator('td').allTextContents(), ['2', '0', '1', '0', '0'])

  // From the monitor a supervisor sets an agent's status (here their own: Lea has no team yet).
  await other.getByRole('combobox', { name: 'Status of Lea' }).selectOption('busy')
  await eventually('the status set', async () => (await withMail.hub.services.store.getAgent(lead.agent.id))?.status === 'busy')
  t.pass('set from the supervisor page')
})

t.test('translation: the customer\'s Chinese shown in English, the reply sent in Chinese with what the agent wrote kept', async t => {
  const translator = new FakeLibreTranslate()
  await translator.listen()
  t.teardown(async () => { await translator.close() })
  const { callback, hub, pane, box } = await openConversation(t, '你好', 'agent', { translation: { url: translator.url, apiKey: translator.apiKey } })
  await pane.getByRole('button', { name: 'Translate', exact: true }).click()
  await pane.getByRole('button', { name: 'Stop translating' }).waitFor()
  await hub.inbound(inboundBody({ from: { id: 'ann-1', name: 'Ann Lee' }, text: '我的包裹在哪里？' }))
  const translated = pane.locator('.msg.inbound .translation', { hasText: 'Where is my parcel?' })
  await translated.waitFor()
  t.match(await translated.textContent(), /Translated from zh:/)
  await eventually('the customer\'s language learnt', async () => (await pane.locator('.translate-state').textContent())?.includes('writes zh') === true)
  await box.fill('Your parcel arrives tomorrow.')
  await box.press('Enter')
  await eventually('the reply at the callback', async () => callback.received.some(r => r.text === '您的包裹明天到。'))
  await pane.locator('.msg.outbound .translation', { hasText: 'Your parcel arrives tomorrow.' }).waitFor()
  await pane.getByRole('button', { name: 'Stop translating' }).click()
  await pane.getByRole('button', { name: 'Translate', exact: true }).click()
  await eventually('on again, the language known', async () => (await pane.locator('.translate-state').textContent())?.includes('writes zh') === true)
  t.notMatch(await pane.locator('.translate-state').textContent(), /\?/, 'never "Customer writes ?"')
})

t.test('translation without a service: the button says why it is off', async t => {
  const { pane } = await openConversation(t, 'hello')
  const button = pane.getByRole('button', { name: 'Translate', exact: true })
  t.ok(await button.isDisabled())
  t.match(await button.getAttribute('title'), /No translation service is configured/)
})

t.test('what the agent types while the previous reply is on its way stays in the box', async t => {
  const { callback, page, box } = await openConversation(t, 'two questions')
  // The hub answers this reply slowly, as it might under load.
  await page.route('**/api/v1/conversations/*/messages', async route => {
    if (route.request().method() === 'POST') await new Promise(resolve => setTimeout(resolve, 800))
    await route.continue()
  })
  await box.fill('First answer.')
  await box.press('Enter')
  await box.pressSequentially('Second')
  await eventually('the first reply sent', async () => callback.received.some(r => r.text === 'First answer.'))
  await page.waitForTimeout(1000)
  t.equal(await box.inputValue(), 'Second', 'the new text is kept, not cleared with the sent one')
})

const FAQ_CSV = `question,answer,alternatives
When will my order ship?,We ship within 24 hours of payment. 付款后24小时内发货。,什么时候发货|多久发货
How do I return an item?,Open your order and choose Return. 在订单页点击申请退货。,退货怎么办|怎么退货
Can I get an invoice?,Yes: write the title in the order notes. 可以开发票。,能开发票吗
`

t.test('the FAQ in the inbox: suggestions in the reply box, adding a question from a message, the FAQ page with its import; asking for a rating', async t => {
  const { callback, hub, mia, page, pane, box } = await openConversation(t, '请问什么时候发货？', 'supervisor', {}, { robot: { mode: 'suggest' } })
  const imported = await fetch(`${hub.url}/api/v1/faq/import`, { method: 'POST', headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'text/csv' }, body: FAQ_CSV })
  t.equal(imported.status, 403, 'the test agent is no admin')
  const admin = await hub.addAgent({ name: 'Root', role: 'admin' })
  t.equal((await fetch(`${hub.url}/api/v1/faq/import`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' }, body: FAQ_CSV })).status, 200)
  // Mia supervises the care team: she manages its FAQ.
  t.equal((await admin.api('POST', '/teams', { id: 'care', name: 'Care' })).status, 201)
  t.equal((await admin.api('PATCH', `/agents/${mia.agent.id}`, { teams: ['care'] })).status, 200)

  // Suggestions for what the customer asked, best first; Use puts the answer in the box.
  await page.reload()
  await page.locator('.conv-row', { hasText: '请问什么时候发货' }).click()
  const suggestions = pane.getByRole('region', { name: 'Suggested answers' })
  await suggestions.waitFor()
  t.match(await suggestions.locator('li').first().textContent(), /When will my order ship\?/)
  await page.screenshot({ path: join(SHOTS, 'faq-suggestions.png') })
  await suggestions.locator('li').first().getByRole('button', { name: 'Use' }).click()
  t.equal(await box.inputValue(), 'We ship within 24 hours of payment. 付款后24小时内发货。')
  await box.press('Enter')
  await eventually('the answer at the callback', async () => callback.received.some(r => r.text.startsWith('We ship within 24 hours')))
  await eventually('no suggestion once answered', async () => (await suggestions.count()) === 0)

  // The customer's question, and the reply just sent, into the FAQ.
  const question = pane.locator('article.msg.inbound', { hasText: '请问什么时候发货' })
  await question.getByRole('button', { name: 'Add to FAQ' }).click()
  await question.getByRole('form', { name: 'Add to FAQ' }).getByRole('button', { name: 'Save' }).click()
  // The conversation is every agent's: its FAQ is the hub's, an admin's to approve.
  await question.getByText(/Suggested: a supervisor of your team approves it/).waitFor()
  t.ok((await mia.api('GET', '/faq?suggested=true')).body.items.some((e: { question: string, answer: string }) => e.question === '请问什么时候发货？' && e.answer.startsWith('We ship within 24 hours')))

  // Asking for a rating; the customer's tap shows in the header.
  await pane.getByRole('button', { name: 'Ask for rating' }).click()
  await eventually('the invitation', async () => callback.received.some(r => r.author?.type === 'bot' && r.choices?.length === 5))
  const invitation = callback.received.find(r => r.author?.type === 'bot' && r.choices?.length === 5)
  await pane.locator('.rating-asked').waitFor()
  await hub.inbound(inboundBody({ from: { id: 'ann-1' }, text: '★★★★', payload: invitation.choices[3].payload }))
  await pane.getByLabel('Rated 4 of 5').waitFor()
  await pane.locator('article.msg', { hasText: 'How would you rate' }).locator('.tag-chip.automated', { hasText: 'Rating invitation' }).waitFor()

  // The FAQ page: search as the robot ranks, import a file, see problems of a bad one.
  await page.getByRole('button', { name: 'FAQ' }).click()
  await page.getByRole('searchbox').fill('退货怎么办')
  await eventually('returns first', async () => (await page.locator('main.faq-page > .faq-list li').first().textContent())?.includes('How do I return an item?') === true)
  await page.locator('.faq-tools input[type=file]').setInputFiles({ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from('question,answer\nDo you ship abroad?,Yes: to 30 countries.\n') })
  await page.getByText('Imported: 1 new, 0 updated.').waitFor()
  t.match((await mia.api('GET', '/faq?q=ship%20abroad')).body.items[0], { question: 'Do you ship abroad?', teamId: 'care' }, 'into her team\'s FAQ')
  await page.locator('.faq-tools input[type=file]').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('question,answer\nNo answer here?,\n') })
  await page.getByRole('alert').getByText('row 2: the answer is empty').waitFor()
  await page.screenshot({ path: join(SHOTS, 'faq-page.png') })

  // The supervisor's figures: ratings per agent and channel.
  await page.getByRole('button', { name: 'Supervisor' }).click()
  await page.locator('table.ratings tr', { hasText: 'Mia Chen' }).getByText('4.00 ★').waitFor()
  await page.locator('table.robot tr', { hasText: 'api' }).waitFor()
})

t.test('an agent sets their own welcome and signature from the header', async t => {
  const { mia, page } = await openConversation(t, 'hi')
  await page.getByRole('button', { name: 'My welcome' }).click()
  const dialog = page.getByRole('form', { name: 'My welcome message' })
  await dialog.getByRole('textbox', { name: 'My welcome message' }).fill('你好 {contact.name}，我是{agent.name}。')
  await dialog.getByRole('textbox', { name: /My signature/ }).fill('Mia Chen · Shop support')
  await dialog.getByRole('button', { name: 'Save' }).click()
  await eventually('saved', async () => (await mia.api('GET', '/agents/me')).body.welcome === '你好 {contact.name}，我是{agent.name}。')
  t.equal((await mia.api('GET', '/agents/me')).body.signature, 'Mia Chen · Shop support')
  t.equal(await dialog.count(), 0, 'the dialog closes')
})
