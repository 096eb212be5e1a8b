import type { webApi } from '@slack/bolt'
import type { DeskContext } from '../../core/desks/index.js'
import type { Agent } from '../../core/model/index.js'
import type { SlackDeskConfig } from './config.js'

export type Person = { agent: Agent } | { agent: null, email: string | null }

/**
 * Who a Slack user is in the hub: the agent the config names for their user id, else the agent
 * with their Slack profile's email. Matches are remembered; misses are asked again next time
 * (the agent may have been added since).
 */
export class SlackPeople {
  constructor (private readonly ctx: DeskContext, private readonly client: webApi.WebClient, private readonly users: SlackDeskConfig['users']) {}

  async find (userId: string): Promise<Person> {
    const named = this.users[userId]
    if (named !== undefined) {
      const agent = await this.ctx.findAgentByEmail(named)
      return agent !== null ? { agent } : { agent: null, email: named }
    }
    const known = await this.ctx.kv.get(`user:${userId}`)
    if (known !== null) {
      const agent = await this.ctx.getAgent(known)
      if (agent !== null) return { agent }
    }
    const email = await this.slackEmail(userId)
    const agent = email === null ? null : await this.ctx.findAgentByEmail(email)
    if (agent === null) return { agent: null, email }
    await this.ctx.kv.set(`user:${userId}`, agent.id)
    return { agent }
  }

  private async slackEmail (userId: string): Promise<string | null> {
    try {
      const { user } = await this.client.users.info({ user: userId })
      return user?.profile?.email ?? null
    } catch (err) {
      this.ctx.logger.warn({ slackUserId: userId, code: (err as { data?: { error?: string } }).data?.error ?? (err as { code?: string }).code }, 'slack user not looked up')
      return null
    }
  }
}

/** What an unlinked person is told: why nothing went, and the two ways to link. */
export function howToLink (userId: string, email: string | null, deskId: string): string {
  const yours = email !== null ? `your Slack email (${email}) is not an Omnihub agent's` : 'Omnihub cannot read your Slack email (the app needs users:read.email)'
  return `:link: Not sent: ${yours}. Ask an admin to add you as an agent with that email, or to map your Slack user under \`users\` in the ${deskId} desk config (\`${userId}: you@company.com\`).`
}
