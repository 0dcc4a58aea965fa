import { useId, useState } from 'react';
import type { Code } from '../lib/edition';
import { codeOptions } from '../lib/edition';

interface Props {
  /** The group's name, e.g. "Jurisdictions". */
  legend: string;
  /** What checking none means, e.g. "any jurisdiction". */
  noneMeans: string;
  codes: readonly Code[];
  value: readonly string[];
  onChange: (next: string[]) => void;
  /** Offer a text box for codes the list lacks (when the list is not the catalog's declared codes). */
  allowOther?: boolean;
  /** Messages to show beside the group (e.g. lint findings about it). */
  errors?: readonly string[];
  disabled?: boolean;
}

/**
 * A multi-select of codes as a group of checkboxes, in the order the catalog
 * declares them; codes the edition uses that the list lacks are kept and
 * flagged. The order of the chosen codes follows the list.
 */
export function CodeChecklist({ legend, noneMeans, codes, value, onChange, allowOther, errors = [], disabled }: Props) {
  const id = useId();
  const [other, setOther] = useState('');
  const options = codeOptions(codes, value);
  const toggle = (code: string) => {
    const on = new Set(value);
    if (on.has(code)) on.delete(code);
    else on.add(code);
    onChange(options.map((o) => o.code).filter((c) => on.has(c)));
  };
  const add = () => {
    const code = other.trim();
    if (!code) return;
    if (!value.includes(code)) onChange([...value, code]);
    setOther('');
  };
  const invalid = errors.length > 0;
  return (
    <fieldset className={`code-checklist border rounded p-2 h-100${invalid ? ' border-danger' : ''}`} aria-describedby={`${id}-help${invalid ? ` ${id}-err` : ''}`} disabled={disabled}>
      <legend className="fs-6 fw-semibold float-none w-auto px-1 mb-1">{legend}</legend>
      <p id={`${id}-help`} className="form-text mt-0 mb-1">
        {value.length === 0 ? `None checked: ${noneMeans}.` : `${value.length} checked.`}
      </p>
      {options.length === 0 && <p className="small text-body-secondary mb-1">No codes known.</p>}
      <div className="code-checklist-options">
        {options.map((o, i) => (
          <div className="form-check" key={o.code}>
            <input className={`form-check-input${invalid ? ' is-invalid' : ''}`} type="checkbox" id={`${id}-${i}`} checked={value.includes(o.code)} onChange={() => toggle(o.code)} />
            <label className="form-check-label text-break" htmlFor={`${id}-${i}`}>
              {o.label ? (
                <>
                  {o.label} <code className="small">{o.code}</code>
                </>
              ) : (
                o.code
              )}
              {o.unknown && <span className="badge text-bg-warning ms-1">not in the list</span>}
            </label>
          </div>
        ))}
      </div>
      {allowOther && (
        <div className="input-group input-group-sm mt-1">
          <input
            type="text"
            className="form-control"
            aria-label={`Another ${legend.toLowerCase()} code`}
            placeholder="Another code"
            value={other}
            onChange={(e) => setOther(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
          <button type="button" className="btn btn-outline-secondary" onClick={add} disabled={!other.trim()} aria-label={`Add the ${legend.toLowerCase()} code`}>
            Add
          </button>
        </div>
      )}
      {invalid && (
        <div id={`${id}-err`} className="invalid-feedback d-block">
          {errors.map((e, i) => (
            <div key={i}>{e}</div>
          ))}
        </div>
      )}
    </fieldset>
  );
}
