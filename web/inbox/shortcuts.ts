import { signal } from '@preact/signals'
import { ApiError, api } from './api.js'
import type { Key } from './i18n.js'
import { applyConversation, me, openConversation, openId, rows } from './state.js'
import type { Conversation } from './types.js'

/** The `?` overlay is open. */
export const shortcutsShown = signal(false)
/** What a shortcut could not do (a refused close, say), shown until the next one. */
export const shortcutError = signal<string | null>(null)

/** The inbox's keys, each with the sentence the overlay shows; typing in a field never triggers one. */
export const SHORTCUTS: Array<{ keys: string[], label: Key, run: () => void | Promise<void> }> = [
  { keys: ['j'], label: 'keys.next', run: () => step(1) },
  { keys: ['k'], label: 'keys.previous', run: () => step(-1) },
  { keys: ['a'], label: 'keys.assign', run: async () => await act('assign', {}) },
  { keys: ['x'], label: 'keys.close', run: async () => await act('close') },
  { keys: ['r'], label: 'keys.reply', run: () => { replyBox()?.focus() } },
  { keys: ['p'], label: 'keys.phrases', run: () => { document.querySelector<HTMLButtonElement>('.conversation-pane .phrase-button:not([aria-expanded="true"])')?.click() } },
  { keys: ['?'], label: 'keys.help', run: () => { shortcutsShown.value = !shortcutsShown.value } }
]

const replyBox = (): HTMLTextAreaElement | null => document.querySelector('.conversation-pane .composer textarea')

/** Opens the next (or previous) conversation of the list. */
function step (by: number): void {
  const list = rows.value
  if (list.length === 0) return
  // The address moves first; the open conversation follows once it loaded: j j steps twice.
  const current = /^#\/c\/([\w-]+)/.exec(location.hash)?.[1] ?? openId.value
  const at = list.findIndex(r => r.id === current)
  const next = list[at === -1 ? 0 : Math.min(Math.max(at + by, 0), list.length - 1)]!
  location.hash = `#/c/${next.id}`
  document.querySelector(`.conv-row[data-id="${next.id}"]`)?.scrollIntoView({ block: 'nearest' })
}

async function act (path: 'assign' | 'close', body?: unknown): Promise<void> {
  const conversation = openConversation.value
  if (conversation === null || conversation.status === 'closed' || (path === 'assign' && conversation.assigneeId === me.value?.id)) return
  try {
    await applyConversation(await api<Conversation>('POST', `/conversations/${conversation.id}/${path}`, body))
  } catch (err) {
    shortcutError.value = err instanceof ApiError ? err.message : String(err)
  }
}

const typingIn = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))

/** Listens on the page; Escape leaves the reply box (then the next key is a shortcut again) and closes the overlay. */
export function listenForShortcuts (): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') {
      shortcutsShown.value = false
      if (typingIn(e.target) && e.target === replyBox()) replyBox()?.blur()
      return
    }
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || typingIn(e.target)) return
    const shortcut = SHORTCUTS.find(s => s.keys.includes(e.key))
    if (shortcut === undefined) return
    e.preventDefault()
    shortcutError.value = null
    void shortcut.run()
  }
  document.addEventListener('keydown', onKey)
  return () => document.removeEventListener('keydown', onKey)
}
