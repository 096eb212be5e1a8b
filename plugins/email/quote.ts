/**
 * Trims what a reply repeats: the quoted history under it and the sender's signature. Agents see
 * the new words; the whole body is kept beside them. Patterns cover the common clients in
 * English and Chinese, and Outlook's header block in German, French, Spanish and Japanese too;
 * when in doubt the text is left whole.
 */

const ATTRIBUTION = [
  /^On .{4,200}wrote:?\s*$/i, // Gmail, Apple Mail, Thunderbird
  /^(Am .{4,200}schrieb .{1,200}|Le .{4,200}a écrit|El .{4,200}escribió)\s*:\s*$/i, // the same in German, French, Spanish
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|元のメッセージ)\s*-{2,}$/i, // Outlook
  /^-{2,}\s*Forwarded message\s*-{2,}$/i,
  /^_{10,}$/, // Outlook's rule above the quoted header block
  /^在.{2,100}写道[:：]?\s*$/, // Chinese Gmail / Apple Mail
  /^-{2,}\s*原始邮件\s*-{2,}$/, // QQ Mail, NetEase
  /^-{2,}\s*(回复的原邮件|原始郵件)\s*-{2,}$/,
]

/** Outlook's quoted header block: `From:` then `Sent:`/`Date:`/`To:`, as each language labels them (French puts a space before the colon). */
const HEADER_FROM = /^(From|Von|De|Da|Van|差出人|发件人|發件人|寄件者)\s*[:：]/i
const HEADER_NEXT = /^(Sent|Date|To|Gesendet|Datum|An|Envoyé|À|Enviado|Fecha|Para|Inviato|Verzonden|送信日時|日付|宛先|发送时间|發送時間|日期|时间|收件人)\s*[:：]/i
const isHeaderBlock = (line: string, next: string | undefined): boolean => HEADER_FROM.test(line) && HEADER_NEXT.test(next?.trim() ?? '')

/** The rule HTML-only Outlook draws above its header block (`<hr>`, as text a line of dashes). */
const RULE = /^([-_—–=])\1{9,}$/

/** `-- ` is the standard delimiter; mobile clients add "Sent from my ...". */
const SIGNATURE = [/^--\s?$/, /^Sent from my .{2,40}$/i, /^Get Outlook for .{2,20}$/i, /^发自我的.{1,20}$/, /^從我的.{1,20}傳送$/]

export function trimReply (text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  let end = lines.length
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (ATTRIBUTION.some(p => p.test(line)) || SIGNATURE.some(p => p.test(line))) {
      end = i
      break
    }
    if (isHeaderBlock(line, lines[i + 1])) {
      // The rule above the block, blank lines between, goes with it.
      let start = i
      while (start > 0 && lines[start - 1]!.trim() === '') start--
      end = start > 0 && RULE.test(lines[start - 1]!.trim()) ? start - 1 : i
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
