import type { Draft, Verdict } from '../channels/index.js'
import type { Contact, Conversation, Message, SuppressionReason } from '../model/index.js'
import type { Channel } from '../services.js'

/** The draft a stored outbound message stands for, so the send worker can re-check it. */
export function draftOf (message: Message): Draft {
  return {
    text: message.text, attachments: message.attachments, cards: message.cards, tag: message.tag, automated: message.author.type !== 'agent',
    ...(message.extras?.template !== undefined ? { template: message.extras.template } : {})
  }
}

/** What the channel can carry, checked before its policy is asked. */
function capabilityVerdict (channel: Channel, draft: Draft): Verdict | null {
  const c = channel.definition.capabilities
  if (draft.text.length > c.maxTextLength) {
    return { verdict: 'deny', code: 'text_too_long', message: `The reply is ${draft.text.length} characters; ${channel.id} accepts at most ${c.maxTextLength}. Shorten it or split it.` }
  }
  if (draft.attachments.length > c.maxAttachments) {
    return { verdict: 'deny', code: 'too_many_attachments', message: `${channel.id} accepts at most ${c.maxAttachments} attachment(s) per message; send the others separately.` }
  }
  if (draft.cards.length > 0 && !c.cards) {
    return { verdict: 'deny', code: 'cards_unsupported', message: `${channel.id} cannot carry cards; send the details as text.` }
  }
  return null
}

const SUPPRESSED: Record<SuppressionReason, string> = {
  complained: 'reported our mail as spam',
  undeliverable: 'has an address that bounced',
  machine: 'is a machine (a mailer-daemon, a no-reply or list address)'
}

/** Machine mail is never answered and a complaint ends automatic mail: for every automated sender, here only. */
function suppressionVerdict (contact: Pick<Contact, 'suppression'> | null, draft: Draft): Verdict | null {
  if (!draft.automated || contact?.suppression == null) return null
  return { verdict: 'deny', code: 'contact_suppressed', message: `This contact ${SUPPRESSED[contact.suppression.reason]}, so the hub sends them nothing automatic; an agent may still answer.` }
}

/**
 * The verdict for a draft: the contact's suppression (automated drafts), the channel's limits,
 * then its policy, then the tag rule (a draft carrying one of the allowed tags turns
 * `tag_required` into a send).
 */
export function evaluateDraft (channel: Channel, conversation: Conversation, draft: Draft, now: Date, contact: Pick<Contact, 'suppression'> | null = null): Verdict {
  const limit = suppressionVerdict(contact, draft) ?? capabilityVerdict(channel, draft)
  if (limit !== null) return limit
  const verdict = channel.instance.policy(conversation, draft, now)
  if (verdict.verdict === 'tag_required' && draft.tag !== null && verdict.tags.includes(draft.tag)) {
    return { verdict: 'allow', ...(verdict.windowClosesAt !== undefined ? { windowClosesAt: verdict.windowClosesAt } : {}) }
  }
  return verdict
}
