/** Text into Slack mrkdwn: &, < and > escaped, so a customer's text can neither link nor ping (<!channel>). */
export function escapeMrkdwn (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Quoted as a block quote, line by line. */
export function quote (text: string): string {
  return text.split('\n').map(line => `>${line}`).join('\n')
}

/** Cut to `max` characters on a character boundary, marked when cut. */
export function clip (text: string, max: number): string {
  const chars = [...text]
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…'
}

/**
 * An agent's Slack message as the customer should read it: Slack's links, mentions and
 * entities written out (`<https://x|the guide>` → `the guide (https://x)`).
 */
export function plainFromSlack (text: string): string {
  return text
    .replace(/<([^<>|]+)(?:\|([^<>]*))?>/g, (_all, target: string, label: string | undefined) => {
      if (target.startsWith('@') || target.startsWith('#')) return label !== undefined ? (label.startsWith(target[0]!) ? label : target[0] + label) : target
      if (target.startsWith('!')) return label ?? `@${target.slice(1).split('^')[0]}`
      const url = target.replace(/^mailto:/, '')
      return label === undefined || label === url || label === target ? url : `${label} (${url})`
    })
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}
