// The Operations page's form: pick an operation, fill in the form generated
// from its parameter schema and a reason, dry run (the plan), then run. Run
// is enabled only while the inputs are those of the last successful dry run;
// a refusal is shown beside the field its JSON Pointer names, and every input
// stays as typed.
import { useId, useMemo, useState } from 'react';
import type { RJSFSchema } from '@rjsf/utils';
import type { Operation, OpRun } from '../api/client';
import { useAuth } from '../auth';
import { BoundedList } from '../components/BoundedList';
import { ErrorPanel } from '../components/ErrorPanel';
import { JsonSchemaForm } from '../components/JsonSchemaForm';
import { formatTime } from '../lib/format';
import {
  NO_FIELD_ERRORS,
  afterParamsChange,
  alternativesText,
  changedParams,
  cleanParams,
  currentDryRun,
  defaultParams,
  formSchema,
  planHeadline,
  placeRunError,
  properties,
  refusalText,
  runKey,
  toErrorSchema,
  type DryRun,
  type Params,
  type RunFieldErrors,
} from '../lib/operations';

interface Props {
  operations: readonly Operation[];
  /** A dry run answered (it is stored with the runs). */
  onDryRun: (run: OpRun) => void;
  /** A run was queued (202). */
  onQueued: (run: OpRun) => void;
}

const isParams = (v: unknown): v is Params => typeof v === 'object' && v !== null && !Array.isArray(v);

function Plan({ current, stale, queued }: { current: OpRun | null; stale: boolean; queued: OpRun | null }) {
  return (
    <div aria-live="polite">
      {queued && (
        <div className="alert alert-success py-2 small" role="status">
          Run <code>{queued.id}</code> queued: it is selected in the runs below, with its progress and outcomes.
        </div>
      )}
      {current ? (
        <>
          <p className="small text-body-secondary mb-1">
            Dry run <code>{current.id}</code> of {formatTime(current.created_at)}: nothing was changed. Run plans again when it starts and applies what
            is true then.
          </p>
          <p className="fw-semibold mb-1">{planHeadline(current.steps)}</p>
          <BoundedList items={current.plan ?? []} label={`Plan of dry run ${current.id}`} empty="" />
        </>
      ) : stale ? (
        <p className="small">The inputs changed since the last dry run: dry run again to enable Run.</p>
      ) : (
        <p className="small text-body-secondary">No dry run of these inputs yet. A dry run shows what a run would change, and changes nothing.</p>
      )}
    </div>
  );
}

