import { useEffect, useState } from 'preact/hooks'
import { ApiError, get, query, session } from '../api.js'
import { duration, t } from '../i18n.js'
import { agents, channels, me, teams } from '../state.js'

type Cell = string | number | null
type Row = Record<string, Cell>
interface Table { table: string, from: string, to: string, timeZone: string, groupBy: string, columns: string[], rows: Row[] }
interface Cut { from: string, to: string, groupBy: string, channel: string, team: string, agent: string, tag: string }
interface Loaded { summary: Table, timeseries: Table, agents: Table, firstResponse: Table }

const pct = (v: Cell): string => v === null ? '—' : `${Math.round(Number(v) * 1000) / 10}%`
const ms = (v: Cell): string => v === null ? '—' : duration(Number(v))
const num = (v: Cell): string => v === null ? '—' : String(v)

/** How each figure reads in a card or a table cell. */
const FORMAT: Record<string, (v: Cell) => string> = {
  firstResponseAvgMs: ms, responseAvgMs: ms, resolutionAvgMs: ms, queueWaitAvgMs: ms, responseRate: pct, satisfiedRate: pct,
  ratingAvg: v => v === null ? '—' : `${Number(v).toFixed(2)} ★`
}
const show = (column: string, v: Cell): string => (FORMAT[column] ?? num)(v)
const withoutYear = (label: string): string => label.slice(5)
/** A first-response bucket by its upper bound (the last has none). */
const bucketLabel = (r: Row): string => r.upToSeconds === null ? `> ${duration(24 * 3600 * 1000)}` : `≤ ${duration(Number(r.upToSeconds) * 1000)}`
const CARDS = ['customerMessages', 'replies', 'firstResponseAvgMs', 'responseRate', 'resolutionAvgMs', 'queueWaitAvgMs', 'robotHandled', 'ratingAvg', 'slaBreaches']

const search = (cut: Cut, table: string, format?: 'csv'): string =>
  `/reports/${table}${query({ from: cut.from, to: cut.to, groupBy: cut.groupBy, channel: cut.channel, team: cut.team, agent: cut.agent, tag: cut.tag.trim(), format })}`

/** The CSV of a table, downloaded with the agent's token (a plain link would carry none). */
async function download (cut: Cut, table: string): Promise<void> {
  const response = await fetch(`/api/v1${search(cut, table, 'csv')}`, { headers: { authorization: `Bearer ${session.token ?? ''}` } })
  if (!response.ok) throw new Error(((await response.json().catch(() => ({}))) as { message?: string }).message ?? response.statusText)
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `${table}.csv`
  const link = document.createElement('a')
  link.href = URL.createObjectURL(await response.blob())
  link.download = name
  link.click()
  URL.revokeObjectURL(link.href)
}

/** Bars per bucket for one or more series (volumes), or lines (times); an axis label gives the scale. */
function Chart ({ id, title, labels, series, kind, format, short = l => l }: {
  id: string, title: string, labels: string[], series: Array<{ name: string, values: Array<number | null> }>, kind: 'bars' | 'lines', format: (v: number) => string, short?: (label: string) => string
}) {
  const W = 640
  const H = 180
  const max = Math.max(1, ...series.flatMap(s => s.values.map(v => v ?? 0)))
  const step = W / Math.max(1, labels.length)
  const y = (v: number): number => H - (v / max) * (H - 10)
  return (
    <figure class={`chart ${id}`} data-chart={id}>
      <figcaption>{title} <span class="legend">{series.map((s, i) => <span class={`key s${i}`}>{s.name}</span>)}</span></figcaption>
      <svg viewBox={`0 0 ${W} ${H + 20}`} role="img" aria-label={title}>
        <text class="axis" x="0" y="10">{format(max)}</text>
        {kind === 'bars'
          ? series.map((s, i) => s.values.map((v, j) => v === null || v === 0 ? null : (
            <rect class={`s${i}`} x={j * step + i * (step / series.length) + 2} y={y(v)} width={Math.max(1, step / series.length - 4)} height={H - y(v)}>
              <title>{`${labels[j]}: ${s.name} ${format(v)}`}</title>
            </rect>)))
          : series.map((s, i) => (
            <g class={`s${i}`}>
              <polyline fill="none" points={s.values.map((v, j) => v === null ? null : `${j * step + step / 2},${y(v)}`).filter(p => p !== null).join(' ')} />
              {s.values.map((v, j) => v === null ? null : <circle cx={j * step + step / 2} cy={y(v)} r="3"><title>{`${labels[j]}: ${s.name} ${format(v)}`}</title></circle>)}
            </g>
          ))}
        {labels.map((l, j) => (j % Math.ceil(labels.length / 8) === 0) && <text class="axis" x={j * step + 2} y={H + 15}>{short(l)}</text>)}
      </svg>
    </figure>
  )
}

