// The fields of one document edition (SPEC section 1) as controls: applies_to
// as checklists of the catalog's codes, coverages_match, the effective window
// as dates, the attach matrix as a grid of radio buttons (copy is not offered
// for new business), the flags as checkboxes. Findings about a field are
// shown beside it.
import { useId, type ReactNode } from 'react';
import type { DocumentEdition } from '../api/client';
import { CodeChecklist } from '../components/CodeChecklist';
import {
  ATTACH_MODES,
  KINDS,
  TRANSACTIONS,
  attachChoices,
  attachMode,
  effectiveProblem,
  getIn,
  stringList,
  type CatalogCodes,
  type CodeList,
  type Field,
} from '../lib/edition';

export type FieldErrors = Partial<Record<Field, string[]>>;

interface Props {
  edition: DocumentEdition;
  /** The codes applies_to may use (null while loading). */
  codes: CatalogCodes | null;
  errors: FieldErrors;
  onChange: (path: string[], value: unknown) => void;
}

const LISTS: { key: CodeList; legend: string; none: string }[] = [
  { key: 'products', legend: 'Products', none: 'any product' },
  { key: 'jurisdictions', legend: 'Jurisdictions', none: 'any jurisdiction' },
  { key: 'agencies', legend: 'Agencies', none: 'any agency' },
  { key: 'coverages', legend: 'Coverages', none: 'no coverage condition' },
];

const TX_LABEL: Record<(typeof TRANSACTIONS)[number], string> = { new: 'New business', renewal: 'Renewal', reissue: 'Reissue' };

function Errors({ id, messages }: { id: string; messages: readonly string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <div id={id} className="invalid-feedback d-block">
      {messages.map((m, i) => (
        <div key={i}>{m}</div>
      ))}
    </div>
  );
}

/** A labelled text or number input with its errors. */
function Input({ label, field, errors, children, help }: { label: string; field: Field; errors: FieldErrors; help?: string; children: (p: { id: string; className: string; describedBy: string | undefined; invalid: boolean }) => ReactNode }) {
  const id = useId();
  const messages = errors[field];
  const invalid = !!messages?.length;
  const describedBy = [help ? `${id}-help` : '', invalid ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div>
      <label htmlFor={id} className="form-label small mb-0 fw-semibold">
        {label}
      </label>
      {children({ id, className: invalid ? ' is-invalid' : '', describedBy, invalid })}
      {help && (
        <div id={`${id}-help`} className="form-text mt-0">
          {help}
        </div>
      )}
      <Errors id={`${id}-err`} messages={messages} />
    </div>
  );
}

