import { FakeGraph } from '../fakes/graph.js'
import { until } from '../queue.contract.js'
import type { TestHub } from './hub.js'

export const FB_SECRET = 'fb-app-secret-123456'
export const PAGE_TOKEN = 'page-token'

/** A Messenger channel `fb-shop` on page 111, talking to the Graph fake. */
export function messengerChannel (graph: FakeGraph, over: Record<string, unknown> = {}): Record<string, unknown> {
  graph.validTokens.add(PAGE_TOKEN)
  return { id: 'fb-shop', plugin: 'messenger', pageId: '111', pageAccessToken: PAGE_TOKEN, appSecret: FB_SECRET, verifyToken: 'v', graphBaseUrl: graph.url, ...over }
}

/** A Messenger customer writes (`hoursAgo` back: past 24 the window is closed), or taps a quick reply; resolves with their conversation's id. */
export async function messengerCustomerWrote (h: TestHub, psid: string, text: string, hoursAgo = 0, quickReply?: string): Promise<string> {
  // By the hub's clock, which a test may set: the channel and the hub agree on the time.
  const at = h.hub.services.clock().getTime() - hoursAgo * 3_600_000
  const response = await FakeGraph.deliver(`${h.url}/channels/fb-shop/webhook`, FB_SECRET, {
    object: 'page',
    entry: [{ id: '111', time: at, messaging: [{ sender: { id: psid }, recipient: { id: '111' }, timestamp: at, message: { mid: `mid.${psid}.${at}.${Math.random()}`, text, ...(quickReply !== undefined ? { quick_reply: { payload: quickReply } } : {}) } }] }]
  })
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`)
  let id: string | undefined
  await until(async () => {
    for (const c of (await h.hub.services.store.listConversations({ channelId: 'fb-shop' }, { limit: 100 })).items) {
      if ((await h.hub.services.store.getContact(c.contactId))?.identities.some(i => i.externalId === psid) === true) id = c.id
    }
    return id !== undefined
  }, 10_000, `the conversation of ${psid}`)
  return id!
}
