import t from 'tap'
import { FakeCloud } from '../fakes/whatsapp.js'
import { startTestHub } from '../helpers/hub.js'
import { until } from '../queue.contract.js'
import { inboxPage, launch, signIn } from './browser.js'

/** WhatsApp in the inbox, in Chromium: outside the 24-hour window the reply box offers the approved templates. */
const browser = await launch(t)
const cloud = await FakeCloud.start(t, ['wa-token'])
cloud.templates = [
  { name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.', example: { body_text: [['Ann', '#1042']] } }] },
  { name: 'spring_sale', language: 'en_US', status: 'APPROVED', category: 'MARKETING', components: [{ type: 'BODY', text: 'Our spring sale starts today.' }] }
]

t.test('a template is chosen, filled in, previewed as the customer reads it, and sent', async t => {
  let now = Date.now()
  const hub = await startTestHub(t, { clock: () => new Date(now), channels: [{ id: 'wa', plugin: 'whatsapp', phoneNumberId: '1065', wabaId: '1022', accessToken: 'wa-token', appSecret: 'wa-secret-123', verifyToken: 'v', graphBaseUrl: cloud.url }] })
  const mia = await hub.addAgent({ name: 'Mia Chen', status: 'online' })
  const body = { object: 'whatsapp_business_account', entry: [{ id: '1022', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '1065' }, contacts: [{ wa_id: '16505551234', profile: { name: 'Ann Lee' } }], messages: [{ from: '16505551234', id: 'wamid.1', timestamp: String(Math.floor(now / 1000)), type: 'text', text: { body: 'Where is my order?' } }] } }] }] }
  t.equal((await FakeCloud.deliver(`${hub.url}/channels/wa/webhook`, 'wa-secret-123', body)).status, 200)
  now += 26 * 3_600_000
  const page = await inboxPage(t, browser)
  await signIn(page, hub.url, mia.token)
  await page.locator('.conv-row', { hasText: 'Where is my order?' }).click()
  const pane = page.locator('.conversation-pane')
  const refusal = pane.locator('.policy.deny[data-code=template_required]')
  await refusal.waitFor()
  t.match(await refusal.textContent(), /only an approved template/)
  const picker = refusal.getByRole('group', { name: 'Template' })
  t.same(await picker.locator('option').allTextContents(), ['order_update · en_US · UTILITY', 'spring_sale · en_US · MARKETING'])
  await picker.getByLabel('{{1}} e.g. Ann').fill('Ann')
  t.equal(await picker.locator('.preview').textContent(), 'Hi Ann, your order {{2}} has shipped.', 'the preview shows what is still missing')
  await picker.getByRole('button', { name: 'Send template' }).click()
  await picker.getByRole('alert').waitFor()
  t.match(await picker.getByRole('alert').textContent(), /needs a value for parameter \{\{2\}\}/, 'a missing parameter is named')
  await picker.getByLabel('{{2}} e.g. #1042').fill('#1042')
  t.equal(await picker.locator('.preview').textContent(), 'Hi Ann, your order #1042 has shipped.')
  await picker.getByRole('button', { name: 'Send template' }).click()
  await pane.locator('.msg.outbound', { hasText: 'Hi Ann, your order #1042 has shipped.' }).waitFor()
  await until(async () => cloud.sends.some(c => c.body.template?.name === 'order_update'), 10_000, 'sent as a template')
})
