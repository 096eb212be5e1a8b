import type { Attachment, Card } from '../../../core/model/index.js'
import { defineProfile, field, hmacHex, parseJson, PushError, refused, signedWithAppKey, type Api, type ApiCall, type Credentials, type MarketMessage } from '../profile.js'

/**
 * Lazada Open Platform, IM (seller chat). Pushes carry `Authorization: hex HMAC-SHA256(app_secret,
 * app_key + raw body)` and must be answered within 500 ms. API calls go to /rest<api> with
 * app_key, timestamp (ms), sign_method=sha256, access_token, and sign = upper-case hex
 * HMAC-SHA256(app_secret, api + sorted key/values). Messages are sent by template id.
 */
const IM_MESSAGE = 2
const TEMPLATE = { text: 1, image: 3, video: 6, item: 10006, order: 10007 } as const
const BUYER = 1
const CONTENT_CODES = new Set(['IM_SENSITIVE_WORD', 'IM_CONTENT_ILLEGAL'])
const RETRY_CODES = new Set(['ApiCallLimit', 'ServiceTimeout', 'IM_SYSTEM_BUSY'])

export function lazadaSign (secret: string, api: string, params: Record<string, string>): string {
  return hmacHex(secret, api + Object.keys(params).filter(k => k !== 'sign').sort().map(k => `${k}${params[k]}`).join('')).toUpperCase()
}

function signed (c: Credentials, method: 'GET' | 'POST', api: string, now: Date, params: Record<string, string>): ApiCall {
  const query = { app_key: c.appKey, timestamp: String(now.getTime()), sign_method: 'sha256', access_token: c.accessToken, ...params }
  return { method, path: `/rest${api}`, query: { ...query, sign: lazadaSign(c.appSecret, api, query) } }
}

async function call (api: Api, request: ApiCall): Promise<any> {
  const { status, body } = await api(request)
  const code = String(body?.code ?? status)
  if (status >= 500 || status === 429 || RETRY_CODES.has(code)) throw refused('retry', 'Lazada', code, String(body?.message ?? 'unavailable'))
  if (code !== '0') throw refused(CONTENT_CODES.has(code) ? 'content' : 'final', 'Lazada', code, String(body?.message ?? 'error'))
  return body.data ?? {}
}

function toMessage (m: Record<string, any>): MarketMessage {
  const content = parseJson(m.content, 'content')
  const attachments: Attachment[] = []
  const cards: Card[] = []
  let text = ''
  switch (Number(m.template_id)) {
    case TEMPLATE.text: text = String(content.txt ?? ''); break
    case TEMPLATE.image: attachments.push({ kind: 'image', url: String(field(content.imgUrl ?? content.img_url, 'content.imgUrl')) }); break
    case TEMPLATE.video: attachments.push({ kind: 'video', url: String(field(content.videoUrl, 'content.videoUrl')) }); break
    case TEMPLATE.item: cards.push({ kind: 'product', id: String(field(content.itemId, 'content.itemId')), title: String(content.title ?? `Item ${String(content.itemId)}`), ...(content.iconUrl !== undefined ? { imageUrl: String(content.iconUrl) } : {}), ...(content.price !== undefined ? { fields: { price: String(content.price) } } : {}), ...(content.actionUrl !== undefined ? { url: String(content.actionUrl) } : {}) }); break
    case TEMPLATE.order: cards.push({ kind: 'order', id: String(field(content.orderId, 'content.orderId')), title: `Order ${String(content.orderId)}`, ...(content.status !== undefined ? { fields: { status: String(content.status) } } : {}) }); break
    default: text = `[template ${String(m.template_id)}]`
  }
  const fromBuyer = Number(m.from_account_type) === BUYER
  return {
    conversationRef: String(field(m.session_id, 'session_id')),
    message: {
      externalId: String(field(m.message_id, 'message_id')),
      from: { externalId: String(field(fromBuyer ? m.from_account_id : m.to_account_id, 'account id')) },
      text, attachments, cards,
      sentAt: new Date(Number(field(m.send_time, 'send_time'))),
      ...(fromBuyer ? {} : { direction: 'outbound' as const })
    }
  }
}

export default defineProfile({
  name: 'lazada',
  title: 'Lazada',
  ackDeadlineMs: 500,
  limits: { maxTextLength: 1000, cards: ['product', 'order'] },

  verifyPush: signedWithAppKey,

  parsePush (body, c) {
    const push = body as Record<string, any>
    if (typeof push?.message_type !== 'number' || push.data === undefined) throw new PushError('a Lazada push has message_type and data')
    if (push.message_type !== IM_MESSAGE || String(push.seller_id) !== c.shopId) return []
    return [toMessage(push.data)]
  },

  async send (api, { conversationRef, part }, c, now) {
    if (conversationRef === null) throw refused('final', 'Lazada', 'no_session', 'this buyer has no Lazada chat session on record yet')
    const params: Record<string, string> = part.type === 'text'
      ? { template_id: String(TEMPLATE.text), txt: part.text }
      : part.card.kind === 'product' ? { template_id: String(TEMPLATE.item), item_id: part.card.id } : { template_id: String(TEMPLATE.order), order_id: part.card.id }
    const data = await call(api, signed(c, 'POST', '/im/message/send', now, { session_id: conversationRef, ...params }))
    return String(data.message_id)
  },

  // Sessions active since the cursor (ms), then their messages since then.
  async catchUp (api, cursor, c, now) {
    const since = cursor === null ? now.getTime() : Number(cursor)
    const messages: MarketMessage[] = []
    let newest = since
    const sessions = await call(api, signed(c, 'GET', '/im/session/list', now, { start_time: String(since), page_size: '20' }))
    for (const session of (sessions.session_list ?? []) as Array<Record<string, any>>) {
      const page = await call(api, signed(c, 'GET', '/im/message/list', now, { session_id: String(session.session_id), start_time: String(since), page_size: '50' }))
      for (const m of (page.message_list ?? []) as Array<Record<string, any>>) {
        if (Number(m.send_time) < since) continue
        newest = Math.max(newest, Number(m.send_time))
        messages.push(toMessage(m))
      }
    }
    return { messages, cursor: String(newest), more: sessions.has_more === true }
  }
})
