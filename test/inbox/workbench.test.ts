import { join } from 'node:path'
import t, { type Test } from 'tap'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { FakeLibreTranslate } from '../fakes/libretranslate.js'
import { callbackReceiver, eventually, inboxPage, launch, SHOTS, signIn } from './browser.js'

/** The workbench tools in the reply box, in Chromium: quick phrases, the attitude warning, the supervisor's counts. */
const browser = await launch(t)

/** A hub with the api channel, Mia signed in, and the conversation a customer opened with `text` open in the inbox. */
async function openConversation (t: Test, text: string, role: 'agent' | 'supervisor' = 'agent', config: Record<string, unknown> = {}) {
  const callback = await callbackReceiver(t)
  const hub = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }], config })
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

t.test('translation: the customer\'s Chinese shown in English, the reply sent in Chinese with what the agent wrote kept', async t => {
  const translator = new FakeLibreTranslate()
  await translator.listen()
  t.teardown(async () => { await translator.close() })
  const { callback, hub, pane, box } = await openConversation(t, '你好', 'agent', { translation: { url: translator.url, apiKey: translator.apiKey } })
  await pane.getByRole('button', { name: 'Translate' }).click()
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
})

t.test('translation without a service: the button says why it is off', async t => {
  const { pane } = await openConversation(t, 'hello')
  const button = pane.getByRole('button', { name: 'Translate' })
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
