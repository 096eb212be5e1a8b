/**
 * Trims what a reply repeats: the quoted history under it and the sender's signature. Agents see
 * the new words; the whole body is kept beside them. Patterns cover the common clients in
 * English and Chinese; when in doubt the text is left whole.
 */

const ATTRIBUTION = [
  /^On .{4,200}wrote:?\s*$/i, // Gmail, Apple Mail, Thunderbird
  /^-{2,}\s*Original Message\s*-{2,}$/i, // Outlook
  /^-{2,}\s*Forwarded message\s*-{2,}$/i,
  /^_{10,}$/, // Outlook's rule above the quoted header block
  /^在.{2,100}写道[:：]?\s*$/, // Chinese Gmail / Apple Mail
  /^-{2,}\s*原始邮件\s*-{2,}$/, // QQ Mail, NetEase
  /^-{2,}\s*(回复的原邮件|原始郵件)\s*-{2,}$/,
]

/** Outlook-style quoted header block: `From:` then `Sent:`/`Date:`, in English or Chinese. */
const isHeaderBlock = (line: string, next: string | undefined): boolean =>
  /^(From|发件人|發件人)\s*[:：]/i.test(line) && /^(Sent|Date|To|发送时间|發送時間|日期|时间)\s*[:：]/i.test(next?.trim() ?? '')

/** `-- ` is the standard delimiter; mobile clients add "Sent from my ...". */
const SIGNATURE = [/^--\s?$/, /^Sent from my .{2,40}$/i, /^Get Outlook for .{2,20}$/i, /^发自我的.{1,20}$/, /^從我的.{1,20}傳送$/]

export function trimReply (text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  let end = lines.length
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (ATTRIBUTION.some(p => p.test(line)) || SIGNATURE.some(p => p.test(line)) || isHeaderBlock(line, lines[i + 1])) {
      end = i
      break
    }
    // A run of quoted lines to the end of the message is history.
    if (line.startsWith('>') && lines.slice(i).every(l => l.trim() === '' || l.trim().startsWith('>'))) {
      end = i
      break
    }
  }
  const trimmed = lines.slice(0, end).join('\n').trim()
  return trimmed === '' ? text.trim() : trimmed
}