export function OperationForm({ operations, onDryRun, onQueued }: Props) {
  const { client } = useAuth();
  const uid = useId();
  const [name, setName] = useState(operations[0]?.name ?? '');
  const [typed, setTyped] = useState<Record<string, Params>>({});
  const [reason, setReason] = useState('');
  const [last, setLast] = useState<DryRun | null>(null);
  const [queued, setQueued] = useState<OpRun | null>(null);
  const [fieldErrors, setFieldErrors] = useState<RunFieldErrors>(NO_FIELD_ERRORS);
  const [refusal, setRefusal] = useState('');
  const [error, setError] = useState<{ dryRun: boolean; error: unknown } | null>(null);
  const [busy, setBusy] = useState<'dry run' | 'run' | null>(null);

  const op = operations.find((o) => o.name === name);
  const form = useMemo(() => (op ? formSchema(op.params_schema) : null), [op]);
  const names = useMemo(() => Object.keys(properties(op?.params_schema ?? {})), [op]);
  const params = useMemo(() => typed[name] ?? defaultParams(op?.params_schema ?? {}), [typed, name, op]);
  const key = runKey(name, params, reason);
  const current = currentDryRun(last, key);
  const errorSchema = useMemo(() => toErrorSchema(fieldErrors), [fieldErrors]);

  const clearRefusal = () => {
    setRefusal('');
    setError(null);
  };

  const choose = (next: string) => {
    setName(next);
    setFieldErrors(NO_FIELD_ERRORS);
    clearRefusal();
  };

  const changeParams = (next: Params) => {
    // The form library also reports changes that change nothing (defaults it fills in): they keep the messages.
    if (changedParams(params, next).length === 0) return;
    setFieldErrors((e) => afterParamsChange(e, params, next));
    setRefusal('');
    setTyped((t) => ({ ...t, [name]: next }));
  };

  const submit = async (dryRun: boolean) => {
    if (!op || busy) return;
    // The key of the inputs as sent: typing while the answer comes makes the dry run not current.
    const sentKey = key;
    setBusy(dryRun ? 'dry run' : 'run');
    setFieldErrors(NO_FIELD_ERRORS);
    clearRefusal();
    setQueued(null);
    try {
      const run = await client.runOperation(op.name, { reason, params: cleanParams(params), dry_run: dryRun });
      if (dryRun) {
        setLast({ key: sentKey, run });
        onDryRun(run);
      } else {
        // Running the same inputs again needs a new dry run.
        setLast(null);
        setQueued(run);
        onQueued(run);
      }
    } catch (e) {
      const placed = placeRunError(e, names);
      setFieldErrors(placed.fields);
      setRefusal(refusalText(dryRun, placed.fields, op.params_schema));
      setError(placed.unplaced ? { dryRun, error: placed.unplaced } : null);
    } finally {
      setBusy(null);
    }
  };

  if (!op || !form) return <p>The server lists no operations.</p>;
  const reasonInvalid = fieldErrors.reason !== undefined;
  const hasParams = names.length > 0;

  return (
    <section className="card mb-4" aria-labelledby={`${uid}-heading`}>
      <div className="card-body">
        <h2 id={`${uid}-heading`} className="h4 card-title">
          Run an operation
        </h2>
        <div className="row g-4">
          <div className="col-lg-6">
            <div className="mb-3">
              <label htmlFor={`${uid}-op`} className="form-label fw-semibold">
                Operation
              </label>
              <select id={`${uid}-op`} className="form-select" value={name} aria-describedby={`${uid}-summary`} onChange={(e) => choose(e.target.value)}>
                {operations.map((o) => (
                  <option key={o.name} value={o.name}>
                    {o.name}
                  </option>
                ))}
              </select>
              <div id={`${uid}-summary`} className="form-text">
                {op.summary}
              </div>
            </div>
            <h3 className="h6">Parameters</h3>
            {form.alternatives.map((a, i) => (
              <p key={i} className="small mb-2">
                {alternativesText(a, op.params_schema)}
              </p>
            ))}
            {hasParams ? (
              <div className="border rounded p-2 mb-3">
                <JsonSchemaForm<Params>
                  key={op.name}
                  label={`Parameters of ${op.name}`}
                  schema={form.schema as RJSFSchema}
                  formData={params}
                  extraErrors={errorSchema}
                  errorList={false}
                  disabled={busy !== null}
                  onChange={(d) => changeParams(isParams(d) ? d : {})}
                />
              </div>
            ) : (
              <p className="small text-body-secondary">This operation takes no parameters.</p>
            )}
            <div className="mb-3">
              <label htmlFor={`${uid}-reason`} className="form-label fw-semibold">
                Reason
                <span className="text-danger" aria-hidden="true">
                  {' '}
                  *
                </span>
              </label>
              <textarea
                id={`${uid}-reason`}
                className={`form-control${reasonInvalid ? ' is-invalid' : ''}`}
                rows={2}
                required
                aria-invalid={reasonInvalid || undefined}
                aria-describedby={`${uid}-reason-help${reasonInvalid ? ` ${uid}-reason-error` : ''}`}
                value={reason}
                onChange={(e) => {
                  setReason(e.target.value);
                  setFieldErrors((f) => ({ ...f, reason: undefined }));
                  setRefusal('');
                }}
              />
              <div id={`${uid}-reason-help`} className="form-text">
                Required: why this runs. It is kept with the run and in the audit log.
              </div>
              {reasonInvalid && (
                <div id={`${uid}-reason-error`} className="invalid-feedback d-block">
                  {fieldErrors.reason}
                </div>
              )}
            </div>
            <div className="d-flex flex-wrap gap-2 align-items-center">
              <button type="button" className="btn btn-outline-primary" disabled={busy !== null} onClick={() => void submit(true)}>
                {busy === 'dry run' ? 'Planning…' : 'Dry run'}
              </button>
              <button type="button" className="btn btn-primary" disabled={busy !== null || !current} aria-describedby={`${uid}-run-help`} onClick={() => void submit(false)}>
                {busy === 'run' ? 'Starting…' : 'Run'}
              </button>
              <span id={`${uid}-run-help`} className="small text-body-secondary">
                Run is enabled after a dry run of exactly these inputs.
              </span>
            </div>
            <div className="mt-2" aria-live="assertive">
              {refusal && <p className="text-danger small mb-0">{refusal}</p>}
            </div>
            <div className="mt-2">
              <ErrorPanel error={error?.error} title={error?.dryRun ? 'Dry run (your inputs are kept)' : 'Run (your inputs are kept)'} />
            </div>
          </div>
          <div className="col-lg-6">
            <h3 className="h6">Plan</h3>
            <Plan current={current} stale={last !== null && !current} queued={queued} />
          </div>
        </div>
      </div>
    </section>
  );
}
