import t from 'tap'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { scripted, scriptedChannel } from '../helpers/scripted-channel.js'
import { VisitorClient } from '../helpers/visitor.js'
import { callbackReceiver, eventually, inboxPage, launch, signIn } from './browser.js'

/** The reply box in Chromium: each channel's rules shown before typing, typing both ways, attachments, retries. */
const browser = await launch(t)
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')

t.test('the reply box follows each channel: tags, closed windows, typing, attachments, a failed reply retried', async t => {
  const callback = await callbackReceiver(t)
  scripted.reset()
  const hub = await startTestHub(t, {
    plugins: [scriptedChannel],
    channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }, { id: 'shop', plugin: 'scripted' }, { id: 'webchat', plugin: 'webchat' }]
  })
  const mia = await hub.addAgent({ name: 'Mia Chen', role: 'supervisor', status: 'online' })
  const page = await inboxPage(t, browser)
  await signIn(page, hub.url, mia.token)
  const pane = page.locator('.conversation-pane')
  const box = pane.getByRole('textbox', { name: /Write a reply/ })

  // Website chat: the visitor's typing shows; Mia's typing reaches the visitor; a picture goes with the reply.
  const visitor = await VisitorClient.connect(hub.url)
  await visitor.ready()
  visitor.send({ type: 'page', url: 'https://shop.example/', title: 'Linen & Co.', referrer: 'https://search.example/?q=linen' })
  visitor.send({ type: 'page', url: 'https://shop.example/p/linen-shirt', title: 'Linen shirt' })
  await visitor.say('Is the shirt linen?')
  await page.locator('.conv-row', { hasText: 'Is the shirt linen?' }).click()
  await pane.locator('.msg.inbound', { hasText: 'Is the shirt linen?' }).waitFor()
  const trail = page.locator('.contact-panel .trail li')
  t.same(await trail.locator('a').allTextContents(), ['Linen shirt', 'Linen & Co.'], 'the pages the visitor browsed, newest first')
  t.match(await page.locator('.contact-panel').textContent(), /First came from: https:\/\/search\.example\/\?q=linen/)
  visitor.send({ type: 'typing', on: true })
  await pane.getByText(/is typing…/).waitFor()
  await box.pressSequentially('Yes, ')
  t.match(await visitor.next(f => f.type === 'typing' && f.on === true), { on: true }, 'the visitor sees Mia typing')
  await pane.locator('input[type=file]').setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: PNG })
  await pane.locator('.pending-files li', { hasText: 'label.png' }).waitFor()
  await eventually('the upload', async () => (await pane.locator('.pending-files li').textContent())?.startsWith('label.png'))
  // Dropped on the conversation, and pasted into the box: both attach.
  const files = async (name: string) => await page.evaluateHandle(n => {
    const dt = new DataTransfer()
    dt.items.add(new File(['care: wash cold'], n, { type: 'text/plain' }))
    return dt
  }, name)
  await pane.dispatchEvent('dragover', { dataTransfer: await files('care.txt') })
  await pane.getByText('Drop files to attach them').waitFor()
  await pane.dispatchEvent('drop', { dataTransfer: await files('care.txt') })
  await box.evaluate((el, dt) => el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true })), await files('sizes.txt'))
  await eventually('three uploads', async () => (await pane.locator('.pending-files li').allTextContents()).map(x => x.replace('×', '')).join() === 'label.png,care.txt,sizes.txt')
  await box.pressSequentially('100% linen; here is the label.')
  await box.press('Enter')
  const frame = await visitor.next(f => f.type === 'message' && f.message?.text === 'Yes, 100% linen; here is the label.')
  t.match(frame.message.attachments, [{ kind: 'image', name: 'label.png', mimeType: 'image/png' }, { kind: 'file', name: 'care.txt' }, { kind: 'file', name: 'sizes.txt' }], 'picked, dropped and pasted files went with it')
  await pane.locator('.msg.outbound img.att-image').waitFor()
  t.match(await pane.locator('.msg.outbound img.att-image').getAttribute('src'), /\/files\/\w+\/label\.png\?exp=\d+&sig=/, 'shown by its signed link')

  // A channel that needs a message tag: the allowed tags and why, before anything is typed.
  scripted.verdict = { verdict: 'tag_required', code: 'outside_window', message: 'More than 24 hours since the customer wrote: a message tag is required.', tags: ['HUMAN_AGENT', 'POST_PURCHASE_UPDATE'] }
  const shop = await fetch(`${hub.url}/channels/shop/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({
    externalId: 's1', from: { externalId: 'cy', name: 'Cy Wang' }, text: 'Any update on my order?',
    cards: [{ kind: 'order', title: 'Order 1042', url: 'https://shop.example/orders/1042', fields: { Status: 'Shipped', Total: '¥398' } }]
  }) })
  t.equal(shop.status, 200)
  await page.locator('.conv-row', { hasText: 'Cy Wang' }).click()
  const card = pane.locator('.msg.inbound .card[data-kind="order"]')
  await card.waitFor()
  t.match(await card.textContent(), /orderOrder 1042StatusShippedTotal¥398/, 'an order card, shown as a card')
  t.equal(await card.getByRole('link', { name: 'Order 1042' }).getAttribute('href'), 'https://shop.example/orders/1042')
  const policy = pane.locator('.policy.tag')
  await policy.waitFor()
  t.match(await policy.textContent(), /a message tag is required/)
  t.same(await policy.getByRole('combobox').locator('option').allTextContents(), ['Choose a message tag', 'HUMAN_AGENT', 'POST_PURCHASE_UPDATE'])
  await box.fill('x'.repeat(60))
  t.equal(await pane.locator('.composer-actions .hint.error').textContent(), '60 / 50', 'longer than the channel takes: said, not cut')
  t.equal(await box.inputValue(), 'x'.repeat(60))
  await box.fill('Your parcel is at the depot.')
  t.equal(await pane.getByRole('button', { name: 'Send' }).isDisabled(), true, 'no send without a tag')
  await policy.getByRole('combobox').selectOption('HUMAN_AGENT')
  await box.press('Enter')
  await pane.locator('.msg.outbound', { hasText: 'Your parcel is at the depot.' }).locator('.tag-chip', { hasText: 'HUMAN_AGENT' }).waitFor()
  t.equal(scripted.sent.at(-1)?.message.tag, 'HUMAN_AGENT', 'sent with the tag')

  // Replies impossible: why, and how long ago the customer wrote; notes still work.
  scripted.verdict = { verdict: 'deny', code: 'window_closed', message: 'This marketplace allows replies within 48 hours only.' }
  await page.locator('.conv-row:has([data-channel="webchat"])').click()
  await page.locator('.conv-row', { hasText: 'Cy Wang' }).click()
  const deny = pane.locator('.policy.deny')
  await deny.waitFor()
  t.match(await deny.textContent(), /Replies cannot be sent here now\. This marketplace allows replies within 48 hours only\. The customer last wrote \d+ s ago\./)
  t.equal(await box.isDisabled(), true)
  await pane.getByRole('tab', { name: 'Note' }).click()
  t.equal(await pane.locator('.policy.deny').count(), 0, 'a note is not a reply')
  await pane.getByRole('tab', { name: 'Reply' }).click()

  // A reply the customer's system refused: failed, with the reason; retried, it goes.
  callback.refuse = true
  await hub.inbound(inboundBody({ from: { id: 'dee', name: 'Dee' }, text: 'Refund please' }))
  await page.locator('.conv-row', { hasText: 'Dee' }).click()
  await box.fill('Refund issued.')
  await box.press('Enter')
  const failed = pane.locator('.msg.outbound', { hasText: 'Refund issued.' })
  await failed.locator('[data-status="failed"]').waitFor()
  t.match(await failed.locator('.fail-reason').textContent(), /refused the message with 400/)
  callback.refuse = false
  await failed.getByRole('button', { name: 'Retry' }).click()
  await failed.locator('[data-status="sent"]').waitFor()
  t.same(callback.received.map(r => r.text), ['Refund issued.'], 'delivered once')

  // Closed, it leaves the open list; reopened from the Closed view, it comes back.
  await pane.getByRole('button', { name: 'Close' }).click()
  await page.locator('.conv-row', { hasText: 'Dee' }).waitFor({ state: 'detached' })
  await page.locator('.view[data-view="closed"]').click()
  await page.locator('.conv-row', { hasText: 'Dee' }).click()
  await pane.getByRole('button', { name: 'Reopen' }).click()
  await page.locator('.conv-row', { hasText: 'Dee' }).waitFor({ state: 'detached' })
  await page.locator('.view[data-view="all"]').click()
  await page.locator('.conv-row', { hasText: 'Dee' }).waitFor()
})
