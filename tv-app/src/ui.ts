// Small building blocks shared by the screens.
import type { TvNotice } from '../../src/tv/tv-api.ts'
import type { Ctx } from './ctx.ts'
import { h, type Attrs, type El } from './dom.ts'
import { dateTime } from './time.ts'

type Child = El | string | null | false | undefined

/** A focusable element: data-focus + tabindex (the e2e tests and spatial navigation rely on both). */
export function btn (ctx: Ctx, key: string, cls: string, children: Child[] | string, fn: () => void, attrs?: Attrs): El {
  const a: Attrs = { class: cls, 'data-focus': key, tabindex: 0 }
  if (attrs) for (const k in attrs) a[k] = attrs[k]
  ctx.on(key, fn)
  return h('div', a, children)
}

export function screenTitle (text: string, sub?: string): El {
  return h('div', { class: 'title' }, [h('h1', null, text), sub ? h('span', { class: 'sub' }, sub) : null])
}

export function section (title: string, children: Child[], cls?: string): El {
  return h('section', { class: 'sec' + (cls ? ' ' + cls : '') }, [h('h2', null, title)].concat(children as El[]))
}

export function empty (text?: string): El { return h('p', { class: 'empty' }, text || '暂无内容') }

const CATEGORY: { [c: string]: string } = { party: '党建', study: '学习', safety: '平安', health: '医养', general: '村务' }
export function categoryLabel (c: string): string { return CATEGORY[c] || '通知' }

/** A notice as one focusable line; OK opens it. */
export function noticeRow (ctx: Ctx, n: TvNotice, prefix: string): El {
  return btn(ctx, prefix + n.id, 'row' + (n.priority === 'urgent' ? ' urgent' : ''), [
    h('span', { class: 'tag' }, n.priority === 'urgent' ? '紧急' : n.priority === 'high' ? '重要' : categoryLabel(n.category)),
    h('span', { class: 'grow' }, n.title),
    h('span', { class: 'meta' }, dateTime(n.publishedAt))
  ], () => ctx.go('notice', { id: n.id }))
}

/** Newest first, at most `max`: long lists are capped so the DOM stays small for days. */
export function latest<T extends { publishedAt: number }> (list: T[], max: number, keep?: (t: T) => boolean): T[] {
  const out = list.filter((t) => !keep || keep(t))
  out.sort((a, b) => b.publishedAt - a.publishedAt)
  return out.slice(0, max)
}

/** Fen to "¥12,345.67" without Intl (absent on old engines). */
export function money (cents: number): string {
  const neg = cents < 0
  const abs = Math.abs(cents)
  const yuan = String(Math.floor(abs / 100))
  let grouped = ''
  for (let i = 0; i < yuan.length; i++) {
    if (i > 0 && (yuan.length - i) % 3 === 0) grouped += ','
    grouped += yuan.charAt(i)
  }
  const fen = abs % 100
  return (neg ? '-¥' : '¥') + grouped + '.' + (fen < 10 ? '0' : '') + fen
}
