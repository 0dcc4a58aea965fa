// Filters driven by a list of definitions (src/filters/*.ts): text, multi-select
// with facet counts, boolean and time range; active ones as removable chips.
import { useId } from 'react';
import { isActive, type FilterDef, type FilterResult, type FilterState, type FilterValue, type Prepared, type TimeRange } from '../filters/engine';

interface Props<Row> {
  prepared: Prepared<Row>;
  result: FilterResult<Row>;
  state: FilterState;
  onChange: (next: FilterState) => void;
  /** What the rows are, for the summary ("12 of 40 editions"). */
  noun: string;
}

const UNAVAILABLE = 'The server does not send this field: filter disabled';

function set(state: FilterState, key: string, value: FilterValue | undefined): FilterState {
  const next = { ...state };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

function fmt<Row>(def: FilterDef<Row>, v: string): string {
  return def.kind === 'multi' && def.format ? def.format(v) : v;
}

function MultiSelect<Row>({ def, options, counts, value, disabled, onChange }: {
  def: FilterDef<Row>;
  options: string[];
  counts: Map<string, number> | undefined;
  value: string[];
  disabled: boolean;
  onChange: (v: string[]) => void;
}) {
  const id = useId();
  if (disabled) {
    return (
      <button type="button" className="btn btn-sm btn-outline-secondary" disabled title={UNAVAILABLE} aria-label={`${def.label}: ${UNAVAILABLE}`}>
        {def.label}
      </button>
    );
  }
  return (
    <details className="filter-multi">
      <summary className="btn btn-sm btn-outline-secondary" aria-label={`${def.label} filter${value.length ? `, ${value.length} selected` : ''}`}>
        {def.label}
        {value.length > 0 && <span className="badge text-bg-primary ms-1">{value.length}</span>}
      </summary>
      <fieldset className="filter-menu border rounded shadow-sm bg-body p-2">
        <legend className="visually-hidden">{def.label}</legend>
        {options.length === 0 && <p className="small text-body-secondary mb-0">No values.</p>}
        {options.map((o, i) => {
          const checked = value.includes(o);
          const count = counts?.get(o) ?? 0;
          return (
            <div className="form-check" key={o}>
              <input
                className="form-check-input"
                type="checkbox"
                id={`${id}-${i}`}
                checked={checked}
                onChange={() => onChange(checked ? value.filter((v) => v !== o) : [...value, o])}
              />
              <label className={`form-check-label${count === 0 && !checked ? ' text-body-secondary' : ''}`} htmlFor={`${id}-${i}`}>
                {fmt(def, o)} <span className="text-body-secondary small">({count})</span>
              </label>
            </div>
          );
        })}
      </fieldset>
    </details>
  );
}

export function FilterBar<Row>({ prepared, result, state, onChange, noun }: Props<Row>) {
  const id = useId();
  const chips: { key: string; label: string; count: number | undefined; remove: () => void }[] = [];
  prepared.defs.forEach((def, d) => {
    const value = state[def.key];
    if (!prepared.available[d] || !isActive(def as FilterDef<unknown>, value)) return;
    if (def.kind === 'multi') {
      for (const v of value as string[]) {
        chips.push({
          key: `${def.key}=${v}`,
          label: `${def.label}: ${fmt(def, v)}`,
          count: result.counts[def.key]?.get(v),
          remove: () => {
            const rest = (value as string[]).filter((x) => x !== v);
            onChange(set(state, def.key, rest.length ? rest : undefined));
          },
        });
      }
    } else {
      let text: string;
      if (def.kind === 'boolean') text = value ? 'yes' : 'no';
      else if (def.kind === 'timeRange') {
        const r = value as TimeRange;
        text = `${r.from ? r.from.replace('T', ' ') : '…'} → ${r.to ? r.to.replace('T', ' ') : '…'}`;
      } else text = `“${value as string}”`;
      chips.push({ key: def.key, label: `${def.label}: ${text}`, count: result.passing[def.key], remove: () => onChange(set(state, def.key, undefined)) });
    }
  });

  return (
    <section className="filter-bar mb-3" aria-label={`Filter ${noun}`}>
      <div className="d-flex flex-wrap gap-2 align-items-end">
        {prepared.defs.map((def, d) => {
          const disabled = !prepared.available[d];
          const value = state[def.key];
          const inputId = `${id}-${def.key}`;
          switch (def.kind) {
            case 'text':
              return (
                <div key={def.key} className="filter-text">
                  <label htmlFor={inputId} className="form-label small mb-0">
                    {def.label}
                  </label>
                  <input
                    id={inputId}
                    type="search"
                    className="form-control form-control-sm"
                    placeholder={def.placeholder}
                    title={disabled ? UNAVAILABLE : def.description}
                    disabled={disabled}
                    value={typeof value === 'string' ? value : ''}
                    onChange={(e) => onChange(set(state, def.key, e.target.value || undefined))}
                  />
                </div>
              );
            case 'boolean':
              return (
                <div key={def.key}>
                  <label htmlFor={inputId} className="form-label small mb-0">
                    {def.label}
                  </label>
                  <select
                    id={inputId}
                    className="form-select form-select-sm"
                    disabled={disabled}
                    title={disabled ? UNAVAILABLE : def.description}
                    value={value === true ? 'true' : value === false ? 'false' : ''}
                    onChange={(e) => onChange(set(state, def.key, e.target.value === '' ? undefined : e.target.value === 'true'))}
                  >
                    <option value="">any</option>
                    <option value="true">yes</option>
                    <option value="false">no</option>
                  </select>
                </div>
              );
            case 'timeRange': {
              const r = (value as TimeRange | undefined) ?? {};
              const upd = (patch: TimeRange) => {
                const next = { ...r, ...patch };
                onChange(set(state, def.key, next.from || next.to ? next : undefined));
              };
              return (
                <fieldset key={def.key} className="d-flex gap-1 align-items-end" disabled={disabled} title={disabled ? UNAVAILABLE : def.description}>
                  <legend className="visually-hidden">{def.label}</legend>
                  <div>
                    <label htmlFor={`${inputId}-from`} className="form-label small mb-0">
                      {def.label} from
                    </label>
                    <input id={`${inputId}-from`} type="datetime-local" className="form-control form-control-sm" value={r.from ?? ''} onChange={(e) => upd({ from: e.target.value || undefined })} />
                  </div>
                  <div>
                    <label htmlFor={`${inputId}-to`} className="form-label small mb-0">
                      to
                    </label>
                    <input id={`${inputId}-to`} type="datetime-local" className="form-control form-control-sm" value={r.to ?? ''} onChange={(e) => upd({ to: e.target.value || undefined })} />
                  </div>
                </fieldset>
              );
            }
            case 'multi':
              return (
                <MultiSelect
                  key={def.key}
                  def={def}
                  options={prepared.options[d] ?? []}
                  counts={result.counts[def.key]}
                  value={Array.isArray(value) ? value : []}
                  disabled={disabled}
                  onChange={(v) => onChange(set(state, def.key, v.length ? v : undefined))}
                />
              );
          }
        })}
      </div>
      <div className="d-flex flex-wrap gap-2 align-items-center mt-2" aria-live="polite">
        <span className="small text-body-secondary">
          {result.rows.length} of {result.total} {noun}
        </span>
        {chips.length > 0 && (
          <ul className="list-unstyled d-flex flex-wrap gap-1 mb-0" aria-label="Active filters">
            {chips.map((c) => (
              <li key={c.key}>
                <span className="badge rounded-pill text-bg-light border filter-chip">
                  {c.label}
                  {c.count !== undefined && <span className="text-body-secondary"> ({c.count})</span>}
                  <button type="button" className="btn-close btn-close-sm ms-1" aria-label={`Remove filter ${c.label}`} onClick={c.remove} />
                </span>
              </li>
            ))}
            <li>
              <button type="button" className="btn btn-link btn-sm p-0" onClick={() => onChange({})}>
                Clear all
              </button>
            </li>
          </ul>
        )}
      </div>
    </section>
  );
}
