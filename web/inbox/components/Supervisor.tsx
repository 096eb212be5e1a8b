import { useEffect, useState } from 'preact/hooks'
import { get } from '../api.js'
import { duration, t, time } from '../i18n.js'
import { agentName, agents, teams } from '../state.js'
import { onEvent } from '../stream.js'
import type { Agent, ListItem, StatusChange, Waiting } from '../types.js'

interface AttitudeRow { agentId: string, name: string, warned: number, sentAnyway: number, blocked: number }
import { ChannelIcon } from './ChannelIcon.js'

/** Supervisors' view: who waits and why, how loaded each agent is, and the status log. */
export function Supervisor () {
  const [queue, setQueue] = useState<Waiting[]>([])
  const [log, setLog] = useState<StatusChange[]>([])
  const [attitude, setAttitude] = useState<AttitudeRow[]>([])
  const [upset, setUpset] = useState<ListItem[]>([])
  const [loadedAt, setLoadedAt] = useState(Date.now())
  const [, tick] = useState(0)
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async (): Promise<void> => {
      const [q, a, l, m, u] = await Promise.all([
        get<{ items: Waiting[] }>('/queue'), get<{ items: Agent[] }>('/agents'), get<{ items: StatusChange[] }>('/agents/status-log?limit=50'),
        get<{ items: AttitudeRow[] }>('/guards/attitude?days=7'), get<{ items: ListItem[] }>('/conversations?mood=alert&status=open&limit=50')
      ])
      setQueue(q.items); agents.value = a.items; setLog(l.items); setAttitude(m.items); setUpset(u.items); setLoadedAt(Date.now())
    }
    void load()
    const off = onEvent(event => {
      if (event.type.startsWith('conversation.') || event.type === 'queue.updated' || event.type === 'agent.status') {
        clearTimeout(timer)
        timer = setTimeout(() => { void load() }, 300)
      }
    })
    // Waiting times move on their own.
    const clock = setInterval(() => tick(n => n + 1), 1000)
    return () => { off(); clearTimeout(timer); clearInterval(clock) }
  }, [])
  const teamName = (id: string | null): string => id === null ? '—' : teams.value.find(x => x.id === id)?.name ?? id
  return (
    <main class="supervisor">
      <section aria-labelledby="queue-title">
        <h2 id="queue-title">{t('supervisor.queue')} <span class="count">{queue.length}</span></h2>
        {queue.length === 0
          ? <p class="empty">{t('supervisor.noQueue')}</p>
          : (
            <table class="queue">
              <thead><tr><th>{t('supervisor.position')}</th><th>{t('supervisor.contact')}</th><th>{t('supervisor.channel')}</th><th>{t('supervisor.team')}</th><th>{t('supervisor.reason')}</th><th>{t('supervisor.waiting')}</th></tr></thead>
              <tbody>
                {queue.map(w => (
                  <tr data-id={w.conversation.id}>
                    <td>{w.position}</td>
                    <td><a href={`#/c/${w.conversation.id}`}>{w.contact?.name ?? w.contact?.email ?? t('someone')}</a></td>
                    <td><ChannelIcon channelId={w.conversation.channelId} /> {w.conversation.channelId}</td>
                    <td>{teamName(w.conversation.teamId)}</td>
                    <td>{t(`reason.${w.reason}` as 'reason.no_agent_online')}</td>
                    <td class="waiting">{duration(w.waitingMs + Date.now() - loadedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            )}
      </section>
      <section aria-labelledby="agents-title">
        <h2 id="agents-title">{t('supervisor.agents')}</h2>
        <table class="agents">
          <thead><tr><th>{t('supervisor.agent')}</th><th>{t('supervisor.role')}</th><th>{t('supervisor.team')}</th><th>{t('supervisor.status')}</th><th>{t('supervisor.load')}</th><th>{t('supervisor.lastSeen')}</th></tr></thead>
          <tbody>
            {agents.value.map(a => (
              <tr data-id={a.id}>
                <td>{a.name}</td><td>{a.role}</td><td>{a.teams.map(teamName).join(', ') || '—'}</td>
                <td><span class={`status-pill status-${a.status}`}>{t(`status.${a.status}`)}</span></td>
                <td>{a.activeCount}{a.capacity !== null ? ` / ${a.capacity}` : ''}</td>
                <td>{a.lastSeenAt === null ? '—' : time(a.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="upset-title">
        <h2 id="upset-title">{t('supervisor.upset')} <span class="count">{upset.length}</span></h2>
        {upset.length === 0
          ? <p class="empty">{t('supervisor.noUpset')}</p>
          : (
            <table class="upset">
              <thead><tr><th>{t('supervisor.contact')}</th><th>{t('supervisor.channel')}</th><th>{t('supervisor.agent')}</th><th>{t('supervisor.since')}</th></tr></thead>
              <tbody>
                {upset.map(c => (
                  <tr data-id={c.id}>
                    <td><a href={`#/c/${c.id}`}>{c.contact?.name ?? c.contact?.email ?? t('someone')}</a></td>
                    <td><ChannelIcon channelId={c.channelId} /> {c.channelId}</td>
                    <td>{c.assigneeId === null ? '—' : agentName(c.assigneeId)}</td>
                    <td>{time(c.moodAlertAt!)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            )}
      </section>
      <section aria-labelledby="attitude-title">
        <h2 id="attitude-title">{t('supervisor.attitude')}</h2>
        {attitude.length === 0
          ? <p class="empty">{t('supervisor.noAttitude')}</p>
          : (
            <table class="attitude">
              <thead><tr><th>{t('supervisor.agent')}</th><th>{t('supervisor.warned')}</th><th>{t('supervisor.sentAnyway')}</th><th>{t('supervisor.blocked')}</th></tr></thead>
              <tbody>{attitude.map(r => <tr data-id={r.agentId}><td>{r.name}</td><td>{r.warned}</td><td>{r.sentAnyway}</td><td>{r.blocked}</td></tr>)}</tbody>
            </table>
            )}
      </section>
      <section aria-labelledby="log-title">
        <h2 id="log-title">{t('supervisor.log')}</h2>
        <table class="log">
          <thead><tr><th>{t('supervisor.at')}</th><th>{t('supervisor.agent')}</th><th>{t('supervisor.status')}</th><th>{t('supervisor.source')}</th></tr></thead>
          <tbody>{log.map(e => <tr><td>{time(e.at)}</td><td>{agentName(e.agentId)}</td><td>{t(`status.${e.status}`)}</td><td>{e.source}{e.ip !== null ? ` · ${e.ip}` : ''}</td></tr>)}</tbody>
        </table>
      </section>
    </main>
  )
}
