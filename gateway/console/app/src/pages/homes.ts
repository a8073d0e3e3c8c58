/// <reference lib="dom" />
// 住户: homes of my scope, each with its residents, its contacts in escalation order and away mode.
// Staff views of a resident's data are audited server-side; this page only asks for what it shows.
import { useState } from 'preact/hooks'
import { get, patch, post, type Session } from '../api.ts'
import { html } from '../html.ts'
import { Card, Field, Ok, Status, fmtTime, useAction, useLoad } from '../ui.ts'
import type { Grid, Home } from './places.ts'

interface Resident { id: string, name: string, birthYear: number | null }
interface Contact { id: string, homeId: string | null, name: string, phone: string, role: string, priority: number }
interface Status { care: { status: string, lastActivityAt: number | null, awayUntil: number | null } }
interface HomeDetail { id: string, label: string, gridName: string, villageName: string }
const CARE: Record<string, string> = { normal: '正常', quiet: '今天活动较少', alert: '有未处理的告警', away: '外出中', no_data: '暂无数据（未装传感器或离线）' }
const CONTACT_ROLE: Record<string, string> = { family: '家属', grid_worker: '网格员', volunteer: '民情联络员', village_duty: '村值班' }

export function Homes ({ session, args }: { session: Session, args: string[] }): unknown {
  const canEdit = session.user.role === 'admin' || session.user.role === 'clerk'
  return args[0] !== undefined ? html`<${HomeView} id=${args[0]} canEdit=${canEdit} />` : html`<${HomeList} canEdit=${canEdit} />`
}

