/** The agent's words as text and HTML, with the customer's last message quoted under them. */
export function composeReply (written: string, quoted: { text: string, at: Date, from: string } | null, signature: string | null = null): { text: string, html: string } {
  // The signature under the reply, after the conventional "-- " line mail clients recognise.
  const text = signature === null ? written : `${written}\n\n-- \n${signature}`
  const paragraphs = `<div>${escapeHtml(text).replace(/\r?\n/g, '<br>')}</div>`
  if (quoted === null) return { text, html: paragraphs }
  const attribution = `On ${quoted.at.toUTCString()}, ${quoted.from} wrote:`
  return {
    text: `${text}\n\n${attribution}\n${quoted.text.split(/\r?\n/).map(line => `> ${line}`).join('\n')}`,
    html: `${paragraphs}<br><div>${escapeHtml(attribution)}</div><blockquote style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">${escapeHtml(quoted.text).replace(/\r?\n/g, '<br>')}</blockquote>`
  }
}

function escapeHtml (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
