// A picture the API serves only with the caller's token (a test run's page
// or diff): fetched as a Blob and shown from an object URL, freed when the
// picture changes or goes away.
import { useEffect, useState } from 'react';
import { ErrorPanel } from './ErrorPanel';

export function AuthImage({ load, alt, className }: { load: (signal: AbortSignal) => Promise<Blob>; alt: string; className?: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const controller = new AbortController();
    let made: string | null = null;
    setUrl(null);
    setError(null);
    load(controller.signal)
      .then((blob) => {
        if (controller.signal.aborted) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => {
      controller.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [load]);
  if (error) return <ErrorPanel error={error} title={`Loading ${alt}`} />;
  if (!url) return <p aria-busy="true" className="small text-body-secondary">Loading {alt}…</p>;
  // A click opens the picture at full size in a new tab (the details column shows it small).
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" title={`${alt}: open at full size`}>
      <img src={url} alt={alt} className={className} />
    </a>
  );
}
