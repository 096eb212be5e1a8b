import { join } from 'node:path'
import t from 'tap'
import { createSignInCode } from '../../core/agents/sign-in.js'
import { inboundBody, startTestHub } from '../helpers/hub.js'
import { eventually, inboxPage, launch, SHOTS, signIn } from './browser.js'

/** Signing in and out, the agent's language, their status, and the supervisor's view, in Chromium. */
const browser = await launch(t)

t.test('a one-time link signs in once; the language is kept per agent; sign-out forgets the token', async t => {
  const hub = await startTestHub(t)
  const admin = await hub.addAgent({ name: 'Wu Fang', role: 'admin' })
  const code = await createSignInCode(hub.hub.services.store, admin.agent.id, new Date())
  const page = await inboxPage(t, browser)
  await page.goto(`${hub.url}/inbox/#code=${code}`)
  await page.locator('.who', { hasText: 'Wu Fang' }).waitFor()
  t.equal(new URL(page.url()).hash, '', 'the code leaves the address bar')
  t.equal((await hub.api('GET', '/agents/me', undefined, admin.token)).status, 401, 'the link issued a new token')
  await page.locator('.my-status.status-online').waitFor()
  t.equal((await hub.hub.services.store.getAgent(admin.agent.id))?.status, 'online', 'signing in starts the working day')

  // The same link in another browser: refused with the reason.
  const other = await inboxPage(t, browser)
  await other.goto(`${hub.url}/inbox/#code=${code}`)
  await other.getByRole('alert').filter({ hasText: 'already used' }).waitFor()
  t.ok(await other.getByLabel('Agent API token').isVisible(), 'back to the sign-in form')

  // Status from the header.
  await page.getByRole('combobox', { name: 'My status' }).selectOption('busy')
  await page.locator('.my-status.status-busy').waitFor()
  const me = (await hub.hub.services.store.getAgent(admin.agent.id))!
  t.equal(me.status, 'busy', 'the hub knows')

  // 中文, kept on the agent: a reload (same tab session) stays in Chinese.
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh')
  await page.getByRole('button', { name: '退出登录' }).waitFor()
  t.equal((await hub.hub.services.store.getAgent(admin.agent.id))?.locale, 'zh')
  await page.reload()
  await page.locator('.view[data-view="waiting"]', { hasText: '排队中' }).waitFor()
  t.equal(await page.getByRole('searchbox').getAttribute('placeholder'), '搜索姓名、邮箱或消息…')
  t.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')

  await page.getByRole('button', { name: '退出登录' }).click()
  await page.getByRole('button', { name: '登录' }).waitFor()
  t.equal(await page.evaluate(() => sessionStorage.length), 0, 'no token left in the tab')
})

t.test('a wrong token is refused with the reason; an agent sees no supervisor view', async t => {
  const hub = await startTestHub(t)
  const page = await inboxPage(t, browser)
  await page.goto(`${hub.url}/inbox/`)
  await page.getByLabel('Agent API token').fill('oh_not-a-token')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('alert').filter({ hasText: "Send an agent's API token" }).waitFor()
  await signIn(page, hub.url, hub.token)
  t.equal(await page.getByRole('button', { name: 'Supervisor' }).count(), 0)
})

t.test('supervisor view: who waits and why, agents with status and load, the status log', async t => {
  const hub = await startTestHub(t)
  const store = hub.hub.services.store
  await store.createTeam({ id: 'presales', name: 'Pre-sales' }, new Date())
  const boss = await hub.addAgent({ name: 'Mia Chen', role: 'supervisor', teams: ['presales'], status: 'busy' })
  const liWei = await hub.addAgent({ name: 'Li Wei', teams: ['presales'], capacity: 1, status: 'online' })
  await hub.addAgent({ name: 'Wu Fang', teams: ['presales'], status: 'busy' })
  for (const [id, name] of [['ann', 'Ann Lee'], ['bo', 'Bo Zhang'], ['cy', 'Cy Wang']] as const) {
    await hub.inbound(inboundBody({ from: { id, name } }))
  }
  const page = await inboxPage(t, browser)
  await signIn(page, hub.url, boss.token)
  await page.getByRole('button', { name: 'Supervisor' }).click()
  const queue = page.locator('table.queue tbody tr')
  await queue.nth(1).waitFor()
  t.equal(await queue.count(), 2, 'Li took one; two wait')
  t.match(await queue.nth(0).textContent(), /^1Bo Zhang.*Everyone is at capacity\d+ s$/)
  const li = page.locator('table.agents tr', { hasText: 'Li Wei' })
  const liStatus = li.getByRole('combobox', { name: 'Status of Li Wei' })
  t.equal(await liStatus.inputValue(), 'online', 'her status, which Mia may set')
  t.match(await li.textContent(), /1 \/ 1/, 'and her load')
  t.ok(await page.locator('table.log tr', { hasText: 'Li Wei' }).count() >= 1, 'the status log names who went online')

  // Live: Li goes offline and hands her conversation back; the view follows without a reload.
  await liWei.api('PUT', '/agents/me/status', { status: 'offline' })
  await eventually('Li shown offline', async () => await liStatus.inputValue() === 'offline')
  await queue.nth(2).waitFor()
  t.equal(await queue.count(), 3, 'her conversation waits again')
  await page.screenshot({ path: join(SHOTS, 'supervisor.png') })
})
