import { createServer } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { Test } from 'tap'

/** Where screenshots go: OMNIHUB_SCREENSHOTS=docs/screenshots refreshes the README's. */
export const SHOTS = process.env.OMNIHUB_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'omnihub-shots-'))

/** Debian's Chromium, one per test file. */
export async function launch (t: Test): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
  t.teardown(async () => { await browser.close() })
  return browser
}

export async function inboxPage (t: Test, browser: Browser, locale = 'en-US'): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1360, height: 820 } })
  t.teardown(async () => { await context.close() })
  return await context.newPage()
}

export async function signIn (page: Page, hubUrl: string, token: string): Promise<void> {
  await page.goto(`${hubUrl}/inbox/`)
  await page.getByLabel('Agent API token').fill(token)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.locator('header.top').waitFor()
}

/** A customer's system that receives the api channel's replies; answers 400 while `refuse` is set. */
export async function callbackReceiver (t: Test): Promise<{ url: string, received: any[], refuse: boolean }> {
  const state = { url: '', received: [] as any[], refuse: false }
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', chunk => { body += chunk })
    request.on('end', () => {
      if (state.refuse) { response.statusCode = 400; response.end('{"error":"no"}'); return }
      state.received.push(JSON.parse(body))
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ id: `cb-${state.received.length}` }))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/replies`
  return state
}

/** Polls until the probe gives a value (not undefined or false); throws after `ms`. */
export async function eventually<T> (what: string, probe: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
