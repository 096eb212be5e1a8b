import t, { type Test } from 'tap'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { VisitorClient } from '../helpers/visitor.js'
import { callbackReceiver, eventually, inboxPage, launch, signIn } from './browser.js'

/** Anti-harassment and store-entry welcomes in Chromium: a supervisor's Settings, the Spam view, blocking from the contact panel. */
const browser = await launch(t)

async function hub (t: Test) {
  const callback = await callbackReceiver(t)
  const h = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url, team: 'sales' }, { id: 'webchat', plugin: 'webchat', team: 'sales' }] })
  for (const [id, name] of [['sales', 'Sales'], ['care', 'Care']]) await h.hub.services.store.createTeam({ id: id!, name: name! }, new Date())
  const boss = await h.addAgent({ name: 'Bo Supervisor', role: 'supervisor', teams: ['sales'] })
  const mia = await h.addAgent({ name: 'Mia', teams: ['sales'], status: 'online' })
  return { h, boss, mia }
}

t.test('a supervisor keeps the team\'s spam rules; a spam message waits in the Spam view, out of the inbox, until restored', async t => {
  const { h, boss, mia } = await hub(t)
  const page = await inboxPage(t, browser)
  await signIn(page, h.url, boss.token)
  await page.getByRole('button', { name: 'Settings' }).click()
  t.equal(await page.getByRole('form', { name: /Spam rules of Every team/ }).count(), 0, 'the hub\'s rules are an admin\'s')
  const rules = page.getByRole('form', { name: 'Spam rules of Sales' })
  await rules.getByLabel('Phrases, one per line').fill('加微信\ncheap followers')
  await rules.getByLabel('Patterns, one per line').fill('(a+)+')
  await rules.getByRole('button', { name: 'Save' }).click()
  await page.locator('section[aria-labelledby="spam-rules-title"]').getByRole('alert').getByText(/repeats a repeated group/).waitFor()
  await rules.getByLabel('Patterns, one per line').fill('v\\s*x\\s*[:：]')
  await rules.getByRole('button', { name: 'Save' }).click()
  await page.locator('section[aria-labelledby="spam-rules-title"]').getByText('Saved.').waitFor()
  t.same((await boss.api('GET', '/rules')).body.teams.sales.spam, { phrases: ['加微信', 'cheap followers'], patterns: ['v\\s*x\\s*[:：]'] })

  await h.inbound(inboundBody({ from: { id: 'ann', name: 'Ann' }, text: 'Is the linen shirt in stock?' }))
  await h.inbound(inboundBody({ from: { id: 'spammer', name: 'Spammer' }, text: 'Buy cheap followers now' }))
  const agentPage = await inboxPage(t, browser)
  await signIn(agentPage, h.url, mia.token)
  t.equal(await agentPage.getByRole('button', { name: 'Settings' }).count(), 0, 'an agent has no Settings')
  await agentPage.locator('.conv-row', { hasText: 'Is the linen shirt in stock?' }).waitFor()
  t.equal(await agentPage.locator('.conv-row', { hasText: 'cheap followers' }).count(), 0, 'the spam is not in the list')
  await agentPage.getByRole('button', { name: 'Spam' }).click()
  const held = agentPage.locator('.held-list .held', { hasText: 'Buy cheap followers now' })
  await held.waitFor()
  t.match(await held.textContent(), /Spammer.*Matched cheap followers/)
  await held.getByRole('button', { name: 'Restore' }).click()
  await agentPage.getByText('Restored: it is in its conversation now.').waitFor()
  t.equal(await held.count(), 0, 'gone from the Spam view')
  await agentPage.getByRole('button', { name: 'Inbox' }).click()
  await agentPage.locator('.conv-row', { hasText: 'Buy cheap followers now' }).click()
  const pane = agentPage.locator('.conversation-pane')
  await pane.locator('details.held-note', { hasText: /Held as spam · cheap followers · .+ · restored by Mia/ }).waitFor()
  await pane.locator('article.msg.inbound', { hasText: 'Buy cheap followers now' }).waitFor()

  await agentPage.getByLabel('Language').selectOption('zh')
  await agentPage.getByRole('button', { name: '骚扰拦截' }).click()
  await agentPage.getByText('没有被拦截的消息。').waitFor()
})

