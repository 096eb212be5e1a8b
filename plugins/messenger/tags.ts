import { Type, type Static } from 'typebox'

/** One message tag and its rules, as data: admins override the catalog in config when Meta changes it. */
export const TagRule = Type.Object({
  tag: Type.String({ pattern: '^[A-Z_]+$' }),
  /** How long after the customer's last message the tag may be used; null: any time. */
  windowHours: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { default: null }),
  /** Only with the Page's human agent permission, and never for automated messages. */
  needsHumanAgent: Type.Boolean({ default: false }),
  /** From this date (YYYY-MM-DD, UTC) Meta rejects the tag. */
  retiredOn: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }))
}, { additionalProperties: false })

export type TagRule = Static<typeof TagRule>

/**
 * Meta's tags as of this release. Per Meta's notice, CONFIRMED_EVENT_UPDATE, ACCOUNT_UPDATE and
 * POST_PURCHASE_UPDATE are rejected (error 100) from 2026-04-27.
 */
export const DEFAULT_TAGS: TagRule[] = [
  { tag: 'HUMAN_AGENT', windowHours: 7 * 24, needsHumanAgent: true },
  { tag: 'CONFIRMED_EVENT_UPDATE', windowHours: null, needsHumanAgent: false, retiredOn: '2026-04-27' },
  { tag: 'POST_PURCHASE_UPDATE', windowHours: null, needsHumanAgent: false, retiredOn: '2026-04-27' },
  { tag: 'ACCOUNT_UPDATE', windowHours: null, needsHumanAgent: false, retiredOn: '2026-04-27' }
]

/** The default catalog with the config's entries replacing or adding tags by name. */
export function tagCatalog (overrides: TagRule[]): Map<string, TagRule> {
  return new Map([...DEFAULT_TAGS, ...overrides].map(rule => [rule.tag, rule]))
}

export const retiredAt = (rule: TagRule): Date | null => rule.retiredOn !== undefined ? new Date(`${rule.retiredOn}T00:00:00Z`) : null
