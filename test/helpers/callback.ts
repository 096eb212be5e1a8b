import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received { headers: IncomingHttpHeaders, raw: string, body: Record<string, unknown> }

/**
 * The system behind an `api` channel: it receives agents' replies. `script` says how to
 * answer each call in turn (a status, or 'hang' to never answer); after it, 200.
 */
export class CallbackReceiver {
  readonly received: Received[] = []
  script: Array<number | 'hang'> = []
  private server: Server | undefined
  url = ''

  async listen (port = 0): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', c => chunks.push(c as Buffer))
      request.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        this.received.push({ headers: request.headers, raw, body: JSON.parse(raw) as Record<string, unknown> })
        const answer = this.script.shift() ?? 200
        if (answer === 'hang') return
        response.writeHead(answer, { 'content-type': 'application/json' })
        response.end(answer < 300 ? JSON.stringify({ id: `cb-${this.received.length}` }) : JSON.stringify({ error: 'scripted' }))
      })
    })
    await new Promise<void>(resolve => this.server!.listen(port, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/omnihub`
    return this.url
  }

  async close (): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>(resolve => this.server?.close(() => resolve()) ?? resolve())
  }
}
