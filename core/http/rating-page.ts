import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import type { HubServices } from '../services.js'
import { rate, SCORES } from '../ratings/index.js'

const Params = Type.Object({ token: Type.String({ minLength: 1, maxLength: 300 }) })
const Form = Type.Object({
  score: Type.String({ pattern: '^[1-5]$' }),
  comment: Type.Optional(Type.String({ maxLength: 2000 }))
})

const TEXT = {
  en: { title: 'Rate our service', ask: 'How would you rate our service?', comment: 'Anything to add? (optional)', send: 'Send', thanks: 'Thank you for your rating!', again: 'You rated {score}/5. You can change it below.', expired: 'This rating link has expired.', invalid: 'This rating link is not valid.', pick: 'Choose a score from 1 to 5.' },
  zh: { title: '服务评价', ask: '您对我们的服务满意吗？', comment: '还有什么想说的吗？（选填）', send: '提交', thanks: '感谢您的评价！', again: '您已评分 {score}/5，可在下方修改。', expired: '评价链接已过期。', invalid: '评价链接无效。', pick: '请选择 1 到 5 分。' }
} as const

type Text = typeof TEXT[keyof typeof TEXT]

const languageOf = (request: FastifyRequest): Text => /^zh\b/i.test(request.headers['accept-language'] ?? '') ? TEXT.zh : TEXT.en

const escape = (text: string): string => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)

function page (t: Text, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${t.title}</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#111}fieldset{border:0;padding:0;display:flex;gap:.5rem}
label.score{flex:1;text-align:center;border:1px solid #ccc;border-radius:.5rem;padding:.6rem 0;cursor:pointer}label.score:has(input:checked){background:#2563eb;color:#fff;border-color:#2563eb}
label.score input{position:absolute;opacity:0}textarea{width:100%;min-height:6rem;margin:1rem 0;font:inherit;box-sizing:border-box}button{font:inherit;padding:.6rem 1.4rem;background:#2563eb;color:#fff;border:0;border-radius:.5rem}</style>
</head><body>${body}</body></html>`
}

function form (t: Text, current: { score: number, comment: string | null } | null, error?: string): string {
  const scores = SCORES.map(n => `<label class="score"><input type="radio" name="score" value="${n}"${current?.score === n ? ' checked' : ''} required>${'★'.repeat(n)}<br>${n}</label>`).join('')
  return `<h1>${t.ask}</h1>${current !== null ? `<p>${t.again.replace('{score}', String(current.score))}</p>` : ''}${error !== undefined ? `<p role="alert">${error}</p>` : ''}
<form method="post"><fieldset>${scores}</fieldset><textarea name="comment" maxlength="2000" placeholder="${t.comment}" aria-label="${t.comment}">${escape(current?.comment ?? '')}</textarea><button type="submit">${t.send}</button></form>`
}

/**
 * The rating page a customer reaches from an invitation's link (from any channel: email has no
 * buttons): a score and a comment, without signing in. A plain HTML form, so it works anywhere.
 */
export async function ratingPage (app: FastifyInstance, s: HubServices): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })

  const conversationOf = async (request: FastifyRequest<{ Params: Static<typeof Params> }>): Promise<{ id: string, rating: { score: number, comment: string | null } | null } | 'expired' | 'invalid'> => {
    const checked = s.ratingLinks.check(request.params.token, s.clock())
    if (typeof checked === 'string') return checked
    const conversation = await s.store.getConversation(checked.conversationId)
    return conversation === null ? 'invalid' : conversation
  }

  app.get<{ Params: Static<typeof Params> }>('/rate/:token', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const t = languageOf(request)
    const conversation = await conversationOf(request)
    void reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
    if (typeof conversation === 'string') return await reply.status(conversation === 'expired' ? 410 : 404).send(page(t, `<p>${t[conversation]}</p>`))
    return page(t, form(t, conversation.rating))
  })

  app.post<{ Params: Static<typeof Params>, Body: Static<typeof Form> }>('/rate/:token', {
    schema: { hide: true, params: Params },
    // Form fields come in as strings; a bad score is answered on the page, not as a JSON error.
    attachValidation: true
  }, async (request, reply) => {
    const t = languageOf(request)
    const conversation = await conversationOf(request)
    void reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
    if (typeof conversation === 'string') return await reply.status(conversation === 'expired' ? 410 : 404).send(page(t, `<p>${t[conversation]}</p>`))
    const body = (request.body ?? {}) as Partial<Record<string, unknown>>
    const score = typeof body.score === 'string' && /^[1-5]$/.test(body.score) ? Number(body.score) : null
    const comment = typeof body.comment === 'string' ? body.comment.slice(0, 2000) : null
    if (score === null) return await reply.status(400).send(page(t, form(t, conversation.rating, t.pick)))
    await rate(s, conversation.id, score, comment)
    request.log.info({ conversationId: conversation.id }, 'rating page used')
    return page(t, `<h1>${t.thanks}</h1>`)
  })
}
