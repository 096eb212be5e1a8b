import t from 'tap'
import { startTestHub } from '../helpers/hub.js'
import { inboxPage, launch, signIn } from './browser.js'
import { seedConversations } from '../../bench/seed.js'

/**
 * 5,000 conversations: the list renders only what is on screen, pages in the rest as the agent
 * scrolls, and any of them opens. Times are printed, not asserted (bench/inbox.ts measures them).
 */
const browser = await launch(t)
const N = 5000
const ROW_HEIGHT = 68

t.test(`the inbox with ${N} conversations stays small in the page and reaches every one`, async t => {
  const hub = await startTestHub(t)
  const admin = await hub.addAgent({ name: 'Admin', role: 'admin' })
  await seedConversations(hub.hub.services.store, N, 3)
  const page = await inboxPage(t, browser)
  const started = Date.now()
  await signIn(page, hub.url, admin.token)
  await page.locator('.view[data-view="all"]').click()
  await page.locator('.view[data-view="all"] .count', { hasText: String(N) }).waitFor()
  const firstRender = Date.now() - started
  const rendered = async (): Promise<number> => await page.locator('.conv-row').count()
  t.ok(await rendered() <= 40, `only the visible rows are in the page (${await rendered()})`)

  // Scroll to the end: pages of 100 come in as needed, rows stay few.
  const list = page.locator('.conv-list')
  let most = 0
  for (let i = 0; i < 200; i++) {
    await page.locator('.scroller').evaluate(el => { el.scrollTop = el.scrollHeight })
    most = Math.max(most, await rendered())
    if (await list.evaluate((el, h) => el.style.height === `${h}px`, N * ROW_HEIGHT)) break
    await page.waitForTimeout(50)
  }
  t.equal(await list.evaluate(el => el.style.height), `${N * ROW_HEIGHT}px`, `all ${N} are in the list`)
  t.ok(most <= 40, `at most ${most} rows were ever rendered`)

  // The oldest conversation, at the bottom, opens with its history.
  const oldest = page.locator('.conv-row').last()
  const name = await oldest.locator('.conv-name').textContent()
  const clicked = Date.now()
  await oldest.click()
  await page.locator('.conversation-pane .msg.inbound').nth(2).waitFor()
  const open = Date.now() - clicked
  t.equal(await page.locator('.contact-panel h2').textContent(), name)
  t.comment(`first render (sign-in to counted list) ${firstRender} ms; open a conversation ${open} ms`)
})
