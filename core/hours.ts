import { Type, type Static } from 'typebox'

const Span = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-4]):[0-5]\\d$', description: 'HH:MM-HH:MM in the time zone' })
export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const

/** Open hours in a time zone: per day, the open spans (`mon: ["09:00-12:00", "13:00-18:00"]`); a missing day is closed. */
export const BusinessHours = Type.Object({
  /** An IANA time zone, e.g. Asia/Shanghai. */
  timezone: Type.String({ minLength: 1 }),
  days: Type.Object({
    sun: Type.Optional(Type.Array(Span)),
    mon: Type.Optional(Type.Array(Span)),
    tue: Type.Optional(Type.Array(Span)),
    wed: Type.Optional(Type.Array(Span)),
    thu: Type.Optional(Type.Array(Span)),
    fri: Type.Optional(Type.Array(Span)),
    sat: Type.Optional(Type.Array(Span))
  }, { additionalProperties: false })
}, { additionalProperties: false })
export type BusinessHours = Static<typeof BusinessHours>

/** Whether `now` falls in the business hours (in their time zone); always open without any. */
export function isOpen (hours: BusinessHours | undefined, now: Date): boolean {
  if (hours === undefined) return true
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'
  }).formatToParts(now).map(p => [p.type, p.value]))
  const day = DAYS.find(d => d === parts.weekday?.toLowerCase())
  const time = `${parts.hour}:${parts.minute}`
  return (hours.days[day!] ?? []).some(span => {
    const [from, to] = span.split('-') as [string, string]
    return time >= from && time < to
  })
}

/** What the schema cannot say of business hours: an unknown time zone, a span that ends before it starts. */
export function hoursProblems (hours: BusinessHours | undefined, path: string): string[] {
  if (hours === undefined) return []
  const problems: string[] = []
  try {
    new Intl.DateTimeFormat('en', { timeZone: hours.timezone })
  } catch {
    problems.push(`${path}.timezone: "${hours.timezone}" is not a time zone; use an IANA name such as Asia/Shanghai or Europe/Berlin`)
  }
  for (const [day, spans] of Object.entries(hours.days)) {
    for (const span of spans ?? []) {
      const [from, to] = span.split('-') as [string, string]
      if (from >= to) problems.push(`${path}.days.${day}: ${span} ends before it starts`)
    }
  }
  return problems
}
