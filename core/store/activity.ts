/** Counters for supervisors' figures: each event is kept once, and counted per subject and kind. */
export interface ActivityStore {
  /** Something about an agent's work worth counting (an attitude warning). */
  recordAgentEvent (agentId: string, kind: string, at: Date): Promise<void>
  /** How many of each kind each agent has had since `since`. */
  countAgentEvents (since: Date): Promise<Array<{ agentId: string, kind: string, count: number }>>
  /** Something worth counting per channel (the FAQ robot's answers and hand-offs). */
  recordChannelEvent (channelId: string, kind: string, at: Date): Promise<void>
  countChannelEvents (since: Date): Promise<Array<{ channelId: string, kind: string, count: number }>>
}
