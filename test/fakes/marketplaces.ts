import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { lazadaSign } from '../../plugins/marketplace/profiles/lazada.js'
import { tiktokSign } from '../../plugins/marketplace/profiles/tiktok-shop.js'

/**
 * Local fakes of three marketplaces' seller-chat APIs, following their public docs: they sign
 * pushes the documented way and deliver them to the hub, check the signature of every API call,
 * accept sends (kept for tests to read, in the exact shape received), refuse content their
 * filters would with the documented error, and serve catch-up lists (Shopee: lost pushes;
 * TikTok Shop and Lazada: conversation and message lists).
 */

export type Market = 'tiktok-shop' | 'shopee' | 'lazada'
export const CREDENTIALS = { appKey: 'app-key-123', appSecret: 'app-secret-0123456789', accessToken: 'access-token-abc', shopId: '7001' }
/** Text the fakes' content filters refuse. */
export const SENSITIVE = '刷单'

export interface BuyerMessage {
  id: string
  conversation: string
  buyer: string
  buyerName?: string
  text?: string
  product?: { id: string, title: string, image: string, price: string }
  order?: { id: string, status: string }
  /** Milliseconds since the epoch (TikTok Shop and Shopee report seconds). */
  at: number
}

export interface Received { method: string, path: string, query: Record<string, string>, headers: Record<string, string | string[] | undefined>, body: any }

const hmac = (secret: string, data: string): string => createHmac('sha256', secret).update(data).digest('hex')

export class FakeMarketplace {
  /** Send calls the marketplace accepted or refused, as received. */
  readonly sends: Received[] = []
  /** Every buyer message, pushed or not: the catch-up lists' source. */
  readonly messages: BuyerMessage[] = []
  /** Shopee: pushes that could not be delivered, until confirmed. */
  lost: Array<{ id: number, push: Record<string, any> }> = []
  private lostSeq = 1
  private server!: Server
  url = ''

  constructor (readonly market: Market, private readonly c = CREDENTIALS) {}

