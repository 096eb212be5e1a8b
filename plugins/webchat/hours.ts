import { DAYS, type WebchatSettings } from './settings.js'

/** Whether `now` falls in the business hours (in their time zone); always open without any. */
export function isOpen (hours: WebchatSettings['businessHours'], now: Date): boolean {
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
