import { channels } from '../state.js'

const PATHS: Record<string, string> = {
  webchat: 'M4 4h16v11H8l-4 4z',
  messenger: 'M12 3C7 3 3 6.7 3 11.3c0 2.6 1.3 4.9 3.3 6.4V21l3-1.7c.9.3 1.8.4 2.7.4 5 0 9-3.7 9-8.4S17 3 12 3zm1 11l-2.5-2.6L6 14l5-5.3 2.5 2.6L18 9z',
  email: 'M3 5h18v14H3zm0 1l9 7 9-7',
  api: 'M8 6l-5 6 5 6M16 6l5 6-5 6',
  marketplace: 'M5 8h14l-1 12H6zM9 8a3 3 0 0 1 6 0',
  slack: 'M9 3v18M15 3v18M3 9h18M3 15h18'
}
const COLORS: Record<string, string> = { webchat: '#2563eb', messenger: '#7c3aed', email: '#b45309', api: '#0f766e', marketplace: '#db2777', slack: '#4a154b' }

/** A channel's icon by its plugin, titled with the channel's id. */
export function ChannelIcon ({ channelId, size = 16 }: { channelId: string, size?: number }) {
  const plugin = channels.value.get(channelId)?.plugin ?? ''
  const filled = plugin === 'messenger'
  return (
    <svg class="channel-icon" data-channel={channelId} width={size} height={size} viewBox="0 0 24 24" role="img" aria-label={channelId}
      fill={filled ? COLORS[plugin] : 'none'} stroke={filled ? 'none' : COLORS[plugin] ?? '#64748b'} stroke-width="2" stroke-linejoin="round" stroke-linecap="round">
      <title>{channelId}</title>
      <path d={PATHS[plugin] ?? 'M12 12m-6 0a6 6 0 1 0 12 0a6 6 0 1 0 -12 0'} />
    </svg>
  )
}

/** A paperclip, drawn: the machines agents use may have no emoji font. */
export function Clip () {
  return (
    <svg class="clip" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true">
      <path d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7" />
    </svg>
  )
}
