import { join } from 'node:path'
import t from 'tap'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { callbackReceiver, eventually, inboxPage, launch, SHOTS, signIn } from './browser.js'

/** Quick phrases in the reply box, in Chromium: `/` + code, keywords in Chinese, the picker, media attached. */
const browser = await launch(t)
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')

t.test('/hi completes with the customer\'s name; 退货怎么办 finds the returns phrase; the picker attaches its images', async t => {
  const callback = await callbackReceiver(t)
  const hub = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }] })
  const mia = await hub.addAgent({ name: 'Mia Chen', status: 'online' })
  await mia.api('POST', '/phrases', { code: 'hi', title: 'Hello', text: 'Hi {contact.name}, this is {agent.name}.' })
  await mia.api('POST', '/phrases', { code: 'returns', title: '退货流程', text: '您好，退货请在订单页点击"申请退货"。' })
  const upload = await fetch(`${hub.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${mia.token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'size-chart.png', 'x-file-type': 'image/png' }, body: PNG })
  const { attachment } = await upload.json() as { attachment: unknown }
  await mia.api('POST', '/phrases', { code: 'sizes', title: 'Size chart', text: 'Here is our size chart.', attachments: [attachment] })
  await hub.inbound(inboundBody({ from: { id: 'ann-1', name: 'Ann Lee' }, text: 'hello there' }))

  const page = await inboxPage(t, browser)
  await signIn(page, hub.url, mia.token)
  await page.locator('.conv-row', { hasText: 'hello there' }).click()
  const pane = page.locator('.conversation-pane')
  const box = pane.getByRole('textbox', { name: /Write a reply/ })
  const menu = pane.getByRole('listbox', { name: 'Quick phrases' })

  await box.pressSequentially('/h')
  await menu.getByRole('option', { name: /\/hi/ }).waitFor()
  t.match(await menu.getByRole('option').first().textContent(), /Hi Ann Lee, this is Mia Chen\./, 'shown as it will go')
  await box.press('Enter')
  t.equal(await box.inputValue(), 'Hi Ann Lee, this is Mia Chen.', 'Enter picks the phrase, not sends')
  t.equal(await menu.count(), 0, 'the menu closes')
  await box.press('Enter')
  await eventually('the phrase at the callback', async () => callback.received.some(r => r.text === 'Hi Ann Lee, this is Mia Chen.'))

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

  await box.pressSequentially('/nothing-like-this')
  await menu.getByText('No phrase matches.').waitFor()
  await box.press('Escape')
  t.equal(await menu.count(), 0, 'Escape closes it, keeping the text')
  t.equal(await box.inputValue(), '/nothing-like-this')
})
