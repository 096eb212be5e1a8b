import type { Message, MessageAmendment, MessageExtras } from '../model/index.js'

/**
 * A customer's edit or reaction applied to a message, or null when it changes nothing: the same
 * text again, a revision not above the stored one (Meta redelivers, and may reorder), the same
 * reaction again. Both drivers write the result atomically per message.
 */
export function amended (message: Message, amendment: MessageAmendment, now: Date): { text: string, extras: MessageExtras } | null {
  const extras: MessageExtras = { ...message.extras }
  if ('text' in amendment) {
    if (amendment.text === message.text) return null
    if (amendment.revision !== undefined && amendment.revision <= (extras.revision ?? 0)) return null
    extras.edits = [...(extras.edits ?? []), { text: message.text, at: now.toISOString() }]
    if (amendment.revision !== undefined) extras.revision = amendment.revision
    return { text: amendment.text, extras }
  }
  if (amendment.reaction === null) {
    if (extras.reaction === undefined) return null
    delete extras.reaction
  } else {
    if (extras.reaction?.emoji === amendment.reaction.emoji) return null
    extras.reaction = { emoji: amendment.reaction.emoji, at: now.toISOString() }
  }
  return { text: message.text, extras }
}
