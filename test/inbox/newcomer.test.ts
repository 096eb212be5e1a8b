import t from 'tap'
import { hashToken, newAgentToken } from '../../core/agents/tokens.js'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { callbackReceiver, eventually, inboxPage, launch, signIn } from './browser.js'

/** What a new agent tripped on, each fixed and seen in Chromium. */
const browser = await launch(t)

t.test('the list names who wrote the last reply; banned words are marked while typing; a rating tap is the customer\'s', async t => {
  const callback = await callbackReceiver(t)
  const h = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }], config: { guards: { bannedWords: ['coupon'] } } })
  const mia = await h.addAgent({ name: 'Mia', status: 'online' })
  const bo = await h.addAgent({ name: 'Bo Li', status: 'online' })
  const first = await (await h.inbound(inboundBody({ from: { id: 'ann', name: 'Ann' }, text: 'Where is my order?' }))).json() as { conversationId: string }
  const second = await (await h.inbound(inboundBody({ from: { id: 'kim', name: 'Kim' }, text: 'Do you ship abroad?' }))).json() as { conversationId: string }
  await bo.api('POST', `/conversations/${first.conversationId}/assign`, {})
  t.match(await bo.api('POST', `/conversations/${first.conversationId}/messages`, { text: 'It left this morning.' }), { status: 202 })
  await mia.api('POST', `/conversations/${second.conversationId}/assign`, {})
  await mia.api('POST', `/conversations/${second.conversationId}/messages`, { text: 'Yes, to 40 countries.' })
  await mia.api('POST', `/conversations/${second.conversationId}/rating-invitation`, {})
  await h.inbound(inboundBody({ from: { id: 'kim', name: 'Kim' }, text: '5', payload: `rating:${second.conversationId}:5` }))

  const page = await inboxPage(t, browser)
  await signIn(page, h.url, mia.token)
  await page.locator('.conv-row', { hasText: 'Bo Li: It left this morning.' }).waitFor()
  t.equal(await page.locator('.conv-row', { hasText: 'You: It left this morning.' }).count(), 0, 'a colleague\'s reply is not "You"')

  await page.locator(`.conv-row[data-id="${second.conversationId}"]`).click()
  const pane = page.locator('.conversation-pane')
  const tap = pane.locator('article.msg', { has: page.locator('.tag-chip.automated', { hasText: /^Rating$/ }) })
  await tap.waitFor()
  t.match(await tap.locator('.author').textContent(), /^Kim$/, 'the tap is Kim\'s, not "Internal note · Bot"')

  const box = pane.getByRole('textbox', { name: /Write a reply/ })
  await box.pressSequentially('Use this Coupon')
  await pane.locator('.highlights mark', { hasText: 'Coupon' }).waitFor()
  t.same(await pane.locator('.banned-list li').allTextContents(), ['coupon'], 'marked before any send')
  await box.fill('Use this code')
  await eventually('the mark goes when the word does', async () => (await pane.locator('.highlights mark').count()) === 0)
})

t.test('the hub\'s own first admin is asked for a name at the first sign-in; /demo points to the inbox', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat' }] })
  const token = newAgentToken()
  const admin = await h.hub.services.store.ensureAgentWithToken({ name: 'Admin', email: 'admin@omnihub.local', role: 'admin', teams: [], tokenHash: hashToken(token) }, new Date())
  const page = await inboxPage(t, browser)
  await signIn(page, h.url, token)
  const dialog = page.getByRole('form', { name: 'Your name' })
  await dialog.getByLabel('Name').fill('Lin Wei')
  await dialog.getByRole('button', { name: 'Save' }).click()
  await page.locator('header.top .who', { hasText: 'Lin Wei' }).waitFor()
  t.equal((await h.hub.services.store.getAgent(admin.id))?.name, 'Lin Wei', 'customers will read "Lin Wei joined the conversation"')
  await page.reload()
  await page.locator('header.top .who', { hasText: 'Lin Wei' }).waitFor()
  t.equal(await page.getByRole('form', { name: 'Your name' }).count(), 0, 'asked once')

  await page.goto(`${h.url}/demo`)
  const link = page.getByRole('link', { name: 'the inbox' })
  t.equal(await link.getAttribute('href'), '/inbox/')
  t.notMatch(await page.locator('.note').textContent(), /through the hub's API/, 'agents answer in the inbox; programs use the API')
})
