import t from 'tap'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { callbackReceiver, eventually, inboxPage, launch, signIn } from './browser.js'

/** The live monitor on the Supervisor page in Chromium: load, last reply, the longest wait, and the sign-in log. */
const browser = await launch(t)

t.test('a supervisor watches agents\' load, last reply and longest waiting customer live, and reads the sign-in log beside the status log', async t => {
  const callback = await callbackReceiver(t)
  const hub = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }] })
  await hub.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date())
  const boss = await hub.addAgent({ name: 'Bo Supervisor', role: 'supervisor', teams: ['sales'] })
  const mia = await hub.addAgent({ name: 'Mia Chen', status: 'online', teams: ['sales'] })
  const { conversationId } = await (await hub.inbound(inboundBody({ from: { id: 'ann', name: 'Ann' }, text: 'is anyone there?' }))).json() as { conversationId: string }
  await eventually('Mia has it', async () => (await hub.hub.services.store.getConversation(conversationId))?.assigneeId === mia.agent.id)

  const page = await inboxPage(t, browser)
  await signIn(page, hub.url, boss.token)
  await page.getByRole('button', { name: 'Supervisor' }).click()
  const row = page.locator(`table.agents tr[data-id="${mia.agent.id}"]`)
  await row.locator('td.load', { hasText: '1 / 5' }).waitFor()
  t.equal(await row.locator('td.last-reply').textContent(), '—', 'no reply yet')
  t.match(await row.locator('td.longest-wait a').getAttribute('href'), `#/c/${conversationId}`, 'the customer waiting longest, a click away')

  await mia.api('POST', `/conversations/${conversationId}/messages`, { text: 'Yes, Mia here!' })
  await row.locator('td.last-reply', { hasText: /ago$/ }).waitFor()
  await row.locator('td.longest-wait', { hasText: '—' }).waitFor()

  const sessions = page.locator('table.sessions')
  await sessions.locator('tr', { hasText: 'Signed in with a token' }).filter({ hasText: 'Bo Supervisor' }).waitFor()
  t.match(await sessions.locator('tr').nth(1).textContent(), /127\.0\.0\.1 · Mozilla/, 'the address and browser it came from')

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByLabel('Agent API token').waitFor()
  const log = await eventually('the sign-out logged', async () => {
    const items = (await boss.api('GET', '/agents/sign-in-log')).body.items
    return items[0]?.event === 'sign_out' ? items : undefined
  })
  t.match(log[0], { agentId: boss.agent.id, event: 'sign_out' })
  t.equal((await hub.hub.services.store.getAgent(boss.agent.id))?.status, 'offline')
})