  async start (): Promise<this> {
    this.server = createServer((request, response) => { void this.handle(request).then(({ status, body }) => { response.writeHead(status, { 'content-type': 'application/json' }); response.end(JSON.stringify(body)) }) })
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`
    return this
  }

  async stop (): Promise<void> {
    await new Promise(resolve => this.server.close(resolve))
  }

  /** The push body this marketplace sends for a buyer message. */
  pushBody (m: BuyerMessage): Record<string, any> {
    const seconds = Math.floor(m.at / 1000)
    if (this.market === 'tiktok-shop') {
      const [type, content] = m.product !== undefined
        ? ['PRODUCT_CARD', { product_id: m.product.id, title: m.product.title, img_url: m.product.image, price: m.product.price }]
        : m.order !== undefined ? ['ORDER_CARD', { order_id: m.order.id, status: m.order.status }] : ['TEXT', { content: m.text }]
      return { type: 14, shop_id: this.c.shopId, timestamp: seconds, data: { conversation_id: m.conversation, message_id: m.id, type, content: JSON.stringify(content), create_time: seconds, sender: { im_user_id: m.buyer, role: 'BUYER', nickname: m.buyerName } } }
    }
    if (this.market === 'shopee') {
      const [messageType, content] = m.product !== undefined
        ? ['item', { item_id: Number(m.product.id), item_name: m.product.title, shop_id: Number(this.c.shopId) }]
        : m.order !== undefined ? ['order', { order_sn: m.order.id, order_status: m.order.status, shop_id: Number(this.c.shopId) }] : ['text', { text: m.text }]
      return { msg_id: `push-${m.id}`, shop_id: Number(this.c.shopId), code: 10, timestamp: seconds, data: { type: 'message', content: { message_id: m.id, conversation_id: m.conversation, from_id: Number(m.buyer), from_user_name: m.buyerName, to_id: Number(this.c.shopId), message_type: messageType, content, created_timestamp: seconds } } }
    }
    const [template, content] = m.product !== undefined
      ? [10006, { itemId: m.product.id, title: m.product.title, iconUrl: m.product.image, price: m.product.price }]
      : m.order !== undefined ? [10007, { orderId: m.order.id, status: m.order.status }] : [1, { txt: m.text }]
    return { seller_id: this.c.shopId, message_type: 2, timestamp: m.at, site: 'lazada_sg', data: this.lazadaMessage(m, template, content) }
  }

  private lazadaMessage (m: BuyerMessage, template: number, content: Record<string, unknown>): Record<string, any> {
    return { session_id: m.conversation, message_id: m.id, from_account_id: m.buyer, from_account_type: 1, to_account_id: this.c.shopId, template_id: template, content: JSON.stringify(content), send_time: m.at }
  }

  /** The push the marketplace sends when the seller wrote (from its own workbench, or through the API). */
  sellerPush (m: { id: string, conversation: string, buyer: string, text: string, at: number }): Record<string, any> {
    const seconds = Math.floor(m.at / 1000)
    if (this.market === 'tiktok-shop') {
      return { type: 14, shop_id: this.c.shopId, timestamp: seconds, data: { conversation_id: m.conversation, message_id: m.id, type: 'TEXT', content: JSON.stringify({ content: m.text }), create_time: seconds, buyer_id: m.buyer, sender: { im_user_id: 'seller-1', role: 'SHOP' } } }
    }
    if (this.market === 'shopee') {
      return { msg_id: `push-${m.id}`, shop_id: Number(this.c.shopId), code: 10, timestamp: seconds, data: { type: 'message', content: { message_id: m.id, conversation_id: m.conversation, from_id: Number(this.c.shopId), to_id: Number(m.buyer), message_type: 'text', content: { text: m.text }, created_timestamp: seconds } } }
    }
    return { seller_id: this.c.shopId, message_type: 2, timestamp: m.at, site: 'lazada_sg', data: { session_id: m.conversation, message_id: m.id, from_account_id: this.c.shopId, from_account_type: 2, to_account_id: m.buyer, template_id: 1, content: JSON.stringify({ txt: m.text }), send_time: m.at } }
  }

  /** The Authorization header this marketplace puts on a push. */
  signPush (raw: string, pushUrl: string): string {
    return this.market === 'shopee' ? hmac(this.c.appSecret, `${pushUrl}|${raw}`) : hmac(this.c.appSecret, this.c.appKey + raw)
  }

  /** The buyer writes: the message is kept, and pushed to the hub the way the marketplace does. Returns the hub's status (0: unreachable). */
  async buyerWrites (m: BuyerMessage, pushUrl: string, options: { signature?: string } = {}): Promise<number> {
    this.messages.push(m)
    return await this.push(this.pushBody(m), pushUrl, options)
  }

  async push (body: Record<string, any>, pushUrl: string, { signature }: { signature?: string } = {}): Promise<number> {
    const raw = JSON.stringify(body)
    let status = 0
    try {
      status = (await fetch(pushUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: signature ?? this.signPush(raw, pushUrl) }, body: raw })).status
    } catch {}
    if (status !== 200 && this.market === 'shopee') this.lost.push({ id: this.lostSeq++, push: body })
    return status
  }

  private async handle (request: IncomingMessage): Promise<{ status: number, body: unknown }> {
    const url = new URL(request.url!, 'http://fake')
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const rawBody = Buffer.concat(chunks).toString('utf8')
    const received: Received = { method: request.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: request.headers, body: rawBody === '' ? undefined : JSON.parse(rawBody) }
    if (this.market === 'tiktok-shop') return this.tiktok(received, rawBody)
    if (this.market === 'shopee') return this.shopee(received)
    return this.lazada(received)
  }

  private tiktok (r: Received, rawBody: string): { status: number, body: unknown } {
    if (r.query.sign !== tiktokSign(this.c.appSecret, r.path, r.query, rawBody) || r.headers['x-tts-access-token'] !== this.c.accessToken) {
      return { status: 200, body: { code: 106001, message: 'Invalid credentials or signature', data: {} } }
    }
    const send = /^\/customer_service\/202309\/conversations\/([^/]+)\/messages$/.exec(r.path)
    if (send !== null && r.method === 'POST') {
      this.sends.push(r)
      if (String(r.body?.content ?? '').includes(SENSITIVE)) return { status: 200, body: { code: 12052003, message: 'The message contains sensitive content and cannot be sent', data: {} } }
      return { status: 200, body: { code: 0, message: 'Success', data: { message_id: `tt-${this.sends.length}` } } }
    }
    if (r.path === '/customer_service/202309/conversations') {
      const latest = new Map<string, BuyerMessage>()
      for (const m of this.messages) latest.set(m.conversation, m)
      return { status: 200, body: { code: 0, data: { conversations: [...latest.values()].map(m => ({ id: m.conversation, latest_message: { create_time: Math.floor(m.at / 1000) } })) } } }
    }
    if (send !== null) {
      const list = this.messages.filter(m => m.conversation === send[1]).reverse().map(m => this.pushBody(m).data)
      return { status: 200, body: { code: 0, data: { messages: list } } }
    }
    return { status: 404, body: { code: 40006, message: 'Invalid path' } }
  }

  private shopee (r: Received): { status: number, body: unknown } {
    const ts = r.query.timestamp ?? ''
    const shopLevel = r.path.startsWith('/api/v2/sellerchat/')
    const base = shopLevel ? `${this.c.appKey}${r.path}${ts}${this.c.accessToken}${this.c.shopId}` : `${this.c.appKey}${r.path}${ts}`
    if (r.query.partner_id !== this.c.appKey || r.query.sign !== hmac(this.c.appSecret, base) || (shopLevel && (r.query.access_token !== this.c.accessToken || r.query.shop_id !== this.c.shopId))) {
      return { status: 403, body: { request_id: 'r', error: 'error_auth', message: 'Invalid partner_id or sign.' } }
    }
    if (r.path === '/api/v2/sellerchat/send_message') {
      this.sends.push(r)
      if (String(r.body?.content?.text ?? '').includes(SENSITIVE)) return { status: 200, body: { request_id: 'r', error: 'error_content_sensitive', message: 'Message contains sensitive words.' } }
      return { status: 200, body: { request_id: 'r', error: '', message: '', response: { message_id: `sp-${this.sends.length}`, to_id: r.body.to_id, message_type: r.body.message_type } } }
    }
    if (r.path === '/api/v2/push/get_lost_push_message') {
      const page = this.lost.slice(0, 100)
      return { status: 200, body: { request_id: 'r', error: '', response: { push_message_list: page.map(p => ({ shop_id: p.push.shop_id, code: p.push.code, timestamp: p.push.timestamp, data: JSON.stringify(p.push.data) })), has_next_page: this.lost.length > 100, ...(page.length > 0 ? { last_message_id: page[page.length - 1]!.id } : {}) } } }
    }
    if (r.path === '/api/v2/push/confirm_consumed_lost_push_message') {
      this.lost = this.lost.filter(p => p.id > Number(r.body?.last_message_id))
      return { status: 200, body: { request_id: 'r', error: '', message: '' } }
    }
    return { status: 404, body: { error: 'error_not_found', message: 'Wrong path' } }
  }

  private lazada (r: Received): { status: number, body: unknown } {
    const api = r.path.replace(/^\/rest/, '')
    if (r.query.app_key !== this.c.appKey || r.query.access_token !== this.c.accessToken || r.query.sign_method !== 'sha256' || r.query.sign !== lazadaSign(this.c.appSecret, api, r.query)) {
      return { status: 200, body: { code: 'IncompleteSignature', type: 'ISV', message: 'The request signature does not conform to platform standards', request_id: 'r' } }
    }
    if (api === '/im/message/send') {
      this.sends.push(r)
      if (String(r.query.txt ?? '').includes(SENSITIVE)) return { status: 200, body: { code: 'IM_SENSITIVE_WORD', message: 'The message contains sensitive words', request_id: 'r' } }
      return { status: 200, body: { code: '0', data: { message_id: `lz-${this.sends.length}` }, request_id: 'r' } }
    }
    const since = Number(r.query.start_time ?? 0)
    if (api === '/im/session/list') {
      const sessions = [...new Set(this.messages.filter(m => m.at >= since).map(m => m.conversation))]
      return { status: 200, body: { code: '0', data: { session_list: sessions.map(id => ({ session_id: id })), has_more: false } } }
    }
    if (api === '/im/message/list') {
      const list = this.messages.filter(m => m.conversation === r.query.session_id && m.at >= since).map(m => this.pushBody(m).data)
      return { status: 200, body: { code: '0', data: { message_list: list } } }
    }
    return { status: 200, body: { code: 'InvalidApiPath', message: 'The specified API path is invalid' } }
  }
}
