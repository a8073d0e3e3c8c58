/// <reference lib="dom" />
// 公告: party and village notices (scheduled publishing: a start time in the future), the meeting
// calendar and medical care visits, for the village chosen at the top.
import { useState } from 'preact/hooks'
import { get, post, q, type Session } from '../api.ts'
import { fromLocalInput, toLocalInput } from '../datetime.ts'
import { html } from '../html.ts'
import { Card, Field, Ok, Status, fmtTime, useAction, useLoad } from '../ui.ts'
import { VillageSelect, useVillages } from './places.ts'

interface Notice { id: string, title: string, category: string, priority: string, status: string, startsAt: number, endsAt: number | null }
interface Meeting { id: string, kind: string, title: string, startsAt: number, place: string, cancelledAt: number | null }
interface Visit { id: string, team: string, place: string, startsAt: number, cancelledAt: number | null }
const CATEGORY: Record<string, string> = { party: '党建', study: '学习', safety: '平安', health: '医养', general: '村务' }
const NOTICE_STATUS: Record<string, string> = { scheduled: '定时发布', displayed: '展示中', ended: '已结束', withdrawn: '已撤回' }
const MEETING_KIND: Record<string, string> = { branch_assembly: '支部党员大会', branch_committee: '支委会', group_meeting: '党小组会', party_lecture: '党课', theme_day: '主题党日' }

const val = (e: Event): string => (e.target as HTMLInputElement).value

interface Img { url: string, caption: string }
/** The file as base64 (the console API takes JSON only, its CSRF defence), read by FileReader. */
const readBase64 = (file: File): Promise<string> => new Promise((resolve, reject) => {
  const r = new FileReader()
  r.onload = () => { resolve(String(r.result).replace(/^data:[^,]*;base64,/, '')) }
  r.onerror = () => { reject(r.error ?? new Error('读取文件失败')) }
  r.readAsDataURL(file)
})

