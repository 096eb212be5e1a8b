const calendars = new Map<string, Calendar>()
/** One calendar per time zone, its day look-ups shared. */
export const calendarFor = (timeZone: string): Calendar => {
  let calendar = calendars.get(timeZone)
  if (calendar === undefined) { calendar = new Calendar(timeZone); calendars.set(timeZone, calendar) }
  return calendar
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

/** Dates and hours in the hub's time zone: report ranges are whole local days, buckets local hours, days or weeks. */
export class Calendar {
  private readonly format: Intl.DateTimeFormat
  constructor (readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-CA', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short'
    })
  }

  /** The local date (YYYY-MM-DD), hour and weekday (0: Sunday) of an instant, and its wall time read as UTC. */
  local (at: number): { date: string, hour: number, weekday: number, wall: number } {
    const p = Object.fromEntries(this.format.formatToParts(at).map(x => [x.type, x.value]))
    const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute))
    return { date: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour), weekday: WEEKDAYS.indexOf(p.weekday!), wall }
  }

  /** The instant a local date (YYYY-MM-DD) begins; looked up twice, so a change of offset near midnight is followed. */
  startOf (date: string): number {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number]
    const wall = Date.UTC(y, m - 1, d)
    const offset = (at: number): number => this.local(at).wall - Math.floor(at / 60_000) * 60_000
    const first = wall - offset(wall)
    return wall - offset(first)
  }

  private readonly days = new Map<number, number>()

  /** The hour (since the epoch) in which the local day holding `hour` begins: the key of that day's counters. */
  dayOf (hour: number): number {
    let day = this.days.get(hour)
    if (day === undefined) {
      day = Math.floor(this.startOf(this.local(hour * 3_600_000).date) / 3_600_000)
      if (this.days.size > 100_000) this.days.clear()
      this.days.set(hour, day)
    }
    return day
  }

  /** The local date after `date`. */
  static next (date: string): string {
    return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
  }
}
