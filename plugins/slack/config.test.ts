import t from 'tap'
import { slackChannelFor, type SlackDeskConfig } from './config.js'

const config: SlackDeskConfig = {
  botToken: 'xoxb-1', signingSecret: 's', socketMode: false, slackChannel: 'C0DEFAULT', teams: { presales: 'C0PRESALES' }, channels: { 'shopee-sg': 'C0SHOPEE' },
  users: {}, clientOptions: { slackApiUrl: 'https://slack.com/api/' }
}

t.test('a conversation goes to its hub channel\'s Slack channel, else its team\'s, else the default', async t => {
  t.equal(slackChannelFor(config, { channelId: 'shopee-sg', teamId: 'presales' }), 'C0SHOPEE', 'the hub channel wins')
  t.equal(slackChannelFor(config, { channelId: 'site', teamId: 'presales' }), 'C0PRESALES', 'then the team')
  t.equal(slackChannelFor(config, { channelId: 'site', teamId: 'aftersales' }), 'C0DEFAULT', 'then the default')
  t.equal(slackChannelFor(config, { channelId: 'site', teamId: null }), 'C0DEFAULT')
  const { slackChannel: _none, ...teamsOnly } = config
  t.equal(slackChannelFor(teamsOnly, { channelId: 'site', teamId: null }), null, 'nowhere: not relayed')
})
