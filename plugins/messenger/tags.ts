import { Type, type Static } from 'typebox'

/** One message tag and its rules, as data: admins override the catalog in config when Meta changes it. */
export const TagRule = Type.Object({
  tag: Type.String({ pattern: '^[A-Z_]+$' }),
  /** How long after the customer's last message the tag may be used; null: any time. */
  windowHours: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { default: null }),
  /** Only with the Page's human agent permission, and never for automated messages. */
  needsHumanAgent: Type.Boolean({ default: false }),
  /** From this date (YYYY-MM-DD, UTC) Meta rejects the tag. */
  retiredOn: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  /** Where Meta accepts it; absent: Messenger and Instagram. */
  platforms: Type.Optional(Type.Array(Type.Enum(['messenger', 'instagram']), { minItems: 1 }))
}, { additionalProperties: false })

export type TagRule = Static<typeof TagRule>

/** Meta's tags as of this release (checked 2026-12-01), each with its source. */
export const DEFAULT_TAGS: TagRule[] = [
  // "Messenger Platform and IG Messaging API policy" (developers.facebook.com/documentation/business-messaging/messenger-platform/policy,
  // updated 2026-09-28): a person's reply within 7 days of the user's last message, on Messenger and Instagram, with the Human Agent permission.
  { tag: 'HUMAN_AGENT', windowHours: 7 * 24, needsHumanAgent: true },
  // Meta's notice of the message tag changes: these three are rejected (error 100) from 2026-04-27; none was ever accepted on Instagram.
  { tag: 'CONFIRMED_EVENT_UPDATE', windowHours: null, needsHumanAgent: false, retiredOn: '2026-04-27', platforms: ['messenger'] },
  { tag: 'POST_PURCHASE_UPDATE', windowHours: null, needsHumanAgent: false, retiredOn: '2026-04-27', platforms: ['messenger'] },
  { tag: 'ACCOUNT_UPDATE', windowHours: null, needsHumanAgent: false, retiredOn: '2026-04-27', platforms: ['messenger'] }
]

/** The default catalog with the config's entries replacing or adding tags by name: the tags this platform accepts. */
export function tagCatalog (overrides: TagRule[], platform: 'messenger' | 'instagram' = 'messenger'): Map<string, TagRule> {
  return new Map([...DEFAULT_TAGS, ...overrides].filter(rule => rule.platforms?.includes(platform) ?? true).map(rule => [rule.tag, rule]))
}

export const retiredAt = (rule: TagRule): Date | null => rule.retiredOn !== undefined ? new Date(`${rule.retiredOn}T00:00:00Z`) : null