t.test('an agent blocks a harasser from the contact panel: their next message is held; unblocking lets them through', async t => {
  const { h, mia } = await hub(t)
  await h.inbound(inboundBody({ from: { id: 'troll', name: 'Troll' }, text: 'hello there' }))
  const page = await inboxPage(t, browser)
  await signIn(page, h.url, mia.token)
  await page.locator('.conv-row', { hasText: 'hello there' }).click()
  const panel = page.locator('aside.contact-panel')
  await panel.getByRole('button', { name: 'Block contact' }).click()
  await panel.getByText(/Blocked by Mia/).waitFor()
  const conversationId = (await mia.api('GET', '/conversations')).body.items[0].id as string
  await h.inbound(inboundBody({ from: { id: 'troll', name: 'Troll' }, text: 'you are useless' }))
  await eventually('held', async () => (await mia.api('GET', '/spam')).body.items.length === 1)
  t.equal((await mia.api('GET', `/conversations/${conversationId}`)).body.unreadCount, 0, 'Mia read the first message; the held one is not unread')
  await page.getByRole('button', { name: 'Spam' }).click()
  await page.locator('.held-list .held', { hasText: 'you are useless' }).getByText('Contact blocked').waitFor()
  await page.goto(`${h.url}/inbox/#/c/${conversationId}`)
  await panel.getByRole('button', { name: 'Unblock' }).click()
  await panel.getByRole('button', { name: 'Block contact' }).waitFor()
  t.equal((await mia.api('GET', `/contacts/${(await mia.api('GET', `/conversations/${conversationId}`)).body.contactId}`)).body.blocked, null)
})

t.test('a supervisor edits the team\'s welcome groups and chooses the channel\'s; an agent sees which welcome a customer saw', async t => {
  const { h, boss, mia } = await hub(t)
  const page = await inboxPage(t, browser)
  await signIn(page, h.url, boss.token)
  await page.getByRole('button', { name: 'Settings' }).click()
  const groups = page.getByRole('form', { name: 'Welcome groups of Sales' })
  await groups.getByRole('button', { name: 'Add group' }).click()
  await groups.getByRole('button', { name: 'Add group' }).click()
  const [first, second] = [groups.locator('fieldset.welcome-group').nth(0), groups.locator('fieldset.welcome-group').nth(1)]
  await first.getByLabel('Group id').fill('everyday')
  await first.getByLabel('Name').fill('Every day')
  await first.getByLabel('Welcome', { exact: true }).fill('Welcome! How can we help?')
  await second.getByLabel('Group id').fill('spring-sale')
  await second.getByLabel('Name').fill('Spring sale')
  await second.getByLabel('Welcome', { exact: true }).fill('Spring sale: 30% off linen.')
  await second.getByLabel(/Questions to tap/).fill('Which sizes are left?\nIs shipping free?')
  await groups.getByRole('button', { name: 'Save' }).click()
  await page.locator('section[aria-labelledby="welcomes-title"]').getByText('Saved.').waitFor()
  t.match((await boss.api('GET', '/rules')).body.teams.sales.welcomes, [{ id: 'everyday', questions: [] }, { id: 'spring-sale', questions: ['Which sizes are left?', 'Is shipping free?'] }])
  await page.getByLabel('Welcome group of channel webchat').selectOption('spring-sale')
  await eventually('chosen', async () => (await boss.api('GET', '/rules')).body.channels.webchat?.welcomeGroup === 'spring-sale')

  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  v.send({ type: 'page', url: 'https://shop.example/', title: 'Shop' })
  t.match((await v.next(f => f.type === 'welcome')).welcome, { text: 'Spring sale: 30% off linen.' }, 'the channel\'s group')
  await v.say('Which sizes are left?', 'client-welcome-1', { payload: 'welcome' })

  const agentPage = await inboxPage(t, browser)
  await signIn(agentPage, h.url, mia.token)
  await agentPage.locator('.conv-row', { hasText: 'Which sizes are left?' }).click()
  await agentPage.locator('.conversation-pane .saw-welcome', { hasText: 'Saw the welcome: Spring sale: 30% off linen.' }).waitFor()
})