export function Notices (_p: { session: Session }): unknown {
  const villages = useVillages()
  const [villageId, setVillageId] = useState('')
  const vid = villageId !== '' ? villageId : villages.data?.[0]?.id ?? ''
  const notices = useLoad(() => (vid === '' ? Promise.resolve([]) : get<Notice[]>('/notices' + q({ villageId: vid }))), [vid])
  const meetings = useLoad(() => (vid === '' ? Promise.resolve([]) : get<Meeting[]>('/meetings' + q({ villageId: vid }))), [vid])
  const visits = useLoad(() => (vid === '' ? Promise.resolve([]) : get<Visit[]>('/care-visits' + q({ villageId: vid }))), [vid])
  const act = useAction()
  const [ok, setOk] = useState<string | null>(null)
  const [n, setN] = useState({ title: '', body: '', category: 'party', priority: 'normal', startsAt: '' })
  const [m, setM] = useState({ kind: 'theme_day', title: '', place: '', startsAt: toLocalInput(Date.now() + 86_400_000) })
  const [v, setV] = useState({ team: '', place: '', startsAt: toLocalInput(Date.now() + 86_400_000) })
  const send = (path: string, body: Record<string, unknown>, done: string, after: () => void) => (e: Event): void => {
    e.preventDefault(); setOk(null)
    void act.run(async () => { await post(path, { villageId: vid, ...body }); setOk(done); after() })
  }
  const noticeAt = fromLocalInput(n.startsAt)
  // Images: uploaded at once (POST /media), then each needs a caption: on the TV the words are in the caption, never in the picture.
  const [imgs, setImgs] = useState<Img[]>([])
  const onImage = (e: Event): void => {
    const input = e.target as HTMLInputElement
    const file = input.files?.[0]
    if (file === undefined) return
    setOk(null)
    void act.run(async () => {
      const up = await post<{ url: string }>('/media', { villageId: vid, fileName: file.name, dataBase64: await readBase64(file) })
      setImgs((list) => (list.some((i) => i.url === up.url) ? list : [...list, { url: up.url, caption: '' }]))
    }).finally(() => { input.value = '' })
  }
  const setCaption = (url: string) => (e: Event): void => { const caption = val(e); setImgs((list) => list.map((i) => (i.url === url ? { ...i, caption } : i))) }
  const dropImage = (url: string) => (): void => { setImgs((list) => list.filter((i) => i.url !== url)) }
  const withdraw = (id: string) => (): void => { void act.run(async () => { await post('/notices/' + encodeURIComponent(id) + '/withdraw', {}); notices.reload() }) }
  return html`<${VillageSelect} villages=${villages.data ?? []} value=${vid} onChange=${setVillageId} />
    <${Ok} text=${ok} />${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
    <${Card} title="公告">
      <${Status} error=${notices.error} />
      <ul class="link-list">${(notices.data ?? []).map((x) => html`<li><span><span class="badge">${CATEGORY[x.category] ?? x.category}</span> ${x.title}
        <small class="muted">${NOTICE_STATUS[x.status] ?? x.status} · ${fmtTime(x.startsAt)}</small></span>
        ${x.status === 'scheduled' || x.status === 'displayed' ? html`<button disabled=${act.busy} onClick=${withdraw(x.id)}>撤回</button>` : null}</li>`)}</ul>
      <form onSubmit=${send('/notices', { title: n.title.trim(), body: n.body.trim(), category: n.category, priority: n.priority, images: imgs.map((i) => ({ url: i.url, caption: i.caption.trim() })), ...(noticeAt !== null ? { startsAt: noticeAt } : {}) }, '公告已保存', () => { setN({ ...n, title: '', body: '' }); setImgs([]); notices.reload() })}>
        <div class="row-form">
          <${Field} label="类别">${(id: string) => html`<select id=${id} value=${n.category} onChange=${(e: Event) => setN({ ...n, category: val(e) })}>${Object.keys(CATEGORY).map((k) => html`<option value=${k}>${CATEGORY[k]}</option>`)}</select>`}<//>
          <${Field} label="重要程度">${(id: string) => html`<select id=${id} value=${n.priority} onChange=${(e: Event) => setN({ ...n, priority: val(e) })}><option value="normal">普通</option><option value="high">重要</option><option value="urgent">紧急</option></select>`}<//>
          <${Field} label="发布时间（留空为立即）">${(id: string) => html`<input id=${id} type="datetime-local" value=${n.startsAt} onInput=${(e: Event) => setN({ ...n, startsAt: val(e) })} />`}<//>
        </div>
        <${Field} label="标题">${(id: string) => html`<input id=${id} required maxlength="200" value=${n.title} onInput=${(e: Event) => setN({ ...n, title: val(e) })} />`}<//>
        <${Field} label="正文">${(id: string) => html`<textarea id=${id} required rows="5" value=${n.body} onInput=${(e: Event) => setN({ ...n, body: val(e) })}></textarea>`}<//>
        ${imgs.map((i, k) => html`<div class="row-form"><img src=${i.url} alt="" width="96" />
          <${Field} label=${'图片 ' + String(k + 1) + ' 说明（电视上显示的文字）'}>${(id: string) => html`<input id=${id} required maxlength="200" value=${i.caption} onInput=${setCaption(i.url)} />`}<//>
          <button type="button" onClick=${dropImage(i.url)}>移除</button></div>`)}
        ${imgs.length < 12 ? html`<${Field} label="添加图片" hint="PNG 或 JPEG，不超过 2 MB；图片上不要有文字，文字写在说明里">${(id: string) => html`<input id=${id} type="file" accept="image/png,image/jpeg" disabled=${act.busy || vid === ''} onChange=${onImage} />`}<//>` : null}
        <button class="primary" type="submit" disabled=${act.busy || vid === ''}>${noticeAt !== null && noticeAt > Date.now() ? '定时发布' : '发布'}</button>
      </form>
    <//>
    <${Card} title="会议日程">
      <ul>${(meetings.data ?? []).filter((x) => x.cancelledAt === null).map((x) => html`<li>${fmtTime(x.startsAt)} ${MEETING_KIND[x.kind] ?? x.kind} · ${x.title} · ${x.place}</li>`)}</ul>
      <form class="row-form" onSubmit=${send('/meetings', { kind: m.kind, title: m.title.trim(), place: m.place.trim(), startsAt: fromLocalInput(m.startsAt) }, '会议已添加', () => { setM({ ...m, title: '' }); meetings.reload() })}>
        <${Field} label="类型">${(id: string) => html`<select id=${id} value=${m.kind} onChange=${(e: Event) => setM({ ...m, kind: val(e) })}>${Object.keys(MEETING_KIND).map((k) => html`<option value=${k}>${MEETING_KIND[k]}</option>`)}</select>`}<//>
        <${Field} label="主题">${(id: string) => html`<input id=${id} required value=${m.title} onInput=${(e: Event) => setM({ ...m, title: val(e) })} />`}<//>
        <${Field} label="地点">${(id: string) => html`<input id=${id} required value=${m.place} onInput=${(e: Event) => setM({ ...m, place: val(e) })} />`}<//>
        <${Field} label="时间">${(id: string) => html`<input id=${id} type="datetime-local" required value=${m.startsAt} onInput=${(e: Event) => setM({ ...m, startsAt: val(e) })} />`}<//>
        <button type="submit" disabled=${act.busy || vid === ''}>添加会议</button>
      </form>
    <//>
    <${Card} title="医疗巡诊">
      <ul>${(visits.data ?? []).filter((x) => x.cancelledAt === null).map((x) => html`<li>${fmtTime(x.startsAt)} ${x.team} · ${x.place}</li>`)}</ul>
      <form class="row-form" onSubmit=${send('/care-visits', { team: v.team.trim(), place: v.place.trim(), startsAt: fromLocalInput(v.startsAt) }, '巡诊已添加', () => { setV({ ...v, team: '' }); visits.reload() })}>
        <${Field} label="医疗队">${(id: string) => html`<input id=${id} required value=${v.team} onInput=${(e: Event) => setV({ ...v, team: val(e) })} />`}<//>
        <${Field} label="地点">${(id: string) => html`<input id=${id} required value=${v.place} onInput=${(e: Event) => setV({ ...v, place: val(e) })} />`}<//>
        <${Field} label="时间">${(id: string) => html`<input id=${id} type="datetime-local" required value=${v.startsAt} onInput=${(e: Event) => setV({ ...v, startsAt: val(e) })} />`}<//>
        <button type="submit" disabled=${act.busy || vid === ''}>添加巡诊</button>
      </form>
    <//>`
}
