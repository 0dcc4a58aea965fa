// One page of a test-run variant: the golden, the new page and the diff side
// by side, or the new page laid over the golden with a slider between them.
import { useCallback, useState } from 'react';
import type { VariantImages } from '../api/client';
import { AuthImage } from './AuthImage';

type Mode = 'side' | 'overlay';
const LABELS = { golden: 'Golden', new: 'New', diff: 'Diff' } as const;

export function PageCompare({ images, what, load }: { images: VariantImages; what: string; load: (path: string, signal: AbortSignal) => Promise<Blob> }) {
  const [mode, setMode] = useState<Mode>('side');
  const [mix, setMix] = useState(50);
  const picture = (kind: keyof typeof LABELS) => {
    const path = images[kind];
    return path ? <Picture path={path} alt={`${LABELS[kind]} page ${images.page} of ${what}`} load={load} /> : null;
  };
  const overlay = !!images.golden && !!images.new;
  return (
    <figure className="page-compare">
      <figcaption className="d-flex align-items-center gap-2 mb-1">
        <strong>Page {images.page}</strong>
        {overlay && (
          <div className="btn-group btn-group-sm" role="group" aria-label={`How to compare page ${images.page}`}>
            {(['side', 'overlay'] as const).map((m) => (
              <button key={m} type="button" className={`btn btn-outline-secondary${mode === m ? ' active' : ''}`} aria-pressed={mode === m} onClick={() => setMode(m)}>
                {m === 'side' ? 'Side by side' : 'Overlay'}
              </button>
            ))}
          </div>
        )}
      </figcaption>
      {mode === 'overlay' && overlay ? (
        <div>
          <label className="form-label small mb-0" htmlFor={`mix-${images.page}`}>
            Golden ← {mix}% new → New
          </label>
          <input id={`mix-${images.page}`} type="range" className="form-range" min={0} max={100} value={mix} onChange={(e) => setMix(Number(e.target.value))} />
          <div className="overlay-stack">
            {picture('golden')}
            <div className="overlay-top" style={{ opacity: mix / 100 }}>
              {picture('new')}
            </div>
          </div>
        </div>
      ) : (
        <div className="row g-2">
          {(['golden', 'new', 'diff'] as const).map((kind) =>
            images[kind] ? (
              <div className="col" key={kind}>
                <div className="small text-body-secondary">{LABELS[kind]}</div>
                {picture(kind)}
              </div>
            ) : null,
          )}
        </div>
      )}
    </figure>
  );
}

function Picture({ path, alt, load }: { path: string; alt: string; load: (path: string, signal: AbortSignal) => Promise<Blob> }) {
  const loadThis = useCallback((signal: AbortSignal) => load(path, signal), [load, path]);
  return <AuthImage load={loadThis} alt={alt} className="img-fluid border" />;
}