/** A report table as the hub sent it, with its CSV download. */
function DataTable ({ id, title, table, cut, first, hide = [], onError }: { id: string, title: string, table: Table, cut: Cut, first?: (row: Row) => string, hide?: string[], onError: (message: string) => void }) {
  const columns = table.columns.filter(c => !hide.includes(c))
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title} <button class="link csv" data-table={table.table} onClick={() => { download(cut, table.table).catch((err: Error) => onError(err.message)) }}>{t('reports.csv')}</button></h2>
      {table.rows.length === 0
        ? <p class="empty">{t('reports.nothing')}</p>
        : (
          <div class="table-scroll"><table class={id}>
            <thead><tr>{columns.map(c => <th>{t(`reports.col.${c}` as 'reports.col.bucket')}</th>)}</tr></thead>
            <tbody>{table.rows.map(r => <tr>{columns.map((c, i) => <td>{i === 0 && first !== undefined ? first(r) : show(c, r[c] ?? null)}</td>)}</tr>)}</tbody>
          </table></div>
          )}
    </section>
  )
}

/** Reports: supervisors and admins cut the team's figures; an agent sees their own. */
export function Reports () {
  const supervisor = me.value?.role !== 'agent'
  const [cut, setCut] = useState<Cut>({ from: '', to: '', groupBy: 'day', channel: '', team: '', agent: '', tag: '' })
  const [data, setData] = useState<Loaded | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  useEffect(() => {
    let stale = false
    void (async () => {
      try {
        const [summary, timeseries, byAgent, firstResponse] = await Promise.all(['summary', 'timeseries', 'agents', 'first-response'].map(async table => await get<Table>(search(cut, table))))
        if (stale) return
        setData({ summary: summary!, timeseries: timeseries!, agents: byAgent!, firstResponse: firstResponse! })
        setProblem(null)
        // The hub's defaults (the last 7 days in its time zone) show in the date fields.
        if (cut.from === '' || cut.to === '') setCut(c => ({ ...c, from: summary!.from, to: summary!.to }))
      } catch (err) {
        if (!stale) setProblem(err instanceof ApiError ? err.message : String(err))
      }
    })()
    return () => { stale = true }
  }, [cut])
  const set = (key: keyof Cut) => (e: Event): void => { const value = (e.currentTarget as HTMLInputElement).value; setCut(c => ({ ...c, [key]: value })) }
  const figures = data?.summary.rows[0] ?? {}
  const series = data?.timeseries.rows ?? []
  const labels = series.map(r => String(r.bucket))
  const column = (name: string): Array<number | null> => series.map(r => r[name] === null ? null : Number(r[name]))
  return (
    <main class="reports">
      <form class="report-cut" onSubmit={e => e.preventDefault()}>
        <label>{t('reports.from')} <input type="date" name="from" value={cut.from} onChange={set('from')} /></label>
        <label>{t('reports.to')} <input type="date" name="to" value={cut.to} onChange={set('to')} /></label>
        <label>{t('reports.groupBy')} <select name="groupBy" value={cut.groupBy} onChange={set('groupBy')}>
          {['hour', 'day', 'week'].map(g => <option value={g}>{t(`reports.by.${g}` as 'reports.by.day')}</option>)}
        </select></label>
        <label>{t('filter.channel')} <select name="channel" value={cut.channel} onChange={set('channel')}>
          <option value="">{t('filter.allChannels')}</option>
          {[...channels.value.keys()].map(id => <option value={id}>{id}</option>)}
        </select></label>
        {supervisor && (
          <>
            <label>{t('supervisor.team')} <select name="team" value={cut.team} onChange={set('team')}>
              <option value="">{t('reports.allTeams')}</option>
              {teams.value.map(x => <option value={x.id}>{x.name}</option>)}
            </select></label>
            <label>{t('supervisor.agent')} <select name="agent" value={cut.agent} onChange={set('agent')}>
              <option value="">{t('reports.allAgents')}</option>
              {agents.value.map(a => <option value={a.id}>{a.name}</option>)}
            </select></label>
          </>
        )}
        <label>{t('filter.tag')} <input name="tag" value={cut.tag} onChange={set('tag')} /></label>
      </form>
      {!supervisor && <p class="hint">{t('reports.own')}</p>}
      {problem !== null && <p class="hint error" role="alert">{problem}</p>}
      {data !== null && (
        <>
          <p class="hint">{t('reports.range', { from: data.summary.from, to: data.summary.to, zone: data.summary.timeZone })}</p>
          <dl class="cards">
            {CARDS.map(c => <div class="figure" data-figure={c}><dt>{t(`reports.col.${c}` as 'reports.col.bucket')}</dt><dd>{show(c, figures[c] ?? null)}</dd></div>)}
          </dl>
          <div class="charts">
            <Chart id="volumes" title={t('reports.volumes')} kind="bars" labels={labels} format={v => String(Math.round(v))} short={withoutYear}
              series={[{ name: t('reports.col.customerMessages'), values: column('customerMessages') }, { name: t('reports.col.replies'), values: column('replies') }]} />
            <Chart id="times" title={t('reports.times')} kind="lines" labels={labels} format={duration} short={withoutYear}
              series={[{ name: t('reports.col.firstResponseAvgMs'), values: column('firstResponseAvgMs') }, { name: t('reports.col.responseAvgMs'), values: column('responseAvgMs') }]} />
            <figure class="chart rate" data-chart="rate">
              <figcaption>{t('reports.ratePerAgent')}</figcaption>
              {data.agents.rows.filter(r => r.agentId !== null && r.responseRate !== null).map(r => (
                <div class="hbar" data-agent={String(r.agentId)}>
                  <span class="name">{String(r.agentName ?? r.agentId)}</span>
                  <span class="bar"><span style={{ width: pct(r.responseRate ?? null) }} /></span>
                  <span class="value">{pct(r.responseRate ?? null)}</span>
                </div>
              ))}
            </figure>
            <Chart id="first-response" title={t('reports.distribution')} kind="bars" format={v => String(Math.round(v))}
              labels={data.firstResponse.rows.map(bucketLabel)}
              series={[{ name: t('reports.col.count'), values: data.firstResponse.rows.map(r => Number(r.count)) }]} />
          </div>
          <DataTable id="timeseries" title={t('reports.timeseries')} table={data.timeseries} cut={cut} onError={setProblem} />
          <DataTable id="agents" title={t('reports.agents')} table={data.agents} cut={cut} onError={setProblem} hide={['agentId']} first={r => String(r.agentName ?? t('reports.noAgent'))} />
          <DataTable id="first-response" title={t('reports.distribution')} table={data.firstResponse} cut={cut} onError={setProblem} first={bucketLabel} />
        </>
      )}
    </main>
  )
}
