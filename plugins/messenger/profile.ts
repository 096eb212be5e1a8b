import type { Attachment } from '../../core/model/index.js'

/**
 * What differs between Messenger and Instagram Direct, which Meta serves through the same
 * Messenger Platform: the webhook's `object`, the profile fields, the limits of a reply.
 * Everything else (events, the window, sending, handover) is one code path.
 */
export interface MetaProfile {
  plugin: 'messenger' | 'instagram'
  /** The webhook's `object`. */
  object: 'page' | 'instagram'
  /** What people call it, in agents' sentences. */
  label: string
  maxTextLength: number
  /** Attachment kinds the Send API takes on this platform. */
  sends: ReadonlyArray<Attachment['kind']>
  /** The User Profile API's fields here, and how they make a name and a picture. */
  profileFields: string
  nameOf: (fields: Record<string, unknown>) => string
  pictureField: string
}

const str = (v: unknown): string => typeof v === 'string' ? v : ''

export const MESSENGER: MetaProfile = {
  plugin: 'messenger',
  object: 'page',
  label: 'Messenger',
  // Send API reference: text up to 2,000 characters.
  maxTextLength: 2000,
  sends: ['image', 'video', 'audio', 'file'],
  profileFields: 'first_name,last_name,profile_pic',
  nameOf: p => [str(p.first_name), str(p.last_name)].filter(v => v !== '').join(' '),
  pictureField: 'profile_pic'
}

export const INSTAGRAM: MetaProfile = {
  plugin: 'instagram',
  object: 'instagram',
  label: 'Instagram',
  // Messenger API for Instagram: text up to 1,000 bytes; images, videos and audio, no other files.
  maxTextLength: 1000,
  sends: ['image', 'video', 'audio'],
  // Instagram User Profile API: name, username, profile_pic (IG-scoped id).
  profileFields: 'name,username,profile_pic',
  nameOf: p => str(p.name) !== '' ? str(p.name) : str(p.username) !== '' ? `@${str(p.username)}` : '',
  pictureField: 'profile_pic'
}
