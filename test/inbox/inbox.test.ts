import { join } from 'node:path'
import t from 'tap'
import { scripted, scriptedChannel } from '../helpers/scripted-channel.js'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { callbackReceiver, eventually, inboxPage, launch, SHOTS, signIn } from './browser.js'

/**
 * The agents' inbox in Debian's Chromium, against a real hub: what arrives shows up live, replies
 * go out and report their status, guards refuse in place, filters and transfers move rows.
 */
const browser = await launch(t)

t.test('sign in, see a message arrive live, reply, be refused in place, filter, search and transfer', async t => {
  const callback = await callbackReceiver(t)
  scripted.reset()
  const hub = await startTestHub(t, {
    plugins: [scriptedChannel],
    channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }, { id: 'shop', plugin: 'scripted' }],
    config: { guards: { bannedWords: ['freebie'] } }
  })
  const mia = await hub.addAgent({ name: 'Mia Chen', role: 'supervisor', status: 'online' })
  const li = await hub.addAgent({ name: 'Li Wei', status: 'busy' })
  // An earlier customer, already in the list.
  await hub.inbound(inboundBody({ from: { id: 'bo', name: 'Bo Zhang', email: 'bo@example.com' }, text: 'Do you ship to Hangzhou?' }))

  const page = await inboxPage(t, browser)
  await signIn(page, hub.url, mia.token)
  t.equal(await page.locator('.who').textContent(), 'Mia Chen')
  const rows = page.locator('.conv-row')
  await rows.filter({ hasText: 'Bo Zhang' }).waitFor()

  // A new message through the api channel: routed to Mia (the only one online), shown without a reload.
  await hub.inbound(inboundBody({ from: { id: 'ann', name: 'Ann Lee', email: 'ann@example.com', phone: '+86 138 0000 0000' }, text: 'Where is my parcel? Order 1042.' }))
  const ann = rows.filter({ hasText: 'Ann Lee' })
  await ann.waitFor()
  t.match(await ann.textContent(), /Where is my parcel/, 'the row previews the message')
  t.equal(await ann.locator('.badge').textContent(), '1', 'one unread')
  t.equal(await ann.locator('.channel-icon').getAttribute('data-channel'), 'api', 'the channel shown by icon')

  await ann.click()
  const pane = page.locator('.conversation-pane')
  await pane.locator('.msg.inbound', { hasText: 'Where is my parcel?' }).waitFor()
  await page.locator('.contact-panel', { hasText: 'ann@example.com' }).waitFor()
  t.match(await page.locator('.contact-panel .identities').textContent(), /api\s*ann/, "the contact's identity on the channel")
  await ann.locator('.badge').waitFor({ state: 'detached' })

  // Reply with Enter; it shows pending, then sent once the callback took it.
  const box = pane.getByRole('textbox', { name: /Write a reply/ })
  await box.fill('It left our warehouse today.')
  await box.press('Shift+Enter')
  await box.pressSequentially('Tracking follows.')
  await box.press('Enter')
  const mine = pane.locator('.msg.outbound', { hasText: 'It left our warehouse today.' })
  await mine.locator('[data-status="sent"]').waitFor()
  t.equal(callback.received.at(-1).text, 'It left our warehouse today.\nTracking follows.', 'Shift+Enter made a new line, Enter sent')
  t.equal(await box.inputValue(), '', 'the box is cleared')

  // A banned word: refused, the word marked where it stands in the draft, nothing sent.
  await box.fill('Here is a Freebie for your trouble')
  await box.press('Enter')
  await pane.getByRole('alert').filter({ hasText: 'remove the highlighted words' }).waitFor()
  t.equal(await pane.locator('.compose-field .highlights mark').textContent(), 'Freebie', 'marked in place')
  t.equal(await box.inputValue(), 'Here is a Freebie for your trouble', 'the draft is kept for editing')
  t.equal(callback.received.length, 1, 'nothing went out')
  await box.fill('Here is a coupon for your trouble')
  t.equal(await pane.locator('.compose-field .highlights mark').count(), 0, 'the mark goes when the word does')

  // An internal note looks different from replies.
  await pane.getByRole('tab', { name: 'Note' }).click()
  await pane.getByRole('textbox', { name: /internal note/ }).fill('VIP: ordered 12 times')
  await pane.getByRole('textbox', { name: /internal note/ }).press('Enter')
  await pane.locator('.msg.note', { hasText: 'VIP: ordered 12 times' }).waitFor()
  t.equal(callback.received.length, 1, 'notes never reach the customer')
  await pane.getByRole('tab', { name: 'Reply' }).click()

  // Tags on the conversation, and on the contact with notes.
  await pane.locator('.actions').getByRole('textbox', { name: 'Tags' }).fill('vip')
  await pane.locator('.actions').getByRole('textbox', { name: 'Tags' }).press('Enter')
  await pane.locator('.actions .tag-chip', { hasText: 'vip' }).waitFor()
  const panel = page.locator('.contact-panel')
  await panel.getByRole('textbox', { name: 'Tags' }).fill('repeat buyer')
  await panel.getByRole('textbox', { name: 'Tags' }).press('Enter')
  await panel.locator('.tag-chip', { hasText: 'repeat buyer' }).waitFor()
  await panel.locator('.notes textarea').fill('Prefers SF Express')
  await panel.locator('.notes textarea').blur()
  await panel.getByText('Saved').waitFor()
  const contactId = (await hub.api('GET', '/conversations?status=open')).body.items.find((c: any) => c.contact.name === 'Ann Lee').contactId
  t.match((await hub.api('GET', `/contacts/${contactId}`)).body, { tags: ['repeat buyer'], notes: 'Prefers SF Express' }, 'edits are stored')

  await page.screenshot({ path: join(SHOTS, 'inbox.png') })

  // Filters and search over every open conversation.
  await hub.inbound({ messageId: 'shop-1', from: { id: 'cy', name: 'Cy Wang' }, text: 'Is the blue one in stock?' }, { channelId: 'shop' }).catch(() => {})
  await page.locator('.view[data-view="all"]').click()
  await rows.filter({ hasText: 'Bo Zhang' }).waitFor()
  const names = async (): Promise<string[]> => await page.locator('.conv-row .conv-name').allTextContents()
  const search = page.getByRole('searchbox')
  await search.fill('parcel')
  t.ok(await eventually('search finds message text', async () => (await names()).join() === 'Ann Lee'), 'search finds message text')
  await search.fill('bo@example')
  t.ok(await eventually('search finds the email', async () => (await names()).join() === 'Bo Zhang'), 'search finds the email')
  await search.fill('no such words')
  await page.getByText('No conversations here.').waitFor()
  await search.fill('')
  t.ok(await eventually('the list', async () => (await names()).length === 2), 'the list')
  await page.getByRole('combobox', { name: 'Channel' }).selectOption('api')
  await page.getByRole('textbox', { name: 'Tag', exact: true }).fill('vip')
  await page.getByRole('textbox', { name: 'Tag', exact: true }).press('Enter')
  t.ok(await eventually('tag filter', async () => (await names()).join() === 'Ann Lee'), 'tag filter')
  await page.getByRole('textbox', { name: 'Tag', exact: true }).fill('')
  await page.getByRole('textbox', { name: 'Tag', exact: true }).press('Enter')
  await page.getByLabel('Unread only').check()
  t.ok(await eventually('only the one not yet read', async () => (await names()).join() === 'Bo Zhang'), 'only the one not yet read')
  await page.getByLabel('Unread only').uncheck()

  // Transfer Ann's conversation to Li with a note: it leaves "Mine".
  await page.locator('.view[data-view="mine"]').click()
  await ann.click()
  await pane.getByRole('button', { name: 'Transfer' }).click()
  const dialog = pane.locator('form.dialog')
  await dialog.getByLabel('To an agent').selectOption({ label: 'Li Wei · Busy' })
  await dialog.getByLabel(/Note for the next agent/).fill('Wants tracking by SMS')
  await dialog.getByRole('button', { name: 'Transfer' }).click()
  await ann.waitFor({ state: 'detached' })
  const moved = (await li.api('GET', '/conversations?assignee=me')).body.items
  t.same(moved.map((c: any) => c.contact.name), ['Ann Lee'], 'Li has it now')
  t.match((await li.api('GET', `/conversations/${moved[0].id}/messages`)).body.items.at(-1), { direction: 'note', text: 'Wants tracking by SMS' })
})

