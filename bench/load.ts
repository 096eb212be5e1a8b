import { Agent, request } from 'node:http'
import autocannon from 'autocannon'
import { sign } from '../core/channels/signature.js'

/** One customer message as the `api` channel takes it. */
const messageBody = (id: string, customer: string): string => JSON.stringify({ messageId: id, from: { id: customer }, text: `Where is my order ${id}?` })

/** Posts signed messages to a hub's (or the bare server's) `api` channel over kept-alive connections. */
export function signedPoster (url: string, secret: string, connections: number): { post: (id: string, customer: string) => Promise<string>, close: () => void } {
  const { hostname, port } = new URL(url)
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  /** Resolves with the conversation the hub answered (the bare server answers none: ''). */
  const post = async (id: string, customer: string): Promise<string> => {
    const body = messageBody(id, customer)
    return await new Promise<string>((resolve, reject) => {
      const req = request({ host: hostname, port, path: '/channels/api/inbound', method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(secret, body), 'content-length': Buffer.byteLength(body) } }, res => {
        const chunks: Buffer[] = []
        res.on('data', c => chunks.push(c as Buffer))
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`inbound answered ${res.statusCode}`))
          resolve((JSON.parse(Buffer.concat(chunks).toString()) as { conversationId?: string }).conversationId ?? '')
        })
      })
      req.on('error', reject)
      req.end(body)
    })
  }
  return { post, close: () => agent.destroy() }
}

/** Open loop: `rate` sends a second on a 5 ms tick, whatever the answers are doing. */
export async function paced (ids: string[], rate: number, send: (id: string) => Promise<unknown>): Promise<void> {
  const perTick = rate / 200
  const t0 = performance.now()
  const inflight: Array<Promise<unknown>> = []
  for (let sent = 0; sent < ids.length;) {
    const due = Math.min(ids.length, Math.floor(((performance.now() - t0) / 5 + 1) * perTick))
    while (sent < due) inflight.push(send(ids[sent++]!))
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  await Promise.all(inflight)
}

/** Closed loop: `connections` senders, each sending its next as soon as its last is answered. */
export async function saturate (ids: string[], connections: number, send: (id: string) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: connections }, async () => { while (next < ids.length) await send(ids[next++]!) }))
}

/**
 * The same signed, unique messages from autocannon (the load generator the bare server's figure
 * needs: this process's own client tops out below it): answers per second over `seconds`, from
 * `customers` returning customers. Throws if any answer was not a 200.
 */
export async function cannon (url: string, secret: string, connections: number, seconds: number, customers: number): Promise<number> {
  let n = 0
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{
      method: 'POST',
      path: '/channels/api/inbound',
      setupRequest: request => {
        const id = `c-${process.pid}-${Date.now()}-${n++}`
        const body = messageBody(id, `customer-${n % customers}`)
        return { ...request, body, headers: { 'content-type': 'application/json', 'x-omnihub-signature': sign(secret, body) } }
      }
    }]
  })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} answers were not 2xx and ${result.errors} failed`)
  return result.requests.average
}
