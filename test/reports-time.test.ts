import t from 'tap'
import { businessMs } from '../core/reports/business-time.js'
import { Calendar } from '../core/reports/calendar.js'

const MIN = 60_000
const at = (iso: string): Date => new Date(iso)

t.test('business time: only open spans count, across lunch, nights and weekends, in the hours\' zone', async t => {
  const hours = { timezone: 'Asia/Shanghai', days: { mon: ['09:00-12:00', '13:00-18:00'], fri: ['09:00-18:00'] } }
  t.equal(businessMs(hours, at('2026-11-02T01:00:00Z'), at('2026-11-02T01:30:00Z')), 30 * MIN, 'inside a span: all of it')
  t.equal(businessMs(hours, at('2026-11-02T03:50:00Z'), at('2026-11-02T05:10:00Z')), 20 * MIN, '11:50 to 13:10: lunch does not count')
  t.equal(businessMs(hours, at('2026-11-06T09:55:00Z'), at('2026-11-09T01:05:00Z')), 10 * MIN, 'Friday 17:55 to Monday 09:05: the weekend does not count')
  t.equal(businessMs(hours, at('2026-11-03T02:00:00Z'), at('2026-11-03T05:00:00Z')), 0, 'a closed day counts nothing')
  t.equal(businessMs(undefined, at('2026-11-03T02:00:00Z'), at('2026-11-03T05:00:00Z')), 3 * 60 * MIN, 'no hours: every minute counts')
  t.equal(businessMs(hours, at('2026-11-02T01:00:30Z'), at('2026-11-02T01:01:10Z')), 40_000, 'to the second')
})

t.test('the calendar: local midnights, also on a day the clocks change', async t => {
  const berlin = new Calendar('Europe/Berlin')
  t.equal(new Date(berlin.startOf('2026-07-01')).toISOString(), '2026-06-30T22:00:00.000Z', 'summer time')
  t.equal(new Date(berlin.startOf('2026-12-01')).toISOString(), '2026-11-30T23:00:00.000Z', 'winter time')
  t.equal(new Date(berlin.startOf('2026-10-25')).toISOString(), '2026-10-24T22:00:00.000Z', 'the day summer time ends begins in summer time')
  t.equal(new Date(berlin.startOf('2026-10-26')).toISOString(), '2026-10-25T23:00:00.000Z', 'and the next in winter time')
  const shanghai = new Calendar('Asia/Shanghai')
  t.equal(shanghai.dayOf(Date.parse('2026-11-02T15:30:00Z') / 3_600_000), Date.parse('2026-11-01T16:00:00Z') / 3_600_000, 'a day\'s counters are keyed by the hour its midnight falls in')
  t.equal(Calendar.next('2026-12-31'), '2027-01-01')
})
