/// <reference lib="dom" />
// Villages, grids and homes as the console API scopes them for the signed-in user; shared by pages.
import { get } from '../api.ts'
import { html } from '../html.ts'
import { Field, useLoad, type Loaded } from '../ui.ts'

export interface Village { id: string, name: string }
export interface Grid { id: string, villageId: string, name: string }
export interface Home { id: string, gridId: string, label: string, awayUntil?: number | null }

export function useVillages (): Loaded<Village[]> { return useLoad(() => get<Village[]>('/villages')) }

export function VillageSelect ({ villages, value, onChange }: { villages: Village[], value: string, onChange: (id: string) => void }): unknown {
  // One village (a clerk's usual case): no choice to make, so no control to tab through.
  if (villages.length <= 1) return villages[0] !== undefined ? html`<p class="muted">${villages[0].name}</p>` : null
  return html`<${Field} label="村">${(id: string) => html`<select id=${id} name="villageId" value=${value} onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}>
    ${villages.map((v) => html`<option value=${v.id}>${v.name}</option>`)}</select>`}<//>`
}
