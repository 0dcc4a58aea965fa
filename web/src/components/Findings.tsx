import type { Diagnostic } from '../api/client';

function where(d: Diagnostic): string {
  const parts: string[] = [];
  if (d.document) parts.push(d.instance && d.instance > 1 ? `${d.document} #${d.instance}` : d.document);
  if (d.documents?.length) parts.push(`one of ${d.documents.join(', ')}`);
  if (d.rule) parts.push(`rule ${d.rule}`);
  if (d.file) parts.push(`${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''}`);
  return parts.join(' · ');
}

export interface FindingsProps {
  findings: readonly Diagnostic[];
  caption: string;
  /**
   * When given, a finding's JSON Pointer is a button that calls it (e.g. to
   * move the cursor of the editor holding the JSON there), for the findings
   * `canLocate` accepts (all when it is not given).
   */
  onPointer?: (d: Diagnostic) => void;
  canLocate?: (d: Diagnostic) => boolean;
}

function pointerText(path: string): string {
  return path === '' ? '(root)' : path;
}

/** Package errors, lint findings, job errors, validator findings: code, message, JSON Pointer, document, rule, file:line. */
export function Findings({ findings, caption, onPointer, canLocate }: FindingsProps) {
  if (findings.length === 0) return <p className="text-body-secondary small mb-0">{caption}: none.</p>;
  return (
    <div className="table-responsive">
      <table className="table table-sm align-middle mb-0 findings">
        <caption className="caption-top">
          {caption} ({findings.length})
        </caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Code</th>
            <th scope="col">Message</th>
            <th scope="col">JSON Pointer</th>
            <th scope="col">Where</th>
          </tr>
        </thead>
        <tbody>
          {findings.map((d, i) => (
            <tr key={i}>
              <td>
                <span className={`badge ${d.severity === 'warning' ? 'text-bg-warning' : 'text-bg-danger'}`}>{d.severity ?? 'error'}</span>
              </td>
              <td className="finding-code">
                <code>{d.code}</code>
              </td>
              <td>{d.message}</td>
              <td>
                {d.path === undefined ? (
                  ''
                ) : onPointer && (canLocate?.(d) ?? true) ? (
                  <button type="button" className="btn btn-link btn-sm p-0 text-start finding-pointer" onClick={() => onPointer(d)} aria-label={`Show ${pointerText(d.path)} in the editor`}>
                    <code>{pointerText(d.path)}</code>
                  </button>
                ) : (
                  <code>{pointerText(d.path)}</code>
                )}
              </td>
              <td className="small">{where(d)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
