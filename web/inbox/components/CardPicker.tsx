import { useEffect, useState } from 'preact/hooks'
import { ApiError, get } from '../api.js'
import { t } from '../i18n.js'
import type { Card, Product } from '../types.js'

type Found = Product & { card: Card }

/** A link card for a pasted address the catalog does not know: its host and path as the title, the agent may retitle it. */
function linkCard (url: string): Card {
  const { host, pathname } = new URL(url)
  return { kind: 'link', title: `${host}${pathname === '/' ? '' : pathname}`, url }
}

/**
 * Cards for the reply box: a product of the hub's catalog (search), a pasted product link
 * (its product when the catalog has it), or an order (number, total, status, link).
 */
export function CardPicker ({ onPick, onClose }: { onPick: (card: Card) => void, onClose: () => void }) {
  const [q, setQ] = useState('')
  const [found, setFound] = useState<Found[]>([])
  const [link, setLink] = useState('')
  const [order, setOrder] = useState({ id: '', total: '', status: '', url: '' })
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    const timer = setTimeout(() => {
      get<{ items: Found[] }>(`/products?limit=8${q.trim() !== '' ? `&q=${encodeURIComponent(q.trim())}` : ''}`).then(r => { if (live) setFound(r.items) }, () => {})
    }, 200)
    return () => { live = false; clearTimeout(timer) }
  }, [q])
  const pickLink = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(null)
    if (!/^https?:\/\/\S+$/.test(link.trim())) { setError(t('cards.badLink')); return }
    try {
      const { items } = await get<{ items: Found[] }>(`/products?url=${encodeURIComponent(link.trim())}&limit=1`)
      onPick(items[0]?.card ?? linkCard(link.trim()))
      setLink('')
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  const pickOrder = (e: Event): void => {
    e.preventDefault()
    const fields = Object.fromEntries(Object.entries({ total: order.total, status: order.status }).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]))
    onPick({ kind: 'order', id: order.id.trim(), title: t('cards.orderTitle', { id: order.id.trim() }), ...(/^https?:\/\//.test(order.url) ? { url: order.url.trim() } : {}), ...(Object.keys(fields).length > 0 ? { fields } : {}) })
    setOrder({ id: '', total: '', status: '', url: '' })
  }
  return (
    <div class="dialog card-picker" role="dialog" aria-label={t('cards.title')}>
      <h3>{t('cards.title')}</h3>
      <input type="search" autoFocus aria-label={t('cards.search')} placeholder={t('cards.search')} value={q} onInput={e => setQ(e.currentTarget.value)} />
      <ul class="products" aria-label={t('cards.products')}>
        {found.map(p => (
          <li data-id={p.id}>
            {p.imageUrl !== null && <img src={p.imageUrl} alt="" loading="lazy" />}
            <span class="product-title">{p.title}</span> {p.price !== null && <span class="price">{p.price}</span>}
            <button type="button" onClick={() => onPick(p.card)}>{t('cards.add')}</button>
          </li>
        ))}
        {found.length === 0 && <li class="hint">{t('cards.none')}</li>}
      </ul>
      <form class="paste-link" aria-label={t('cards.link')} onSubmit={e => { void pickLink(e) }}>
        <label>{t('cards.link')} <input type="url" value={link} placeholder="https://shop.example/p/…" onInput={e => setLink(e.currentTarget.value)} /></label>
        <button type="submit">{t('cards.add')}</button>
      </form>
      <form class="order-card" aria-label={t('cards.order')} onSubmit={pickOrder}>
        <label>{t('cards.orderId')} <input required value={order.id} onInput={e => setOrder({ ...order, id: e.currentTarget.value })} /></label>
        <label>{t('cards.orderTotal')} <input value={order.total} onInput={e => setOrder({ ...order, total: e.currentTarget.value })} /></label>
        <label>{t('cards.orderStatus')} <input value={order.status} onInput={e => setOrder({ ...order, status: e.currentTarget.value })} /></label>
        <label>{t('cards.orderLink')} <input type="url" value={order.url} onInput={e => setOrder({ ...order, url: e.currentTarget.value })} /></label>
        <button type="submit">{t('cards.add')}</button>
      </form>
      {error !== null && <p class="error" role="alert">{error}</p>}
      <div class="dialog-actions"><button type="button" onClick={onClose}>{t('keys.done')}</button></div>
    </div>
  )
}
