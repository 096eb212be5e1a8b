import { Type } from 'typebox'
import { ChannelSendError, defineChannel, type OutboundContext, type Verdict, type WaitNotice } from '../../core/channels/index.js'

/**
 * A channel whose policy and send results a test sets at will: for the core's handling of
 * verdicts and send errors, independent of any real channel.
 */
export const scripted = {
  verdict: { verdict: 'allow' } as Verdict,
  /** Each send takes the next entry: an error to throw, or undefined to succeed. */
  sendScript: [] as Array<ChannelSendError | Error | undefined>,
  sent: [] as OutboundContext[],
  /** Runs at each send before its scripted result: what changes while a job is in flight (a window closing). */
  onSend: undefined as (() => void) | undefined,
  /** What the core told customers about their wait. */
  notices: [] as Array<{ conversationId: string, notice: WaitNotice }>,
  reset (): void {
    this.verdict = { verdict: 'allow' }
    this.sendScript = []
    this.sent = []
    this.notices = []
    this.onSend = undefined
  }
}

export const scriptedChannel = defineChannel({
  name: 'scripted',
  configSchema: Type.Object({}, { additionalProperties: false }),
  capabilities: { text: true, images: false, files: false, cards: false, typing: false, readReceipts: false, maxTextLength: 50, maxAttachments: 0 },
  create (_config, ctx) {
    return {
      routes (app) {
        app.post('/inbound', async request => await ctx.ingest(request.body as Parameters<typeof ctx.ingest>[0]))
      },
      policy: () => scripted.verdict,
      async notify (conversation, notice) {
        scripted.notices.push({ conversationId: conversation.id, notice })
      },
      async send (outbound) {
        scripted.onSend?.()
        const next = scripted.sendScript.shift()
        if (next !== undefined) throw next
        scripted.sent.push(outbound)
        return { externalId: `scripted-${outbound.message.id}` }
      }
    }
  }
})

export const retryable = (): ChannelSendError => new ChannelSendError('remote_busy', 'The remote answered 503.', { retryable: true })
export const final = (): ChannelSendError => new ChannelSendError('remote_refused', 'The remote refused the message.', { retryable: false })
