import { Type, type Static } from 'typebox'

const SlackChannelId = Type.String({ pattern: '^[CG][A-Z0-9]{2,}$', description: 'a Slack channel id (C…), not its name' })

export const SlackDeskSettings = Type.Object({
  /** The bot token (xoxb-…): chat:write, users:read, users:read.email. */
  botToken: Type.String({ pattern: '^xoxb-' }),
  /** HTTP mode: Slack signs each request to /<desk id>/events with it. */
  signingSecret: Type.Optional(Type.String({ minLength: 1 })),
  /** Socket Mode: Slack is reached over a WebSocket the hub opens (no public URL needed); needs appToken. */
  socketMode: Type.Boolean({ default: false }),
  /** The app-level token (xapp-…, connections:write) for Socket Mode. */
  appToken: Type.Optional(Type.String({ pattern: '^xapp-' })),
  /** Where conversations go unless `channels` or `teams` say otherwise. */
  slackChannel: Type.Optional(SlackChannelId),
  /** Per hub team id: the Slack channel its conversations go to. */
  teams: Type.Record(Type.String(), SlackChannelId, { default: {} }),
  /** Per hub channel id: the Slack channel its conversations go to (before the team's). */
  channels: Type.Record(Type.String(), SlackChannelId, { default: {} }),
  /** Slack user id → agent email, for people whose Slack email is not their agent email. */
  users: Type.Record(Type.String({ pattern: '^[UW][A-Z0-9]{2,}$' }), Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' }), { default: {} }),
  clientOptions: Type.Object({
    /** The Web API's base; tests point it at a local fake. */
    slackApiUrl: Type.String({ default: 'https://slack.com/api/', pattern: '^https?://' })
  }, { additionalProperties: false, default: {} })
}, { additionalProperties: false })

export type SlackDeskConfig = Static<typeof SlackDeskSettings>

/** What the schema cannot say: the mode's own secret, and somewhere to post. */
export function validateSlackDesk (config: SlackDeskConfig): string[] {
  const problems: string[] = []
  if (config.socketMode && config.appToken === undefined) problems.push('appToken: required with socketMode: true (an xapp- token with connections:write)')
  if (!config.socketMode && config.signingSecret === undefined) problems.push('signingSecret: required in HTTP mode (the app\'s Signing Secret), or set socketMode: true with an appToken')
  if (config.slackChannel === undefined && Object.keys(config.teams).length === 0 && Object.keys(config.channels).length === 0) {
    problems.push('slackChannel: required unless teams or channels name a Slack channel (conversations would have nowhere to go)')
  }
  return problems
}

/** The Slack channel a conversation's thread goes to: its hub channel's, its team's, or the default. */
export function slackChannelFor (config: SlackDeskConfig, conversation: { channelId: string, teamId: string | null }): string | null {
  return config.channels[conversation.channelId] ??
    (conversation.teamId !== null ? config.teams[conversation.teamId] : undefined) ??
    config.slackChannel ?? null
}
