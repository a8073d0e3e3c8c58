// One notice: title, date, the body in a box the arrows scroll, and images with their captions (the
// caption is the text; images never carry text of their own).
import type { TvNotice } from '../../../src/tv/tv-api.ts'
import type { Ctx, Screen } from '../ctx.ts'
import { h, type El } from '../dom.ts'
import { dateTime } from '../time.ts'
import { btn, categoryLabel, empty, screenTitle } from '../ui.ts'

function find (ctx: Ctx, id: string): TvNotice | null {
  const list = ctx.state ? ctx.state.notices : []
  for (let i = 0; i < list.length; i++) if ((list[i] as TvNotice).id === id) return list[i] as TvNotice
  return null
}

export const noticeScreen: Screen = {
  live: true,
  render (ctx: Ctx, params): El {
    const n = find(ctx, String(params.id))
    if (!n) return h('div', { class: 'page' }, [screenTitle('通知'), empty('这条通知已撤下'), btn(ctx, 'back', 'btn', '返回', () => ctx.back())])
    const paras = n.body.split(/\n+/).slice(0, 200).map((p) => h('p', null, p))
    const figures = n.images.map((img) => h('figure', null, [
      h('img', { src: img.url, alt: img.caption }),
      h('figcaption', null, img.caption)
    ]))
    return h('div', { class: 'page notice' }, [
      screenTitle(n.title, categoryLabel(n.category) + ' · 发布于 ' + dateTime(n.publishedAt)),
      btn(ctx, 'notice-body', 'body', paras.concat(figures), () => ctx.back(), { 'data-scroll': true }),
      h('p', { class: 'hint' }, '上下键翻看 · 返回键回上一页')
    ])
  }
}
