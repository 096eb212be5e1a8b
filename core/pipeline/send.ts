import { ChannelSendError } from '../errors.js'
import { conversationAudience } from '../events/index.js'
import { JobFailure, type JobInfo } from '../queue/index.js'
import type { MessageJob } from '../queue/jobs.js'
import { draftOf, evaluateDraft } from './policy.js'
import type { HubServices } from '../services.js'

/**
 * Sends one pending outbound message through its channel. The policy is checked again
 * (a window may have closed while the job waited); retryable errors are retried by the
 * queue with backoff; final ones, and the last failed try, mark the message `failed`.
 */
export async function sendJob (s: HubServices, { messageId }: MessageJob, job: JobInfo): Promise<void> {
  const message = await s.store.getMessage(messageId)
  if (message === null || message.status !== 'pending') return
  const conversation = await s.store.getConversation(message.conversationId)
  const contact = conversation !== null ? await s.store.getContact(conversation.contactId) : null
  const publish = async (updated: typeof message): Promise<void> => {
    if (conversation !== null) await s.bus.publish({ type: 'message.updated', conversationId: message.conversationId, message: updated, audience: conversationAudience(conversation) })
  }
  const fail = async (code: string, text: string): Promise<void> => {
    const failed = await s.store.updateMessageStatus(messageId, { status: 'failed', errorCode: code, errorMessage: text }, s.clock())
    s.logger.warn({ messageId, conversationId: message.conversationId, code, attempt: job.attempt }, 'outbound failed')
    await publish(failed)
  }

  const channel = s.channels.get(message.channelId)
  if (channel === undefined) return await fail('channel_unavailable', `Channel "${message.channelId}" is not enabled on this hub.`)
  if (conversation === null || contact === null) return await fail('conversation_missing', 'The conversation of this message no longer exists.')

  const verdict = evaluateDraft(channel, conversation, draftOf(message), s.clock(), contact)
  if (verdict.verdict !== 'allow') return await fail(verdict.code, verdict.message)

  const agent = message.author.type === 'agent' && message.author.id !== null ? await s.store.getAgent(message.author.id) : null
  let externalId: string
  try {
    ({ externalId } = await channel.instance.send({ conversation, contact, message, ...(agent !== null ? { author: { name: agent.name, signature: agent.signature } } : {}) }))
  } catch (err) {
    const error = err instanceof ChannelSendError
      ? err
      : new ChannelSendError('send_failed', 'The channel failed unexpectedly while sending.', { retryable: true, cause: err })
    if (error.retryable && job.attempt < job.maxAttempts) {
      s.logger.info({ messageId, code: error.code, attempt: job.attempt }, 'outbound will be retried')
      throw new JobFailure(error.message, { retryable: true, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) })
    }
    return await fail(error.code, error.message)
  }
  const sent = await s.store.updateMessageStatus(messageId, { status: 'sent', externalId }, s.clock())
  s.logger.info({ messageId, conversationId: message.conversationId, attempt: job.attempt }, 'outbound sent')
  await publish(sent)
}
