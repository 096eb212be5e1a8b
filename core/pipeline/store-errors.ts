import { HubError } from '../errors.js'
import { StoreError, type StoreErrorCode } from '../store/index.js'

/** Each store refusal as users meet it: status and a sentence they can act on. */
const SENTENCES: Record<StoreErrorCode, [number, (e: StoreError) => string]> = {
  not_found: [404, e => `No ${e.subject} with id ${e.id ?? ''}.`],
  conversation_closed: [409, () => 'The conversation is closed; reopen it first.'],
  conversation_open_elsewhere: [409, () => 'This contact already has an open conversation on this channel; continue that one.'],
  phrase_code_taken: [409, e => `The code /${e.subject} is already used here; choose another code or edit that phrase.`],
  agent_exists: [409, e => `An agent with email ${e.subject} already exists.`],
  team_exists: [409, e => `A team with id ${e.subject} already exists.`],
  invalid_cursor: [400, () => 'The cursor is not one this API returned; start again without it.'],
  store_too_new: [500, e => `The database at ${e.subject} was written by a newer Omnihub; upgrade Omnihub.`]
}

/** The error to show a user: a HubError as it is, a store refusal in users' words; null for anything else (a bug, logged). */
export function userError (err: unknown): HubError | null {
  if (err instanceof HubError) return err
  if (!(err instanceof StoreError)) return null
  const [status, sentence] = SENTENCES[err.code]
  return new HubError(err.code, sentence(err), status)
}
