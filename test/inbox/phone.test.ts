import { join } from 'node:path'
import t, { type Test } from 'tap'
import { API_SECRET, inboundBody, startTestHub } from '../helpers/hub.js'
import { callbackReceiver, eventually, launch, SHOTS, signIn } from './browser.js'

/** The inbox on a phone and at the desk, and installed as an app, in Chromium. */
const browser = await launch(t)

async function hubWithCustomer (t: Test) {
  const callback = await callbackReceiver(t)
  const h = await startTestHub(t, { channels: [{ id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: callback.url }] })
  const mia = await h.addAgent({ name: 'Mia', status: 'online' })
  await h.inbound(inboundBody({ from: { id: 'ann', name: 'Ann Lee' }, text: 'Hello! My order 1042 has not arrived yet, could you check where it is? Thanks a lot.' }))
  return { h, mia }
}

const noSideScroll = async (page: import('playwright-core').Page): Promise<boolean> => await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)

for (const [width, height] of [[360, 740], [390, 844]] as const) {
  t.test(`at ${width} px: the list, the conversation and the contact are stacked views with back links, nothing wider than the screen`, async t => {
    const { h, mia } = await hubWithCustomer(t)
    const context = await browser.newContext({ viewport: { width, height }, isMobile: true, hasTouch: true, locale: 'en-US' })
    t.teardown(async () => { await context.close() })
    const page = await context.newPage()
    await signIn(page, h.url, mia.token)
    const row = page.locator('.conv-row', { hasText: 'order 1042' })
    await row.waitFor()
    t.ok(await noSideScroll(page), 'the list fits')
    t.equal(await page.locator('.conversation-pane').isVisible(), false, 'one view at a time')
    await row.tap()
    const message = page.locator('article.msg.inbound', { hasText: 'order 1042' })
    await message.waitFor()
    t.equal(await page.locator('.list-pane').isVisible(), false, 'the conversation replaces the list')
    const box = (await message.boundingBox())!
    t.ok(box.width > width * 0.6, `the message is ${Math.round(box.width)} px wide, not a letter per line`)
    t.ok(await noSideScroll(page), 'the conversation fits')
    await page.getByRole('textbox', { name: /Write a reply/ }).waitFor()
    if (width === 390) await page.screenshot({ path: join(SHOTS, 'inbox-phone.png') })
    await page.getByRole('button', { name: 'Customer ›' }).tap()
    await page.locator('aside.contact-panel h2', { hasText: 'Ann Lee' }).waitFor()
    t.equal(await page.locator('.conversation-pane').isVisible(), false)
    t.ok(await noSideScroll(page), 'the contact fits')
    await page.getByRole('button', { name: '‹ Conversation' }).tap()
    await message.waitFor()
    await page.getByRole('button', { name: '‹ Conversations' }).tap()
    await row.waitFor()
    t.equal(await page.locator('.conversation-pane').isVisible(), false, 'back to the list')
    await page.getByRole('tab', { name: 'Reports' }).or(page.getByRole('button', { name: 'Reports' })).first().tap()
    await page.locator('main.reports').waitFor()
    t.ok(await noSideScroll(page), 'other pages fit too')
  })
}

t.test('at the desk: list, conversation and contact side by side', async t => {
  const { h, mia } = await hubWithCustomer(t)
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 }, locale: 'en-US' })
  t.teardown(async () => { await context.close() })
  const page = await context.newPage()
  await signIn(page, h.url, mia.token)
  await page.locator('.conv-row', { hasText: 'order 1042' }).click()
  await page.locator('article.msg.inbound', { hasText: 'order 1042' }).waitFor()
  for (const part of ['.list-pane', '.conversation-pane', 'aside.contact-panel']) t.ok(await page.locator(part).isVisible(), `${part} shown`)
  t.equal(await page.getByRole('button', { name: '‹ Conversations' }).isVisible(), false, 'no back links')
})

t.test('installable: a manifest with icons, a favicon, a service worker; the inbox opens without the network', async t => {
  const { h, mia } = await hubWithCustomer(t)
  const favicon = await fetch(`${h.url}/favicon.ico`)
  t.equal(favicon.status, 200, '/favicon.ico is no 404')
  t.equal(favicon.headers.get('content-type'), 'image/x-icon')
  t.same([...new Uint8Array(await favicon.arrayBuffer()).slice(0, 4)], [0, 0, 1, 0], 'an ICO')
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' })
  t.teardown(async () => { await context.close() })
  const page = await context.newPage()
  await signIn(page, h.url, mia.token)
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel=manifest]')!
    return await (await fetch(link.href)).json()
  })
  t.match(manifest, { name: 'Omnihub inbox', start_url: '/inbox/', display: 'standalone', icons: [{ sizes: '192x192', type: 'image/png' }, { sizes: '512x512' }, { type: 'image/svg+xml' }] })
  for (const icon of manifest.icons as Array<{ src: string, type: string }>) {
    const r = await fetch(`${h.url}/inbox/${icon.src}`)
    t.equal(r.status, 200, `${icon.src} is served`)
    t.equal(r.headers.get('content-type'), icon.type)
  }
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope)
  t.match(scope, /\/inbox\/$/, 'the service worker runs for the inbox')
  await eventually('the page controlled', async () => await page.evaluate(() => navigator.serviceWorker.controller !== null) || await page.reload().then(() => false))
  await context.setOffline(true)
  const offline = await page.reload()
  await page.locator('#app').locator('*').first().waitFor()
  t.equal(offline?.fromServiceWorker(), true, 'offline, the shell came from the service worker')
  await context.setOffline(false)
})