export function EditionForm({ edition, codes, errors, onChange }: Props) {
  const id = useId();
  const str = (k: string) => (typeof edition[k] === 'string' ? (edition[k] as string) : edition[k] === undefined || edition[k] === null ? '' : String(edition[k]));
  const match = getIn(edition, ['applies_to', 'coverages_match']) === 'all' ? 'all' : 'any';
  const from = getIn(edition, ['applies_to', 'effective', 'from']);
  const until = getIn(edition, ['applies_to', 'effective', 'until']);
  const fromText = typeof from === 'string' ? from : '';
  const untilText = typeof until === 'string' ? until : '';
  const windowHint = effectiveProblem(fromText || undefined, untilText || undefined);
  const effErrors = errors['applies_to.effective'];
  const appliesErrors = errors.applies_to;
  const attachErrors = errors.attach;
  const flag = (k: 'deletable' | 'flag_manual' | 'multiple', dflt: boolean) => (typeof edition[k] === 'boolean' ? (edition[k] as boolean) : dflt);

  return (
    <div className="edition-form">
      <div className="row g-2 mb-2">
        <div className="col-sm-4 col-lg-3">
          <Input label="Edition" field="edition" errors={errors}>
            {(p) => <input id={p.id} type="text" className={`form-control form-control-sm${p.className}`} aria-describedby={p.describedBy} aria-invalid={p.invalid || undefined} value={str('edition')} onChange={(e) => onChange(['edition'], e.target.value)} />}
          </Input>
        </div>
        <div className="col-sm-8 col-lg-9">
          <Input label="Title" field="title" errors={errors}>
            {(p) => <input id={p.id} type="text" className={`form-control form-control-sm${p.className}`} aria-describedby={p.describedBy} aria-invalid={p.invalid || undefined} value={str('title')} onChange={(e) => onChange(['title'], e.target.value)} />}
          </Input>
        </div>
        <div className="col-sm-4 col-lg-3">
          <Input label="Kind" field="kind" errors={errors}>
            {(p) => (
              <select id={p.id} className={`form-select form-select-sm${p.className}`} aria-describedby={p.describedBy} aria-invalid={p.invalid || undefined} value={str('kind')} onChange={(e) => onChange(['kind'], e.target.value)}>
                {!(KINDS as readonly string[]).includes(str('kind')) && <option value={str('kind')}>{str('kind') || '(choose)'}</option>}
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            )}
          </Input>
        </div>
        <div className="col-sm-3 col-lg-2">
          <Input label="Order" field="order" errors={errors} help="Position in the package (default 1000)">
            {(p) => (
              <input
                id={p.id}
                type="number"
                step={1}
                className={`form-control form-control-sm${p.className}`}
                aria-describedby={p.describedBy}
                aria-invalid={p.invalid || undefined}
                value={edition.order === undefined || edition.order === null ? '' : String(edition.order)}
                onChange={(e) => {
                  const t = e.target.value.trim();
                  // Kept as typed when it is not a whole number: lint says what is wrong.
                  onChange(['order'], t === '' ? undefined : /^-?\d+$/.test(t) ? Number(t) : t);
                }}
              />
            )}
          </Input>
        </div>
        <div className="col-sm-5 col-lg-7">
          <Input label="Template" field="template" errors={errors} help="Catalog path, e.g. templates/CY-END-101.md">
            {(p) => <input id={p.id} type="text" className={`form-control form-control-sm${p.className}`} aria-describedby={p.describedBy} aria-invalid={p.invalid || undefined} value={str('template')} onChange={(e) => onChange(['template'], e.target.value)} />}
          </Input>
        </div>
      </div>

      <fieldset className="mb-3">
        <legend className="h6 mb-1">Applies to</legend>
        {codes && !codes.declared && (
          <p className="small text-body-secondary mb-1">
            The codes listed are those the catalog's documents use (this server does not list catalog.yaml's codes); add another with its box. Lint checks every code is declared.
          </p>
        )}
        <Errors id={`${id}-applies-err`} messages={appliesErrors} />
        <div className="row g-2">
          {LISTS.map((l) => (
            <div key={l.key} className="col-sm-6 col-xxl-3">
              {codes ? (
                <CodeChecklist
                  legend={l.legend}
                  noneMeans={l.none}
                  codes={codes[l.key]}
                  value={stringList(getIn(edition, ['applies_to', l.key]))}
                  onChange={(v) => onChange(['applies_to', l.key], v)}
                  allowOther={!codes.declared}
                  errors={errors[`applies_to.${l.key}` as Field]}
                />
              ) : (
                <p className="small" aria-busy="true">
                  Loading the catalog's codes…
                </p>
              )}
            </div>
          ))}
        </div>
        <div className="row g-2 mt-1">
          <div className="col-md-4">
            <fieldset aria-describedby={errors['applies_to.coverages_match']?.length ? `${id}-match-err` : undefined}>
              <legend className="form-label small fw-semibold mb-0">Coverages match</legend>
              {(['any', 'all'] as const).map((m) => (
                <div className="form-check form-check-inline" key={m}>
                  <input className="form-check-input" type="radio" name={`${id}-match`} id={`${id}-match-${m}`} checked={match === m} onChange={() => onChange(['applies_to', 'coverages_match'], m)} />
                  <label className="form-check-label" htmlFor={`${id}-match-${m}`}>
                    {m === 'any' ? 'any (at least one listed code on the quote)' : 'all (every listed code)'}
                  </label>
                </div>
              ))}
              <Errors id={`${id}-match-err`} messages={errors['applies_to.coverages_match']} />
            </fieldset>
          </div>
          <div className="col-md-8">
            <fieldset className="effective-window" aria-describedby={`${id}-eff-help${effErrors?.length ? ` ${id}-eff-err` : ''}`}>
              <legend className="form-label small fw-semibold mb-0">Effective window</legend>
              <div className="d-flex flex-wrap gap-2 align-items-end">
                <div>
                  <label htmlFor={`${id}-from`} className="form-label small mb-0">
                    Effective from
                  </label>
                  <input
                    id={`${id}-from`}
                    type="date"
                    className={`form-control form-control-sm${effErrors?.length ? ' is-invalid' : ''}`}
                    value={fromText}
                    onChange={(e) => onChange(['applies_to', 'effective', 'from'], e.target.value || undefined)}
                  />
                </div>
                <div>
                  <label htmlFor={`${id}-until`} className="form-label small mb-0">
                    Effective until
                  </label>
                  <input
                    id={`${id}-until`}
                    type="date"
                    className={`form-control form-control-sm${effErrors?.length ? ' is-invalid' : ''}`}
                    value={untilText}
                    onChange={(e) => onChange(['applies_to', 'effective', 'until'], e.target.value || undefined)}
                  />
                </div>
              </div>
              <div id={`${id}-eff-help`} className={`form-text mt-0${windowHint ? ' text-warning-emphasis' : ''}`}>
                {windowHint ?? 'From inclusive, until exclusive; either may be left empty.'}
              </div>
              <Errors id={`${id}-eff-err`} messages={effErrors} />
            </fieldset>
          </div>
        </div>
      </fieldset>

      <div className="row g-3">
        <div className="col-md-7">
          <fieldset aria-describedby={attachErrors?.length ? `${id}-attach-err` : undefined}>
            <legend className="h6 mb-1">Attach, per transaction</legend>
            <table className={`table table-sm table-bordered attach-matrix mb-1 text-center align-middle${attachErrors?.length ? ' border-danger' : ''}`}>
              <caption className="visually-hidden">Attach mode per transaction</caption>
              <thead>
                <tr>
                  <th scope="col" className="text-start">
                    Transaction
                  </th>
                  {ATTACH_MODES.map((m) => (
                    <th scope="col" key={m}>
                      {m}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {TRANSACTIONS.map((tx) => {
                  const current = attachMode(getIn(edition, ['attach', tx]));
                  const allowed = attachChoices(tx);
                  return (
                    <tr key={tx}>
                      <th scope="row" className="text-start fw-normal">
                        {TX_LABEL[tx]}
                        {current && !(ATTACH_MODES as readonly string[]).includes(current) && <span className="badge text-bg-danger ms-1">{current}?</span>}
                      </th>
                      {ATTACH_MODES.map((m) =>
                        allowed.includes(m) ? (
                          <td key={m}>
                            <input
                              className="form-check-input"
                              type="radio"
                              name={`${id}-attach-${tx}`}
                              aria-label={`Attach on ${tx}: ${m}`}
                              checked={current === m}
                              onChange={() => onChange(['attach', tx], m)}
                            />
                          </td>
                        ) : (
                          <td key={m} className="text-body-secondary small">
                            <span aria-hidden="true">—</span>
                            <span className="visually-hidden">copy is not offered: new business has no prior package</span>
                          </td>
                        ),
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <div className="form-text mt-0">yes: attached automatically · no: only when the underwriter adds it · copy: carried over from the prior package.</div>
            <Errors id={`${id}-attach-err`} messages={attachErrors} />
          </fieldset>
        </div>
        <div className="col-md-5">
          <fieldset>
            <legend className="h6 mb-1">Flags</legend>
            {(
              [
                ['deletable', true, 'Deletable', 'The underwriter may remove it (default yes).'],
                ['flag_manual', false, 'Flag manual', 'Listed for underwriter review whenever eligible.'],
                ['multiple', false, 'Multiple', 'May appear more than once in a package.'],
              ] as const
            ).map(([k, dflt, label, help]) => (
              <div className="form-check" key={k}>
                <input
                  className={`form-check-input${errors[k]?.length ? ' is-invalid' : ''}`}
                  type="checkbox"
                  id={`${id}-${k}`}
                  checked={flag(k, dflt)}
                  onChange={(e) => onChange([k], e.target.checked)}
                  aria-describedby={`${id}-${k}-help${errors[k]?.length ? ` ${id}-${k}-err` : ''}`}
                />
                <label className="form-check-label" htmlFor={`${id}-${k}`}>
                  {label}
                </label>
                <div id={`${id}-${k}-help`} className="form-text mt-0">
                  {help}
                </div>
                <Errors id={`${id}-${k}-err`} messages={errors[k]} />
              </div>
            ))}
          </fieldset>
        </div>
      </div>
    </div>
  );
}
