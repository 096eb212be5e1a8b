import { InstagramSettings, metaChannel } from '../messenger/channel.js'
import { INSTAGRAM } from '../messenger/profile.js'

/** An Instagram professional account's Direct messages as a channel: the Messenger plugin's code, Instagram's profile. */
export default metaChannel(INSTAGRAM, InstagramSettings, config => config.accountId)
