import { signal } from '@preact/signals'
import { me } from './state.js'

const ASKED_KEY = 'omnihub.inbox.notificationsAsked'

/** True until the agent answered the one-time question about desktop notifications. */
export const mayAsk = signal(typeof Notification !== 'undefined' && Notification.permission === 'default' && localStorage.getItem(ASKED_KEY) === null)

/** The tab's title with the unread conversations of the agent and the queue in front, as the agent chose. */
export function tabTitle (base: string, unread: number): string {
  return me.value?.notifications.tabTitle === true && unread > 0 ? `(${unread}) ${base}` : base
}

export async function askPermission (): Promise<void> {
  localStorage.setItem(ASKED_KEY, '1')
  mayAsk.value = false
  await Notification.requestPermission().catch(() => 'denied')
}

export function dismissAsk (): void {
  localStorage.setItem(ASKED_KEY, '1')
  mayAsk.value = false
}

let audio: AudioContext | null = null
/** A short two-tone chime, made on the spot: no sound file to ship. */
function chime (): void {
  try {
    audio ??= new AudioContext()
    const now = audio.currentTime
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator()
      const gain = audio.createGain()
      osc.frequency.value = freq
      gain.gain.setValueAtTime(0.0001, now + i * 0.12)
      gain.gain.exponentialRampToValueAtTime(0.15, now + i * 0.12 + 0.02)
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.25)
      osc.connect(gain).connect(audio.destination)
      osc.start(now + i * 0.12)
      osc.stop(now + i * 0.12 + 0.3)
    }
  } catch {}
}

let onNotificationClick: (conversationId: string) => void = () => {}
export function setNotificationClick (handler: (conversationId: string) => void): void { onNotificationClick = handler }

/** Only while the tab is hidden (an agent looking at the inbox sees the change already), as the agent chose. */
export function notifyHidden (title: string, body: string, conversationId: string): void {
  const wants = me.value?.notifications
  if (!document.hidden || wants === undefined) return
  if (wants.sound) chime()
  if (!wants.desktop || typeof Notification === 'undefined' || Notification.permission !== 'granted') return
  // Phones show notifications only through the service worker (its notificationclick opens the conversation).
  void navigator.serviceWorker?.getRegistration().then(worker => {
    if (worker !== undefined) return worker.showNotification(title, { body, tag: conversationId, icon: 'icon-192.png' })
    const n = new Notification(title, { body, tag: conversationId })
    n.onclick = () => { window.focus(); onNotificationClick(conversationId); n.close() }
  }).catch(() => {})
}
