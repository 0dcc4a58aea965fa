import { useMemo, useState } from 'react';
import type { PolicyResult } from '../api/client';
import { canGenerate, useAuth } from '../auth';
import { CodeEditor } from '../components/CodeEditor';
import { ErrorPanel } from '../components/ErrorPanel';
import { batchPolicies, defaultExamplePolicy, examplePolicies, quotePolicies } from '../examples';
import { describeJsonError, parseJson } from '../lib/json';
import { useSearchParams } from '../lib/router';
import { PolicyReport } from './PolicyReport';
import { ValidatorBatches } from './ValidatorBatches';

function CheckPolicy() {
  const { client } = useAuth();
  const [params, setParams] = useSearchParams();
  const chosen = params.get('example') ?? defaultExamplePolicy?.name ?? '';
  const example = examplePolicies.find((p) => p.name === chosen);
  const [text, setText] = useState<string>(example?.text ?? '{\n}\n');
  const [loadedFor, setLoadedFor] = useState(chosen);
  // The result with the policy it is about (the editor may have changed since).
  const [checked, setChecked] = useState<{ result: PolicyResult; policy: unknown } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (loadedFor !== chosen && example) {
    setLoadedFor(chosen);
    setText(example.text);
    setChecked(null);
    setError(null);
  }

  const parsed = useMemo(() => parseJson(text), [text]);

  const validate = async () => {
    if (!parsed.ok) return;
    setBusy(true);
    setError(null);
    try {
      setChecked({ result: await client.validatePolicy(text), policy: parsed.value });
    } catch (e) {
      setError(e);
      setChecked(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="check-heading" className="mb-4">
      <h2 id="check-heading" className="h4">
        Check one policy
      </h2>
      <div className="row g-2 align-items-end mb-2">
        <div className="col-sm-6 col-lg-4">
          <label htmlFor="example-policy" className="form-label">
            Example policy
          </label>
          <select
            id="example-policy"
            className="form-select"
            value={example ? chosen : ''}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              next.set('example', e.target.value);
              setParams(next);
            }}
          >
            {!example && <option value="">(pasted)</option>}
            <optgroup label="Issued from the example quotes (no findings)">
              {quotePolicies.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </optgroup>
            <optgroup label="examples/validate/policies.jsonl">
              {batchPolicies.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </optgroup>
          </select>
        </div>
        <div className="col-sm-6 col-lg-8 small text-body-secondary">
          A policy is the quote it was issued from and the documents it carries:{' '}
          <code>{'{"policy_id", "quote": {…}, "documents": [{"id", "edition", "variables"}]}'}</code>.
        </div>
      </div>
      <CodeEditor label="Policy JSON" value={text} onChange={setText} language="json" className="editor-md" />
      {!parsed.ok && (
        <p className="text-danger small mt-1" role="status">
          Not JSON, so nothing is sent: {describeJsonError(parsed.error)}
        </p>
      )}
      <div className="d-flex gap-2 mt-2 mb-3">
        <button type="button" className="btn btn-primary" disabled={!parsed.ok || busy} onClick={() => void validate()}>
          {busy ? 'Validating…' : 'Validate'}
        </button>
      </div>
      <ErrorPanel error={error} title="Validating the policy" />
      {checked && <PolicyReport level={3} title="Result" result={checked.result} policy={checked.policy} />}
      {!checked && !error && <p className="text-body-secondary">Validate the policy to see its findings beside the explain of its quote's package.</p>}
    </section>
  );
}

export function ValidatorPage() {
  const { role } = useAuth();
  return (
    <div>
      <h1 className="h3">Validator</h1>
      <p className="text-body-secondary small">
        Compares issued policies with the package their quote resolves to, and runs the catalog's rules: missing or unexpected documents, stale or unknown
        editions, invalid variables, rule violations.
      </p>
      {canGenerate(role) ? (
        <CheckPolicy />
      ) : (
        <p className="alert alert-info">Checking a policy and submitting batches need the generator role; you can follow the batches and read their results.</p>
      )}
      <ValidatorBatches />
    </div>
  );
}
