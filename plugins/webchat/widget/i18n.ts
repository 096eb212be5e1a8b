/** The widget's texts. A new language is one more entry. */
const en = {
  open: 'Open chat',
  close: 'Close chat',
  online: 'We are online',
  away: 'We are away',
  closed: 'Outside our opening hours',
  busy: 'All our agents are busy',
  whenOpen: 'We answer as soon as we open.',
  placeholder: 'Write a message…',
  send: 'Send',
  attach: 'Attach a file',
  sending: 'Sending…',
  sent: 'Sent',
  seen: 'Seen',
  failed: 'Not sent',
  typing: 'is typing…',
  someone: 'An agent',
  queue: (n: number) => n === 1 ? 'You are next in line.' : `You are number ${n} in line.`,
  joined: (name: string) => `${name} joined the conversation.`,
  offline: 'Nobody can answer right now. Leave your email and we will reply by email.',
  emailSaved: (email: string) => `We will reply to ${email} if you are gone.`,
  save: 'Save',
  prechatTitle: 'Before we start, please tell us about you.',
  start: 'Start chat',
  name: 'Name',
  email: 'Email',
  phone: 'Phone',
  optional: '(optional)',
  required: 'Required',
  invalid: 'Check this',
  reconnecting: 'Connecting…',
  fileTooLarge: (mb: number) => `Files can be at most ${mb} MB.`,
  fileType: 'This kind of file cannot be sent here.',
  uploadFailed: 'The file could not be sent.',
  tooLong: (n: number) => `Messages can be at most ${n} characters.`
}

const zh: typeof en = {
  open: '打开聊天',
  close: '关闭聊天',
  online: '客服在线',
  away: '客服暂时离开',
  closed: '当前不在营业时间',
  busy: '客服繁忙，请稍候',
  whenOpen: '我们营业后会尽快回复您。',
  placeholder: '输入消息…',
  send: '发送',
  attach: '发送文件',
  sending: '发送中…',
  sent: '已发送',
  seen: '已读',
  failed: '发送失败',
  typing: '正在输入…',
  someone: '客服',
  queue: (n: number) => n === 1 ? '下一个就轮到您了。' : `您前面还有 ${n - 1} 位，当前排第 ${n} 位。`,
  joined: (name: string) => `${name} 已接入对话。`,
  offline: '现在暂时无人回复。留下邮箱，我们会通过邮件回复您。',
  emailSaved: (email: string) => `如果您离开了，我们会回复到 ${email}。`,
  save: '保存',
  prechatTitle: '开始之前，请留下您的信息。',
  start: '开始聊天',
  name: '姓名',
  email: '邮箱',
  phone: '电话',
  optional: '（选填）',
  required: '必填',
  invalid: '格式不正确',
  reconnecting: '正在连接…',
  fileTooLarge: (mb: number) => `文件不能超过 ${mb} MB。`,
  fileType: '不支持发送这种文件。',
  uploadFailed: '文件发送失败。',
  tooLong: (n: number) => `消息最多 ${n} 个字。`
}

export type Texts = typeof en
export type Locale = 'en' | 'zh'

const TEXTS: Record<Locale, Texts> = { en, zh }

/** `zh`, `zh-CN`, `zh-Hant` … are Chinese; anything else English. */
export function pickLocale (...wishes: Array<string | null | undefined>): Locale {
  for (const wish of wishes) {
    if (wish === undefined || wish === null || wish === '' || wish === 'auto') continue
    return wish.toLowerCase().startsWith('zh') ? 'zh' : 'en'
  }
  return 'en'
}

export const textsFor = (locale: Locale): Texts => TEXTS[locale]
