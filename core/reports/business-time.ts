import { DAYS, type BusinessHours } from '../hours.js'

const MINUTE = 60_000

/** The local day and minute of `at` in the hours' time zone. */
function local (format: Intl.DateTimeFormat, at: Date): { day: typeof DAYS[number], minute: number, second: number } {
  const parts = Object.fromEntries(format.formatToParts(at).map(p => [p.type, p.value]))
  return { day: parts.weekday!.toLowerCase() as typeof DAYS[number], minute: Number(parts.hour) * 60 + Number(parts.minute), second: Number(parts.second) }
}

const formats = new Map<string, Intl.DateTimeFormat>()
const formatFor = (timeZone: string): Intl.DateTimeFormat => {
  let format = formats.get(timeZone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    formats.set(timeZone, format)
  }
  return format
}

/**
 * Milliseconds between two instants that fall in business hours (all of them without hours).
 * Walks span edge to span edge, a few steps per day, so a weekend costs a handful of look-ups.
 */
export function businessMs (hours: BusinessHours | undefined, from: Date, to: Date): number {
  if (hours === undefined || to <= from) return Math.max(0, to.getTime() - from.getTime())
  const format = formatFor(hours.timezone)
  let total = 0
  let t = from.getTime()
  // A bounded walk (months of spans): hours with no span at all count nothing.
  for (let steps = 0; t < to.getTime() && steps < 4000; steps++) {
    const now = local(format, new Date(t))
    const spans = (hours.days[now.day] ?? []).map(s => s.split('-').map(hm => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3))) as [number, number])
    const open = spans.find(([a, b]) => now.minute >= a && now.minute < b)
    const intoMinute = now.second * 1000 + (t % 1000)
    if (open !== undefined) {
      const end = t + (open[1] - now.minute) * MINUTE - intoMinute
      total += Math.min(end, to.getTime()) - t
      t = end
    } else {
      const next = spans.map(([a]) => a).filter(a => a > now.minute).sort((x, y) => x - y)[0] ?? 24 * 60
      t += (next - now.minute) * MINUTE - intoMinute
    }
  }
  return total
}
