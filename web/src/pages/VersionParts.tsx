// Pieces of the Versions page shared by one version (VersionDetail) and the
// comparison of two (VersionComparison).
import { useState, type ReactNode } from 'react';
import type { ApiClient } from '../api/client';
import { ErrorPanel } from '../components/ErrorPanel';
import { LineDiff } from '../components/LineDiff';
import { useAsync } from '../lib/hooks';

/** A heading with a count and a list of paths or ids; "none" when empty. */
export function CodeList({ items, label, level, note }: { items: readonly string[]; label: string; level: 3 | 4; note?: (item: string) => ReactNode }) {
  const Heading = level === 3 ? 'h3' : 'h4';
  if (items.length === 0) return <p className="small text-body-secondary">{label}: none.</p>;
  return (
    <>
      <Heading className="h6">
        {label} ({items.length})
      </Heading>
      <ul className="list-unstyled small mb-3">
        {items.map((item) => (
          <li key={item}>
            <code>{item}</code>
            {note && <> {note(item)}</>}
          </li>
        ))}
      </ul>
    </>
  );
}

/** The line diff of a file of two versions, its texts loaded when it is mounted. */
function FileDiff({ client, path, from, to }: { client: ApiClient; path: string; from: number; to: number }) {
  const texts = useAsync(
    (signal) => Promise.all([client.versionFile(from, path, signal), client.versionFile(to, path, signal)]),
    [client, path, from, to],
  );
  const [before, after] = texts.data ?? [null, null];
  return (
    <div className="mt-1 mb-2">
      <ErrorPanel error={texts.error} title={`Loading ${path}`} onRetry={texts.reload} />
      {texts.loading && !texts.data && <p className="small" aria-busy="true">Loading…</p>}
      {texts.data &&
        (before === null || after === null ? (
          <p className="small text-body-secondary mb-0">Not a text file: its content differs, but no line diff can show how.</p>
        ) : (
          <LineDiff before={before} after={after} label={`Changes to ${path} from version ${from} to version ${to}`} sides={[`Version ${from}`, `Version ${to}`]} />
        ))}
    </div>
  );
}

/** The files two versions both have with different contents, each expandable to its line diff (texts fetched on the first expansion). */
export function ChangedFiles({ client, paths, from, to }: { client: ApiClient; paths: readonly string[]; from: number; to: number }) {
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set());
  if (paths.length === 0) return <p className="small text-body-secondary">Changed: none.</p>;
  return (
    <>
      <h4 className="h6">Changed ({paths.length})</h4>
      <ul className="list-unstyled small mb-3">
        {paths.map((path) => (
          <li key={path}>
            <details
              onToggle={(e) => {
                if (e.currentTarget.open) setOpened((o) => (o.has(path) ? o : new Set(o).add(path)));
              }}
            >
              <summary>
                <code>{path}</code>
              </summary>
              {opened.has(path) && <FileDiff client={client} path={path} from={from} to={to} />}
            </details>
          </li>
        ))}
      </ul>
    </>
  );
}
