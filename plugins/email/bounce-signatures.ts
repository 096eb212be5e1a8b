/**
 * Bounces that are not RFC 3464 reports, as mail servers really send them: a subject or a
 * first paragraph each server writes the same way every time. A signature alone does not make
 * a bounce: the mail must also come from a machine (a null return path or a mailer-daemon /
 * postmaster sender) or carry one of the body lines below, which no person writes.
 */
export interface BounceSignature {
  server: string
  subject?: RegExp
  body?: RegExp
}

export const BOUNCE_SIGNATURES: BounceSignature[] = [
  { server: 'qmail', subject: /^failure notice/i, body: /This is the qmail-send program/i },
  { server: 'exim', subject: /^Mail delivery failed/i, body: /This message was created automatically by mail delivery software/i },
  { server: 'postfix', subject: /^Undelivered Mail Returned to Sender/i, body: /This is the mail system at host/i },
  { server: 'sendmail', subject: /^Returned mail:/i, body: /The original message was received at/i },
  { server: 'exchange', subject: /^(Undeliverable|Unzustellbar|Non remis|No se puede entregar|Non recapitabile|配信不能|无法投递|無法傳遞)\s*[:：]/i, body: /(Delivery has failed to these recipients or groups|Your message (to .+ )?couldn't be delivered|did not reach (some or all of )?the intended recipient)/i },
  { server: 'domino', subject: /^DELIVERY (FAILURE|REPORT)\s*:/i, body: /Your message\s+Subject:.*\s+was not delivered to/i },
  { server: 'gmail', subject: /^Delivery Status Notification \((Failure|Delay)\)/i, body: /(wasn't delivered to|Address not found|Message not delivered|couldn't be delivered)/i },
  { server: 'yahoo', subject: /^(Failure Notice|Delivery Failure)/i, body: /Sorry, we were unable to deliver your message/i },
  { server: 'ses', body: /An error occurred while trying to deliver the mail to the following recipients/i },
  { server: 'generic', subject: /^(Delivery (Status Notification|Failure|failed|has failed)|Non[- ]?delivery|Mail (System Error|could not be delivered)|Undeliverable|Warning: (could not send message|message .* delayed)|Delayed Mail|Mail delivery (delayed|warning))/i },
  // Japanese carriers (docomo, au, SoftBank) and Chinese providers: subjects in their languages.
  { server: 'carrier-jp', subject: /(Returned mail: User unknown|Mail Delivery Failure|メール送信エラー|配信エラー|未達|送信できませんでした)/i, body: /(宛先不明|配信できませんでした|送信できませんでした|届きませんでした)/ },
  { server: 'provider-cn', subject: /(系统退信|退信|投递失败|发送失败|郵件退回)/, body: /(无法投递|投递失败|退信原因|系统退信)/ }
]

/** Wording that says the server is still trying: a delay, not a failure. */
export const DELAY = /(\bdelay(ed)?\b|has not (yet )?been delivered|will (continue to )?(retry|try)|still trying|not been able to deliver .* (yet|for \d+ hours)|遅延|延迟)/i

/** Which signature a mail matches, if any. */
export function bounceSignature (subject: string, body: string, fromMachine: boolean): BounceSignature | null {
  const head = body.slice(0, 4000)
  // A body line names its server more surely than a subject several servers share ("failure notice").
  return BOUNCE_SIGNATURES.find(s => s.body?.test(head) === true) ??
    (fromMachine ? BOUNCE_SIGNATURES.find(s => s.subject?.test(subject) === true) ?? null : null)
}
