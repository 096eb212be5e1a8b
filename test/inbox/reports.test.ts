import t, { type Test } from 'tap'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { callbackReceiver, inboxPage, launch, SHOTS, signIn } from './browser.js'
import { join } from 'node:path'

/** The Reports page in Chromium: a supervisor's figures, charts, tables and CSV, in English and Chinese; an agent's own. */
const browser = await launch(t)

async function traffic (t: Test) {
  const callback = await callbackReceiver(t)
  const hub = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }] })
  const boss = await hub.addAgent({ name: 'Bo Supervisor', role: 'supervisor' })
  const mia = await hub.addAgent({ name: 'Mia Chen', status: 'online' })
  for (const customer of ['ann', 'ben', 'cai']) {
    const { conversationId } = await (await hub.inbound(inboundBody({ from: { id: customer, name: customer }, text: `hello from ${customer}` }))).json() as { conversationId: string }
    if (customer !== 'cai') await mia.api('POST', `/conversations/${conversationId}/messages`, { text: `Hi ${customer}` })
  }
  return { hub, boss, mia }
}

t.test('a supervisor reads the team\'s figures, charts and tables, downloads a table as CSV, and reads it all in Chinese', async t => {
  const { hub, boss, mia } = await traffic(t)
  const page = await inboxPage(t, browser)
  await signIn(page, hub.url, boss.token)
  await page.getByRole('button', { name: 'Reports' }).click()
  const reports = page.locator('main.reports')
  await reports.locator('[data-figure="customerMessages"] dd', { hasText: '3' }).waitFor()
  t.equal(await reports.locator('[data-figure="replies"] dd').textContent(), '2')
  t.match(await reports.locator('[data-figure="responseRate"] dd').textContent(), /^66\.7%$/, 'two of three customers answered within 3 minutes')
  t.match(await reports.locator('input[name="from"]').inputValue(), /^\d{4}-\d{2}-\d{2}$/, 'the hub\'s default range shows in the date fields')
  t.ok(await reports.locator('[data-chart="volumes"] rect').count() >= 2, 'volumes drawn as bars')
  t.equal(await reports.locator('[data-chart="times"] polyline').count(), 2, 'times drawn as lines')
  t.ok(await reports.locator('[data-chart="times"] circle').count() >= 1, 'with a point per period')
  t.match(await reports.locator(`[data-chart="rate"] [data-agent="${mia.agent.id}"]`).textContent(), /Mia Chen.*100%/)
  t.ok(await reports.locator('[data-chart="first-response"] rect').count() >= 1, 'the distribution of first responses')
  t.match(await reports.locator('table.agents tbody tr').first().textContent(), /Mia Chen/)
  t.equal(await reports.locator('table.first-response tbody tr').count(), 8, 'every bucket in the table behind the chart')
  await page.screenshot({ path: join(SHOTS, 'reports.png'), fullPage: true })

  const downloading = page.waitForEvent('download')
  await reports.locator('button.csv[data-table="agents"]').click()
  const file = await downloading
  t.match(file.suggestedFilename(), /^omnihub-agents-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/)
  const { readFile } = await import('node:fs/promises')
  t.match(await readFile((await file.path())!, 'utf8'), /^agentId,agentName,opened,/)

  await reports.locator('select[name="agent"]').selectOption({ label: 'Mia Chen' })
  await reports.locator('[data-figure="customerMessages"] dd', { hasText: '0' }).waitFor()
  t.equal(await reports.locator('[data-figure="replies"] dd').textContent(), '2', 'cut by agent')

  await page.getByLabel('Language').selectOption('zh')
  await page.getByRole('button', { name: '数据报表' }).waitFor()
  await reports.getByText('各客服响应率').waitFor()
  t.equal(await reports.locator('[data-figure="responseRate"] dt').textContent(), '响应率')
  t.ok(await reports.getByRole('button', { name: '下载 CSV' }).count() >= 3)
})

t.test('an agent sees their own figures only, with no team or agent to choose', async t => {
  const { hub, mia } = await traffic(t)
  const page = await inboxPage(t, browser)
  await signIn(page, hub.url, mia.token)
  await page.getByRole('button', { name: 'Reports' }).click()
  const reports = page.locator('main.reports')
  await reports.locator('[data-figure="replies"] dd', { hasText: '2' }).waitFor()
  await reports.getByText('Your own figures').waitFor()
  t.equal(await reports.locator('select[name="agent"]').count(), 0)
  t.equal(await reports.locator('select[name="team"]').count(), 0)
  t.equal(await reports.locator('[data-figure="customerMessages"] dd').textContent(), '0', 'customers\' messages are nobody\'s own')
  t.same(await reports.locator('table.agents tbody tr td:first-child').allTextContents(), ['Mia Chen'])
})
