import type { types as slack } from '@slack/bolt'
import type { ConversationStatus, Message } from '../../core/model/index.js'

import { clip, escapeMrkdwn, quote } from './mrkdwn.js'

export const ACTIONS = {
  assign: 'omnihub_assign', close: 'omnihub_close', reopen: 'omnihub_reopen', rate: 'omnihub_rate',
  sendWithTag: 'omnihub_send_tag', sendAnyway: 'omnihub_send_anyway', sendFaq: 'omnihub_faq'
} as const

/** Slack's cap for a section's text is 3,000 characters; a message's text, 40,000. */
const SECTION_MAX = 2900
const TEXT_MAX = 3900

export interface ParentView {
  conversationId: string
  contactName: string
  contactEmail: string | null
  channelLabel: string
  first: Message
  status: ConversationStatus
  assigneeName: string | null
  /** The customer reads as upset (a mood alert). */
  upset: boolean
  /** The customer's score, once they rated; whether they were asked. */
  rating: number | null
  ratingAsked: boolean
  inboxUrl: string
  fileLink: (url: string) => string
}

const STATUS: Record<ConversationStatus, (assignee: string | null) => string> = {
  bot: () => ':robot_face: With the bot',
  unassigned: () => ':hourglass_flowing_sand: Waiting for an agent',
  assigned: assignee => `:bust_in_silhouette: Assigned to *${escapeMrkdwn(assignee ?? 'an agent')}*`,
  closed: () => ':white_check_mark: Closed'
}

/** What a message carries besides text: its translation, files as links, cards as a line each. */
function extrasOf (message: Pick<Message, 'attachments' | 'cards' | 'extras'>, fileLink: (url: string) => string): string[] {
  const { attachments, cards, extras } = message
  return [
    ...(extras?.translation !== undefined ? [`:globe_with_meridians: _${escapeMrkdwn(extras.translation.from)} → ${escapeMrkdwn(extras.translation.to)}:_ ${escapeMrkdwn(extras.translation.text)}`] : []),
    ...attachments.map(a => `:paperclip: <${fileLink(a.url)}|${escapeMrkdwn(a.name ?? a.kind)}>`),
    ...cards.map(c => `:label: ${c.kind}: ${escapeMrkdwn(c.title)}${c.id !== undefined ? ` (${escapeMrkdwn(c.id)})` : ''}`)
  ]
}

function button (text: string, actionId: string, value: string, style?: 'primary' | 'danger'): slack.Button {
  return { type: 'button', text: { type: 'plain_text', text }, action_id: actionId, value, ...(style !== undefined ? { style } : {}) }
}

/** The thread's parent: who wrote, where, their first message, where the conversation stands, and what to do. */
export function parentMessage (view: ParentView): { text: string, blocks: slack.KnownBlock[] } {
  const name = escapeMrkdwn(view.contactName)
  const body = [view.first.text !== '' ? quote(escapeMrkdwn(view.first.text)) : '', ...extrasOf(view.first, view.fileLink)].filter(l => l !== '')
  const who = `*${name}*${view.contactEmail !== null ? ` <mailto:${view.contactEmail}|${escapeMrkdwn(view.contactEmail)}>` : ''} · ${escapeMrkdwn(view.channelLabel)}`
  const actions = [
    ...(view.status === 'closed'
      ? [button('Reopen', ACTIONS.reopen, view.conversationId)]
      : [button('Assign to me', ACTIONS.assign, view.conversationId, 'primary'), button('Close', ACTIONS.close, view.conversationId)]),
    ...(view.rating === null ? [button(view.ratingAsked ? 'Ask for rating again' : 'Ask for rating', ACTIONS.rate, view.conversationId)] : [])
  ]
  const rated = view.rating !== null ? ` · Rated ${'★'.repeat(view.rating)}${'☆'.repeat(5 - view.rating)}` : view.ratingAsked ? ' · Rating asked' : ''
  return {
    text: `${view.contactName} on ${view.channelLabel}: ${clip(view.first.text, 150)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(`${who}\n${body.join('\n')}`, SECTION_MAX) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${STATUS[view.status](view.assigneeName)}${view.upset && view.status !== 'closed' ? ' · :rotating_light: *The customer seems upset*' : ''}${rated} · <${view.inboxUrl}|Open in the inbox>` }] },
      { type: 'actions', block_id: 'omnihub_conversation', elements: actions }
    ]
  }
}

/** A later message in the thread, prefixed with who wrote it and how. */
export function threadText (message: Message, authorLabel: string, fileLink: (url: string) => string): string {
  const lines = [message.text !== '' ? escapeMrkdwn(message.text) : '', ...extrasOf(message, fileLink)].filter(l => l !== '')
  return clip(`${authorLabel}: ${lines.join('\n')}`, TEXT_MAX)
}

/**
 * The ephemeral answer to a thread reply that could not go. With a kept draft, buttons send it
 * anyway: one per tag that would make it go, or "Send anyway" after an attitude warning.
 */
export function refusal (reason: string, choice?: { draft: string, tags: string[] } | { draft: string, confirm: true }): { text: string, blocks: slack.KnownBlock[] } {
  const text = `:no_entry: Not sent to the customer: ${reason}`
  const blocks: slack.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text).replace(/^:no_entry: Not sent/, ':no_entry: *Not sent*') } }]
  if (choice !== undefined) {
    blocks.push({
      type: 'actions', block_id: 'omnihub_draft',
      elements: 'tags' in choice
        ? choice.tags.slice(0, 25).map(tag => button(`Send with ${tag}`, `${ACTIONS.sendWithTag}:${tag}`, choice.draft))
        : [button('Send anyway', ACTIONS.sendAnyway, choice.draft, 'danger')]
    })
  }
  return { text, blocks }
}

/** The FAQ's answers to what the customer just asked, each a button that sends it as the clicking agent's reply. */
export function suggestionsMessage (conversationId: string, items: Array<{ id: string, question: string, answer: string }>): { text: string, blocks: slack.KnownBlock[] } {
  const text = ':bulb: Suggested answers from the FAQ (a click sends one to the customer):'
  const lines = items.map((e, i) => `${i + 1}. *${escapeMrkdwn(clip(e.question, 150))}*\n${quote(escapeMrkdwn(clip(e.answer, 400)))}`)
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(`${text}\n${lines.join('\n')}`, SECTION_MAX) } },
      // Button labels are capped at 75 characters by Slack.
      { type: 'actions', block_id: 'omnihub_suggestions', elements: items.map((e, i) => button(`Send ${i + 1}: ${clip(e.question, 60)}`, `${ACTIONS.sendFaq}:${i}`, `${conversationId}|${e.id}`)) }
    ]
  }
}
