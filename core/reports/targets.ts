import type { HubConfig } from '../config/index.js'

export interface Targets {
  responseTargetMs: number
  /** 0: no response-time alert. */
  alertAfterMs: number
}

/** A channel's targets win over its team's, a team's over the hub's. */
export function targetsFor (reports: HubConfig['reports'], channelId: string, teamId: string | null): Targets {
  const own = { ...(teamId !== null ? reports.teams[teamId] : undefined), ...reports.channels[channelId] }
  return {
    responseTargetMs: (own.responseTargetSeconds ?? reports.responseTargetSeconds) * 1000,
    alertAfterMs: (own.alertAfterSeconds ?? reports.alertAfterSeconds) * 1000
  }
}

/** What the schema cannot say: an unknown time zone, targets for a channel that is not configured. */
export function reportProblems (reports: HubConfig['reports'] | undefined, channelIds: string[]): string[] {
  if (reports === undefined) return []
  const problems: string[] = []
  try {
    new Intl.DateTimeFormat('en', { timeZone: reports.timeZone })
  } catch {
    problems.push(`reports.timeZone: "${reports.timeZone}" is not a time zone; use an IANA name such as Asia/Shanghai or Europe/Berlin`)
  }
  for (const id of Object.keys(reports.channels)) {
    if (!channelIds.includes(id)) problems.push(`reports.channels.${id}: no channel "${id}" is configured (channels: ${channelIds.join(', ')})`)
  }
  return problems
}
