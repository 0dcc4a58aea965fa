// The part of a page's filters the server applies: each definition with a
// `param` is also sent as a query parameter (GET /v1/jobs?status=...,
// GET /v1/audit?actor=...), and the same filters still run on the rows the
// server returns (facet counts, chips, several values of a multi-select).
//   text:       the text, trimmed
//   multi:      the value, when exactly one is picked (several: not sent)
//   boolean:    true | false
//   time range: from / to as milliseconds since the epoch
import { isActive, timeToMs, type FilterDef, type FilterState, type TimeRange } from './engine';

export type ServerQuery = Record<string, string | number>;

export function serverQuery<Row>(defs: readonly FilterDef<Row>[], state: FilterState): ServerQuery {
  const query: ServerQuery = {};
  for (const def of defs) {
    const value = state[def.key];
    if (def.param === undefined || !isActive(def as FilterDef<unknown>, value)) continue;
    switch (def.kind) {
      case 'text':
        query[def.param] = (value as string).trim();
        break;
      case 'multi': {
        const values = value as string[];
        if (values.length === 1) query[def.param] = values[0] as string;
        break;
      }
      case 'boolean':
        query[def.param] = value ? 'true' : 'false';
        break;
      case 'timeRange': {
        const range = value as TimeRange;
        const from = timeToMs(range.from);
        const to = timeToMs(range.to);
        if (from !== undefined) query[def.param.from] = from;
        if (to !== undefined) query[def.param.to] = to;
        break;
      }
    }
  }
  return query;
}
