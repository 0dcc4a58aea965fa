// Filter state <-> URL query, so a filtered view can be shared by its link.
//   multi:      ?kind=form&kind=notice     (repeated key)
//   text:       ?q=breach
//   boolean:    ?deletable=true | false
//   time range: ?created_from=2025-03-01T09:00&created_to=2025-03-02T00:00
// Parameters that are not filters (e.g. ?job=...) are kept as they are.

import type { FilterDef, FilterState, TimeRange } from './engine';
import { isActive } from './engine';

type AnyDef = FilterDef<never>;

export function filterParamKeys(def: { key: string; kind: string }): string[] {
  return def.kind === 'timeRange' ? [`${def.key}_from`, `${def.key}_to`] : [def.key];
}

export function parseFilterState(defs: readonly AnyDef[], params: URLSearchParams): FilterState {
  const state: FilterState = {};
  for (const def of defs) {
    switch (def.kind) {
      case 'multi': {
        const values = params.getAll(def.key).filter((v) => v !== '');
        if (values.length) state[def.key] = [...new Set(values)];
        break;
      }
      case 'text': {
        const v = params.get(def.key);
        if (v) state[def.key] = v;
        break;
      }
      case 'boolean': {
        const v = params.get(def.key);
        if (v === 'true' || v === '1' || v === 'yes') state[def.key] = true;
        else if (v === 'false' || v === '0' || v === 'no') state[def.key] = false;
        break;
      }
      case 'timeRange': {
        const range: TimeRange = {};
        const from = params.get(`${def.key}_from`);
        const to = params.get(`${def.key}_to`);
        if (from) range.from = from;
        if (to) range.to = to;
        if (range.from || range.to) state[def.key] = range;
        break;
      }
    }
  }
  return state;
}

/** A copy of `params` with the filters' keys replaced by `state`. */
export function writeFilterState(defs: readonly AnyDef[], state: FilterState, params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const def of defs) {
    for (const k of filterParamKeys(def)) next.delete(k);
    const value = state[def.key];
    if (!isActive(def as FilterDef<unknown>, value)) continue;
    switch (def.kind) {
      case 'multi':
        for (const v of value as string[]) next.append(def.key, v);
        break;
      case 'text':
        next.set(def.key, value as string);
        break;
      case 'boolean':
        next.set(def.key, value ? 'true' : 'false');
        break;
      case 'timeRange': {
        const range = value as TimeRange;
        if (range.from) next.set(`${def.key}_from`, range.from);
        if (range.to) next.set(`${def.key}_to`, range.to);
        break;
      }
    }
  }
  return next;
}
