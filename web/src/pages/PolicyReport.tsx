// One policy's validation result beside the explain of its quote's package:
// why each catalog edition is or is not in the package, the documents the
// findings name first and marked, and how many instances the policy carries.
import { forwardRef, useId, useMemo } from 'react';
import type { ExplainEntry, PolicyResult } from '../api/client';
import { canGenerate, useAuth } from '../auth';
import type { Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { ExplainTable } from '../components/ExplainTable';
import { Findings } from '../components/Findings';
import { useAsync } from '../lib/hooks';
import { carriedCounts, documentsNamed, policyParts } from '../lib/validation';

export function Verdict({ ok }: { ok: boolean }) {
  return <span className={`badge ${ok ? 'text-bg-success' : 'text-bg-danger'}`}>{ok ? 'ok' : 'not ok'}</span>;
}

interface Props {
  result: PolicyResult;
  /** The policy as parsed, when it is known here: its quote is resolved for the explain. */
  policy?: unknown;
  /** Why the policy is not known (shown instead of the explain). */
  unknownPolicy?: string;
  title: string;
  /** Heading level of the title (the sub-headings are one below). */
  level: 3 | 4;
}

export const PolicyReport = forwardRef<HTMLHeadingElement, Props>(function PolicyReport({ result, policy, unknownPolicy, title, level }, ref) {
  const { client, role } = useAuth();
  const headingId = useId();
  const parts = useMemo(() => policyParts(policy), [policy]);
  const named = useMemo(() => new Set(documentsNamed(result.findings)), [result]);
  const quoteKey = parts.quote === undefined ? '' : JSON.stringify(parts.quote);
  const mayResolve = canGenerate(role) && parts.quote !== undefined;
  const pkg = useAsync((signal) => (mayResolve ? client.resolve(parts.quote, signal) : Promise.resolve(null)), [client, mayResolve, quoteKey]);

  const errors = result.findings.filter((f) => f.severity !== 'warning').length;
  const warnings = result.findings.length - errors;
  const H = `h${level}` as const;
  const Sub = `h${level + 1}` as 'h4' | 'h5';

  // The editions of the documents named in findings first (the rest in catalog order).
  const explainRows = useMemo(() => {
    const rows = pkg.data?.explain ?? [];
    return [...rows.filter((e) => named.has(e.id)), ...rows.filter((e) => !named.has(e.id))];
  }, [pkg.data, named]);
  const carried = useMemo(() => carriedCounts(parts.documents), [parts]);
  const carriedColumn: Column<ExplainEntry>[] =
    policy === undefined ? [] : [{ key: 'carried', header: 'Carried', render: (e) => carried.get(`${e.id}@${e.edition}`) ?? 0, className: 'text-end' }];

  let explain;
  if (!canGenerate(role)) {
    explain = <p className="small text-body-secondary">The explain comes from resolving the policy's quote, which needs the generator role.</p>;
  } else if (policy === undefined) {
    explain = <p className="small text-body-secondary">{unknownPolicy ?? 'The policy is not known here: only its findings are shown.'}</p>;
  } else if (parts.quote === undefined) {
    explain = <p className="small text-body-secondary">The policy has no quote object: there is nothing to explain.</p>;
  } else {
    const p = pkg.data;
    explain = (
      <>
        <ErrorPanel error={pkg.error} title="Resolving the policy's quote" onRetry={pkg.reload} />
        {pkg.loading && !p && <span className="spinner-border spinner-border-sm" role="status" aria-label="Resolving the quote" />}
        {p && (
          <>
            <p className="small mb-1">
              Quote <strong>{p.quote_id ?? <em>none</em>}</strong> against catalog {p.catalog.name}
              {p.catalog.version !== undefined ? ` v${p.catalog.version}` : ''}: the package has {p.documents.length} {p.documents.length === 1 ? 'document' : 'documents'}
              {p.valid ? '.' : ', with errors.'}
              {p.catalog.version !== undefined && result.catalog.version !== undefined && p.catalog.version !== result.catalog.version && (
                <> The policy was validated against v{result.catalog.version}.</>
              )}
            </p>
            {p.explain.length === 0 ? (
              <p className="small text-body-secondary">The quote fails resolution's first checks, so no edition was considered (see the findings).</p>
            ) : (
              <>
                <p className="small text-body-secondary mb-1">
                  {named.size > 0 ? 'The editions of the documents the findings name come first, marked "in findings". ' : ''}
                  Instances: in the package; carried: on the policy.
                </p>
                <ExplainTable caption="Why each edition is or is not in the package of the policy's quote" rows={explainRows} highlight={named} highlightLabel="in findings" extraColumns={carriedColumn} />
              </>
            )}
          </>
        )}
      </>
    );
  }

  return (
    <section aria-labelledby={headingId} className="policy-report">
      <H id={headingId} ref={ref} tabIndex={-1} className="h5">
        {title}
      </H>
      <p>
        Policy <strong>{result.policy_id ?? <em>no policy_id</em>}</strong>: <Verdict ok={result.ok} />{' '}
        <span className="small">
          {errors} {errors === 1 ? 'error' : 'errors'}, {warnings} {warnings === 1 ? 'warning' : 'warnings'} · catalog {result.catalog.name}
          {result.catalog.version !== undefined ? ` v${result.catalog.version}` : ''}
        </span>
      </p>
      <div className="row g-3">
        <div className="col-lg-6">
          <Sub className="h6">Findings</Sub>
          <Findings findings={result.findings} caption="Findings of the policy" />
        </div>
        <div className="col-lg-6">
          <Sub className="h6">Package explain</Sub>
          {explain}
        </div>
      </div>
    </section>
  );
});
