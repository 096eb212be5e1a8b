/**
 * The inbox's views as list filters: the API counts them and the inbox shows them, so both
 * read this one table. `me` and `mine` stand for the agent asking.
 */
export const INBOX_VIEWS = {
  mine: { status: 'assigned', assignee: 'me' },
  waiting: { status: 'unassigned' },
  bot: { status: 'bot' },
  teams: { status: 'open', team: 'mine' },
  all: { status: 'open' },
  closed: { status: 'closed' }
} as const satisfies Record<string, { status: string, assignee?: 'me', team?: 'mine' }>

export type InboxView = keyof typeof INBOX_VIEWS
