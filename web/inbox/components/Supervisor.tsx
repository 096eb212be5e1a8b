import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, get } from '../api.js'
import { duration, known, t, time } from '../i18n.js'
import { agentName, agents, me, teams } from '../state.js'
import { onEvent } from '../stream.js'
import type { Agent, ChannelCounters, ContactSummary, ListItem, MonitorRow, RatingRow, RobotStats, SessionEvent, StatusChange, Waiting } from '../types.js'

interface AttitudeRow { agentId: string, name: string, warned: number, sentAnyway: number, blocked: number }
import { ChannelIcon } from './ChannelIcon.js'

/** Supervisors' view: who waits and why, how loaded each agent is, and the status log. */
export function Supervisor () {
  const [queue, setQueue] = useState<Waiting[]>([])
  const [log, setLog] = useState<StatusChange[]>([])
  const [attitude, setAttitude] = useState<AttitudeRow[]>([])
  const [upset, setUpset] = useState<ListItem[]>([])
  const [robot, setRobot] = useState<RobotStats[]>([])
  const [ratings, setRatings] = useState<RatingRow[]>([])
  const [counters, setCounters] = useState<ChannelCounters[]>([])
  const [monitor, setMonitor] = useState<Map<string, MonitorRow>>(new Map())
  const [sessions, setSessions] = useState<SessionEvent[]>([])
  const [problem, setProblem] = useState<string | null>(null)
  const [loadedAt, setLoadedAt] = useState(Date.now())
  const [, tick] = useState(0)
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async (): Promise<void> => {
      const [q, a, l, m, u, r, s, c, mo, si] = await Promise.all([
        get<{ items: Waiting[] }>('/queue'), get<{ items: Agent[] }>('/agents'), get<{ items: StatusChange[] }>('/agents/status-log?limit=50'),
        get<{ items: AttitudeRow[] }>('/guards/attitude?days=7'), get<{ items: ListItem[] }>('/conversations?mood=alert&status=open&limit=50'),
        get<{ items: RobotStats[] }>('/faq/stats?days=7'), get<{ items: RatingRow[] }>('/ratings?days=30'),
        get<{ items: ChannelCounters[] }>('/channels/counters?days=1'), get<{ items: MonitorRow[] }>('/monitor'), get<{ items: SessionEvent[] }>('/agents/sign-in-log?limit=50')
      ])
      setQueue(q.items); agents.value = a.items; setLog(l.items); setAttitude(m.items); setUpset(u.items); setRobot(r.items); setRatings(s.items); setCounters(c.items)
      setMonitor(new Map(mo.items.map(x => [x.agentId, x]))); setSessions(si.items); setLoadedAt(Date.now())
    }
    void load()
    const off = onEvent(event => {
      // A customer's message or an agent's reply moves the monitor's "longest wait" and "last reply"; status updates of messages do not.
      const turn = event.type === 'message.created' && (event.message.direction === 'inbound' || event.message.author.type === 'agent')
      if (event.type.startsWith('conversation.') || turn || event.type === 'queue.updated' || event.type === 'agent.status') {
        clearTimeout(timer)
        timer = setTimeout(() => { void load() }, 300)
      }
    })
    // Waiting times move on their own.
    const clock = setInterval(() => tick(n => n + 1), 1000)
    return () => { off(); clearTimeout(timer); clearInterval(clock) }
  }, [])
  /** Supervisors set their teams' agents' status (and their own); admins anyone's. */
  const overseen = (a: Agent): boolean => me.value !== null && (me.value.role === 'admin' || a.id === me.value.id || a.teams.some(x => me.value!.teams.includes(x)))
  const setStatus = async (id: string, status: string): Promise<void> => {
    try {
      const updated = await api<Agent>('PUT', `/agents/${id}/status`, { status })
      agents.value = agents.value.map(a => a.id === id ? updated : a)
      setProblem(null)
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : String(err))
    }
  }
  const teamName = (id: string | null): string => id === null ? '—' : teams.value.find(x => x.id === id)?.name ?? id
  const who = (c: ContactSummary | null): string => c?.name ?? c?.email ?? t('someone')
  return (
    <main class="supervisor">
      <Section id="queue" title={t('supervisor.queue')} count={queue.length} empty={t('supervisor.noQueue')}
        headers={[t('supervisor.position'), t('supervisor.contact'), t('supervisor.channel'), t('supervisor.team'), t('supervisor.reason'), t('supervisor.waiting')]}>
        {queue.map(w => (
          <tr data-id={w.conversation.id}>
            <td>{w.position}</td>
            <td><a href={`#/c/${w.conversation.id}`}>{who(w.contact)}</a></td>
            <td><ChannelIcon channelId={w.conversation.channelId} /> {w.conversation.channelId}</td>
            <td>{teamName(w.conversation.teamId)}</td>
            <td>{t(`reason.${w.reason}` as 'reason.no_agent_online')}</td>
            <td class="waiting">{duration(w.waitingMs + Date.now() - loadedAt)}</td>
          </tr>
        ))}
      </Section>
      {problem !== null && <p class="hint error" role="alert">{problem}</p>}
      <Section id="agents" title={t('supervisor.agents')}
        headers={[t('supervisor.agent'), t('supervisor.role'), t('supervisor.team'), t('supervisor.status'), t('supervisor.load'), t('supervisor.lastReply'), t('supervisor.longestWait'), t('supervisor.lastSeen')]}>
        {agents.value.map(a => { const m = monitor.get(a.id); return (
          <tr data-id={a.id}>
            <td>{a.name}</td><td>{a.role}</td><td>{a.teams.map(teamName).join(', ') || '—'}</td>
            <td>{overseen(a)
              ? (
                <select class={`status-pill status-${a.status}`} aria-label={t('supervisor.setStatus', { name: a.name })} value={a.status}
                  onChange={e => { void setStatus(a.id, e.currentTarget.value) }}>
                  {(['online', 'busy', 'offline'] as const).map(st => <option value={st}>{t(`status.${st}`)}</option>)}
                </select>
                )
              : <span class={`status-pill status-${a.status}`}>{t(`status.${a.status}`)}</span>}
            </td>
            <td class="load">{m === undefined ? a.activeCount : `${m.openConversations} / ${m.capacity}`}</td>
            <td class="last-reply">{m?.lastReplyAt == null ? '—' : t('supervisor.ago', { time: duration(Date.now() - Date.parse(m.lastReplyAt)) })}</td>
            <td class="longest-wait">{m?.longestWait == null
              ? '—'
              : <a href={`#/c/${m.longestWait.conversationId}`}>{duration(Date.now() - Date.parse(m.longestWait.since))}{m.unanswered > 1 ? ` · ${t('supervisor.unanswered', { n: m.unanswered })}` : ''}</a>}
            </td>
            <td>{a.lastSeenAt === null ? '—' : time(a.lastSeenAt)}</td>
          </tr>
        ) })}
      </Section>
      <Section id="upset" title={t('supervisor.upset')} count={upset.length} empty={t('supervisor.noUpset')}
        headers={[t('supervisor.contact'), t('supervisor.channel'), t('supervisor.agent'), t('supervisor.since')]}>
        {upset.map(c => (
          <tr data-id={c.id}>
            <td><a href={`#/c/${c.id}`}>{who(c.contact)}</a></td>
            <td><ChannelIcon channelId={c.channelId} /> {c.channelId}</td>
            <td>{c.assigneeId === null ? '—' : agentName(c.assigneeId)}</td>
            <td>{time(c.moodAlertAt!)}</td>
          </tr>
        ))}
      </Section>
      <Section id="attitude" title={t('supervisor.attitude')} empty={t('supervisor.noAttitude')}
        headers={[t('supervisor.agent'), t('supervisor.warned'), t('supervisor.sentAnyway'), t('supervisor.blocked')]}>
        {attitude.map(r => <tr data-id={r.agentId}><td>{r.name}</td><td>{r.warned}</td><td>{r.sentAnyway}</td><td>{r.blocked}</td></tr>)}
      </Section>
      <Section id="robot" title={t('supervisor.robot')} headers={[t('supervisor.channel'), t('supervisor.robotMode'), t('supervisor.asked'), t('supervisor.answered'), t('supervisor.hitRate'), t('supervisor.handoffs')]}>
        {robot.map(r => (
          <tr data-id={r.channelId}>
            <td><ChannelIcon channelId={r.channelId} /> {r.channelId}</td><td>{t(`robot.${r.mode}`)}</td><td>{r.asked}</td><td>{r.answered}</td>
            <td>{r.hitRate === null ? '—' : `${Math.round(r.hitRate * 100)}%`}</td>
            <td title={t('supervisor.handoffReasons', { human: r.handoffs.asked_for_human, none: r.handoffs.no_answer, failed: r.handoffs.failed_turns })}>{r.handoffs.total}</td>
          </tr>
        ))}
      </Section>
      {counters.map(c => (
        <Section id={`counters-${c.channelId}`} title={`${t('supervisor.counters')}: ${c.channelId}`} headers={[...Object.keys(c.counts).map(k => known(`counter.${k}`) ?? k), t('supervisor.suppressed')]}>
          {[
            <tr data-id={c.channelId}>
              {Object.entries(c.counts).map(([k, n]) => <td data-counter={k}>{n}</td>)}
              <td>{(Object.entries(c.suppressed) as Array<[keyof ChannelCounters['suppressed'], number]>).filter(([, n]) => n > 0).map(([reason, n]) => `${n} ${t(`suppressed.${reason}`)}`).join(' · ') || '0'}</td>
            </tr>
          ]}
        </Section>
      ))}
      <Section id="ratings" title={t('supervisor.ratings')} empty={t('supervisor.noRatings')} headers={[t('supervisor.agent'), t('supervisor.channel'), t('supervisor.ratingCount'), t('supervisor.average'), t('supervisor.satisfied')]}>
        {ratings.map(r => (
          <tr data-id={`${r.agentId ?? 'robot'}-${r.channelId}`}>
            <td>{r.agentName ?? t('msg.bot')}</td><td><ChannelIcon channelId={r.channelId} /> {r.channelId}</td><td>{r.count}</td>
            <td>{r.average.toFixed(2)} ★</td><td>{Math.round(r.satisfied / r.count * 100)}%</td>
          </tr>
        ))}
      </Section>
      <Section id="sessions" title={t('supervisor.sessions')} empty={t('supervisor.noSessions')} headers={[t('supervisor.at'), t('supervisor.agent'), t('supervisor.event'), t('supervisor.from')]}>
        {sessions.map(e => (
          <tr><td>{time(e.at)}</td><td>{agentName(e.agentId)}</td>
            <td>{e.event === 'sign_out' ? t('session.sign_out') : t(`session.${e.method ?? 'token'}`)}</td>
            <td>{[e.ip, e.userAgent].filter(x => x !== null).join(' · ') || '—'}</td></tr>
        ))}
      </Section>
      <Section id="log" title={t('supervisor.log')} headers={[t('supervisor.at'), t('supervisor.agent'), t('supervisor.status'), t('supervisor.source')]}>
        {log.map(e => <tr><td>{time(e.at)}</td><td>{agentName(e.agentId)}</td><td>{t(`status.${e.status}`)}</td><td>{e.source}{e.ip !== null ? ` · ${e.ip}` : ''}</td></tr>)}
      </Section>
    </main>
  )
}

/** A titled table (its class is its id), or a sentence instead when it has no rows and says what that means. */
function Section ({ id, title, count, empty, headers, children }: { id: string, title: string, count?: number, empty?: string, headers: string[], children: ComponentChildren[] }) {
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}{count !== undefined && <> <span class="count">{count}</span></>}</h2>
      {empty !== undefined && children.length === 0
        ? <p class="empty">{empty}</p>
        : (
          <table class={id}>
            <thead><tr>{headers.map(h => <th>{h}</th>)}</tr></thead>
            <tbody>{children}</tbody>
          </table>
          )}
    </section>
  )
}
