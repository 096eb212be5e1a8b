/** Attributes set by a channel: merged over the old ones; null removes one. */
export function mergeAttributes (current: Record<string, unknown>, patch: Record<string, unknown> | undefined): Record<string, unknown> {
  const merged = { ...current }
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === null) delete merged[key]
    else merged[key] = value
  }
  return merged
}
