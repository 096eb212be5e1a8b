import { MessengerSettings, metaChannel } from './channel.js'
import { MESSENGER } from './profile.js'

/** A Facebook Page's Messenger inbox as a channel. */
export default metaChannel(MESSENGER, MessengerSettings, config => config.pageId)