function HomeList ({ canEdit }: { canEdit: boolean }): unknown {
  const homes = useLoad(() => get<Home[]>('/homes'))
  const grids = useLoad(() => get<Grid[]>('/grids'))
  const [gridId, setGridId] = useState('')
  const [label, setLabel] = useState('')
  const act = useAction()
  const chosenGrid = gridId !== '' ? gridId : grids.data?.[0]?.id ?? ''
  const gridName = (id: string): string => grids.data?.find((g) => g.id === id)?.name ?? ''
  const add = (e: Event): void => {
    e.preventDefault()
    void act.run(async () => { await post('/homes', { gridId: chosenGrid, label: label.trim() }); setLabel(''); homes.reload() })
  }
  return html`<${Card} title="住户">
      <${Status} loading=${homes.loading && homes.data === null} error=${homes.error} />
      <ul class="link-list">${(homes.data ?? []).map((h) => html`<li><a href=${'#/homes/' + encodeURIComponent(h.id)}>${h.label}</a> <small class="muted">${gridName(h.gridId)}</small></li>`)}</ul>
      ${homes.data !== null && homes.data.length === 0 ? html`<p class="muted">没有住户。</p>` : null}
    <//>
    ${canEdit && (grids.data ?? []).length > 0 ? html`<${Card} title="新增住户"><form class="row-form" onSubmit=${add}>
      <${Field} label="网格">${(id: string) => html`<select id=${id} value=${chosenGrid} onChange=${(e: Event) => setGridId((e.target as HTMLSelectElement).value)}>${(grids.data ?? []).map((g) => html`<option value=${g.id}>${g.name}</option>`)}</select>`}<//>
      <${Field} label="门牌（不写姓名）">${(id: string) => html`<input id=${id} required maxlength="100" value=${label} onInput=${(e: Event) => setLabel((e.target as HTMLInputElement).value)} />`}<//>
      ${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
      <button class="primary" type="submit" disabled=${act.busy}>新增</button></form><//>` : null}`
}

function HomeView ({ id, canEdit }: { id: string, canEdit: boolean }): unknown {
  const base = '/homes/' + encodeURIComponent(id)
  const home = useLoad(() => get<HomeDetail>(base), [id])
  const residents = useLoad(() => get<Resident[]>(base + '/residents'), [id])
  const contacts = useLoad(() => get<Contact[]>(base + '/contacts'), [id])
  const settings = useLoad(() => get<Status>(base + '/status'), [id])
  const act = useAction()
  const [ok, setOk] = useState<string | null>(null)
  const [days, setDays] = useState('3')
  const [name, setName] = useState('')
  // Priority empty: after the family contacts already there (a new contact is asked last, not tied first).
  const [c, setC] = useState({ name: '', phone: '', priority: '' })
  const away = (until: number | null) => (): void => {
    setOk(null)
    void act.run(async () => { await post('/homes/' + encodeURIComponent(id) + '/away', { until }); setOk(until === null ? '已结束外出模式' : '已设置外出模式'); settings.reload() })
  }
  const addResident = (e: Event): void => { e.preventDefault(); void act.run(async () => { await post('/residents', { homeId: id, name: name.trim() }); setName(''); residents.reload() }) }
  // The API answers in ladder order (family by priority, then the grid's people, then village duty).
  const ordered = contacts.data ?? []
  const family = ordered.filter((k) => k.homeId === id)
  const addContact = (e: Event): void => {
    e.preventDefault()
    void act.run(async () => { await post('/contacts', { homeId: id, name: c.name.trim(), phone: c.phone.trim(), role: 'family', priority: c.priority === '' ? Math.min(99, Math.max(-1, ...family.map((k) => k.priority)) + 1) : Number(c.priority) }); setC({ name: '', phone: '', priority: '' }); contacts.reload() })
  }
  const awayUntil = settings.data?.care.awayUntil ?? null
  /** Move a family contact one place earlier/later: renumber the family 0..n-1 in the new order. */
  const move = (k: Contact, by: -1 | 1) => (): void => {
    const list = [...family]
    const i = list.indexOf(k)
    const j = i + by
    if (j < 0 || j >= list.length) return
    list[i] = list[j] as Contact; list[j] = k
    void act.run(async () => {
      for (let n = 0; n < list.length; n++) if ((list[n] as Contact).priority !== n) await patch('/contacts/' + encodeURIComponent((list[n] as Contact).id), { priority: n })
      contacts.reload()
    })
  }
  return html`<p><a href="#/homes">← 返回住户</a></p>
    <${Status} error=${home.error} />
    ${home.data !== null ? html`<h1>${home.data.label} <small class="muted">${home.data.villageName} · ${home.data.gridName}</small></h1>` : null}
    ${settings.data !== null ? html`<p data-care=${settings.data.care.status}><strong>${CARE[settings.data.care.status] ?? settings.data.care.status}</strong> · 最近活动：${fmtTime(settings.data.care.lastActivityAt)}</p>` : null}
    <${Card} title="外出模式">
      <p>${awayUntil !== null && awayUntil > Date.now() ? `外出中，至 ${fmtTime(awayUntil)}（期间不因无活动告警）` : '在家'}</p>
      <div class="actions">
        <${Field} label="外出天数">${(fid: string) => html`<input id=${fid} type="number" min="1" max="60" value=${days} onInput=${(e: Event) => setDays((e.target as HTMLInputElement).value)} />`}<//>
        <button disabled=${act.busy} onClick=${away(Date.now() + Number(days) * 86_400_000)}>设为外出</button>
        ${awayUntil !== null ? html`<button disabled=${act.busy} onClick=${away(null)}>已回家</button>` : null}
      </div>
      <${Ok} text=${ok} />${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
    <//>
    <${Card} title="住户老人">
      <${Status} error=${residents.error} />
      <ul>${(residents.data ?? []).map((r) => html`<li>${r.name}${r.birthYear !== null ? `（${r.birthYear} 年生）` : ''}</li>`)}</ul>
      ${canEdit ? html`<form class="row-form" onSubmit=${addResident}><${Field} label="姓名">${(fid: string) => html`<input id=${fid} required value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} />`}<//><button type="submit" disabled=${act.busy}>添加</button></form>` : null}
    <//>
    <${Card} title="联系人（按通知顺序）">
      <${Status} error=${contacts.error} />
      <ol class="contacts">${ordered.map((k) => html`<li data-contact=${k.name}>${k.name} · ${CONTACT_ROLE[k.role] ?? k.role} · <a href=${'tel:' + k.phone}>${k.phone}</a>
        ${canEdit && k.homeId === id && family.length > 1 ? html` <button class="small" aria-label=${'将' + k.name + '提前'} disabled=${act.busy || family[0] === k} onClick=${move(k, -1)}>↑</button><button class="small" aria-label=${'将' + k.name + '延后'} disabled=${act.busy || family[family.length - 1] === k} onClick=${move(k, 1)}>↓</button>` : null}</li>`)}</ol>
      ${canEdit ? html`<form class="row-form" onSubmit=${addContact}>
        <${Field} label="家属姓名">${(fid: string) => html`<input id=${fid} required value=${c.name} onInput=${(e: Event) => setC({ ...c, name: (e.target as HTMLInputElement).value })} />`}<//>
        <${Field} label="手机号">${(fid: string) => html`<input id=${fid} type="tel" required value=${c.phone} onInput=${(e: Event) => setC({ ...c, phone: (e.target as HTMLInputElement).value })} />`}<//>
        <${Field} label="顺序（小的先通知，留空排在最后）">${(fid: string) => html`<input id=${fid} type="number" min="0" max="99" value=${c.priority} onInput=${(e: Event) => setC({ ...c, priority: (e.target as HTMLInputElement).value })} />`}<//>
        <button type="submit" disabled=${act.busy}>添加联系人</button></form>` : null}
    <//>`
}
