/** The `<id@host>` tokens in a header value (clients add comments and folding around them). */
export const messageIds = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap(v => v.match(/<[^<>\s]+>/g) ?? [])
