import { useMemo } from 'react';
import { lineDiff, withContext } from '../lib/diff';

const DRAFT_SIDES = ['Current', 'Draft'] as const;

/**
 * A line diff of two texts (removed lines "−", added "+"), unchanged runs collapsed to `context` lines around each change.
 * `sides` names the two texts in the line-number column headings ("Current line", "Draft line").
 */
export function LineDiff({
  before,
  after,
  label,
  context = 3,
  sides = DRAFT_SIDES,
}: {
  before: string;
  after: string;
  label: string;
  context?: number;
  sides?: readonly [string, string];
}) {
  const chunks = useMemo(() => withContext(lineDiff(before, after), context), [before, after, context]);
  const changed = chunks.some((c) => c.kind === 'lines' && c.lines.some((l) => l.op !== 'same'));
  if (!changed) return <p className="small text-body-secondary mb-0">{label}: no changes.</p>;
  return (
    // Scrollable, so focusable for keyboard users.
    <div className="diff-box border rounded" tabIndex={0} role="region" aria-label={label}>
      <table className="diff mb-0">
        <caption className="visually-hidden">{label}</caption>
        <thead className="visually-hidden">
          <tr>
            <th scope="col">{sides[0]} line</th>
            <th scope="col">{sides[1]} line</th>
            <th scope="col">Change</th>
            <th scope="col">Text</th>
          </tr>
        </thead>
        <tbody>
          {chunks.map((c, i) =>
            c.kind === 'skip' ? (
              <tr key={i} className="diff-skip">
                <td colSpan={4}>… {c.count} unchanged line{c.count === 1 ? '' : 's'}</td>
              </tr>
            ) : (
              c.lines.map((l, j) => (
                <tr key={`${i}-${j}`} className={l.op === 'add' ? 'diff-add' : l.op === 'del' ? 'diff-del' : undefined}>
                  <td className="diff-num">{l.oldLine ?? ''}</td>
                  <td className="diff-num">{l.newLine ?? ''}</td>
                  <td className="diff-sign">
                    {l.op !== 'same' && (
                      <>
                        <span aria-hidden="true">{l.op === 'add' ? '+' : '−'}</span>
                        <span className="visually-hidden">{l.op === 'add' ? 'added' : 'removed'}</span>
                      </>
                    )}
                  </td>
                  <td className="diff-text">{l.text}</td>
                </tr>
              ))
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}
