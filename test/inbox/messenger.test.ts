import t from 'tap'
import { FakeGraph } from '../fakes/graph.js'
import { startTestHub } from '../helpers/hub.js'
import { FB_SECRET, messengerChannel } from '../helpers/messenger.js'
import { until } from '../queue.contract.js'
import { inboxPage, launch, signIn } from './browser.js'

/** Messenger in the inbox, in Chromium: another app's thread taken over, quotes both ways, edits and reactions. */
const browser = await launch(t)
const graph = await FakeGraph.start(t, [])

t.test('a thread the Page inbox owns is taken over from the reply box; a customer\'s message is quoted; edits and reactions show', async t => {
  const hub = await startTestHub(t, { channels: [messengerChannel(graph, { handover: { appId: '999000' } })] })
  const mia = await hub.addAgent({ name: 'Mia Chen', status: 'online' })
  const at = Date.now()
  const webhook = async (entry: Record<string, unknown>): Promise<void> => {
    const response = await FakeGraph.deliver(`${hub.url}/channels/fb-shop/webhook`, FB_SECRET, { object: 'page', entry: [{ id: '111', time: at, ...entry }] })
    t.equal(response.status, 200)
  }
  await webhook({ standby: [{ sender: { id: 'ana' }, recipient: { id: '111' }, timestamp: at, message: { mid: 'm_ana', text: 'Is the red mug back in stock?' } }] })
  const page = await inboxPage(t, browser)
  await signIn(page, hub.url, mia.token)
  await page.locator('.conv-row', { hasText: 'red mug' }).click()
  const pane = page.locator('.conversation-pane')
  const refusal = pane.locator('.policy.deny[data-code=thread_owned_elsewhere]')
  await refusal.waitFor()
  t.match(await refusal.textContent(), /another app answers this person now/)
  await refusal.getByRole('button', { name: 'Take over the conversation' }).click()
  await refusal.waitFor({ state: 'detached' })
  t.ok(graph.calls.some(c => c.path.endsWith('/take_thread_control')), 'the handover protocol was called')

  await pane.locator('.msg.inbound', { hasText: 'red mug' }).getByRole('button', { name: 'Quote' }).click()
  await pane.locator('.composer .quoting', { hasText: 'red mug' }).waitFor()
  const box = pane.getByRole('textbox', { name: /Write a reply/ })
  await box.fill('Yes, since Monday.')
  await box.press('Enter')
  await pane.locator('.msg.outbound .quote', { hasText: 'red mug' }).waitFor()
  t.equal(await pane.locator('.composer .quoting').count(), 0, 'the quote is used once')
  await until(async () => graph.sends.some(c => c.body.reply_to?.mid === 'm_ana'), 10_000, 'sent with reply_to')

  await webhook({ messaging: [
    { sender: { id: 'ana' }, recipient: { id: '111' }, timestamp: at + 1, message_edit: { mid: 'm_ana', text: 'Is the blue mug back in stock?', num_edit: 1 } },
    { sender: { id: 'ana' }, recipient: { id: '111' }, timestamp: at + 2, message: { mid: 'm_ana2', text: 'Great, thanks', reply_to: { mid: 'm_ana' } } }
  ] })
  const edited = pane.locator('.msg.inbound', { has: page.locator('.edits') })
  await edited.waitFor()
  await edited.locator('.edits summary', { hasText: 'Edited' }).click()
  t.match(await edited.locator('.edits li').textContent(), /red mug/, 'the earlier text is in its history')
  t.match(await pane.locator('.msg.inbound', { hasText: 'Great, thanks' }).locator('.quote').textContent(), /mug back in stock/, "the customer's own quote shows")
  const [conversation] = (await hub.hub.services.store.listConversations({ channelId: 'fb-shop' }, { limit: 1 })).items
  const ours = (await hub.hub.services.store.listMessages(conversation!.id, { limit: 10 })).items.find(m => m.direction === 'outbound')
  await webhook({ messaging: [{ sender: { id: 'ana' }, recipient: { id: '111' }, timestamp: at + 3, reaction: { reaction: 'love', emoji: '❤️', action: 'react', mid: ours!.externalId } }] })
  await pane.locator('.msg.outbound .reaction', { hasText: '❤️' }).waitFor()
  t.pass('the reaction shows on the message it reacts to')
})
