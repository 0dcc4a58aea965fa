import { lazy, Suspense } from 'react';

export interface PdfViewerProps {
  /** The PDF's bytes. */
  data: Blob;
  /** Accessible name, e.g. "Package PDF of Q-1001". */
  label: string;
}

// pdf.js (and its worker, a file of the build) is loaded on first use.
const Impl = lazy(() => import('./PdfViewerImpl'));

export function PdfViewer(props: PdfViewerProps) {
  return (
    <Suspense fallback={<p aria-busy="true">Loading PDF viewer…</p>}>
      <Impl {...props} />
    </Suspense>
  );
}
