import { useEffect, useRef, useState } from 'react';
import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import type { PdfViewerProps } from './PdfViewer';

// The worker is emitted as a hashed file of the build (worker-src 'self').
GlobalWorkerOptions.workerSrc = new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url).toString();

export default function PdfViewerImpl({ data, label }: PdfViewerProps) {
  const host = useRef<HTMLDivElement>(null);
  const [pages, setPages] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [scale, setScale] = useState(1.25);

  useEffect(() => {
    let doc: PDFDocumentProxy | null = null;
    let live = true;
    const container = host.current;
    if (!container) return;
    container.replaceChildren();
    setError(null);
    (async () => {
      const bytes = new Uint8Array(await data.arrayBuffer());
      // No eval (CSP script-src 'self'); fonts are drawn by pdf.js itself.
      doc = await getDocument({ data: bytes, isEvalSupported: false, disableFontFace: false }).promise;
      if (!live) return;
      setPages(doc.numPages);
      for (let n = 1; n <= doc.numPages && live; n++) {
        const page = await doc.getPage(n);
        const viewport = page.getViewport({ scale: scale * (window.devicePixelRatio || 1) });
        const canvas = document.createElement('canvas');
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        canvas.className = 'pdf-page border shadow-sm mb-3';
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `Page ${n} of ${doc.numPages}`);
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new Error('no 2D canvas');
        container.appendChild(canvas);
        await page.render({ canvasContext: ctx, viewport }).promise;
      }
    })().catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
      void doc?.destroy();
    };
  }, [data, scale]);

  return (
    <section aria-label={label}>
      <div className="d-flex gap-2 align-items-center mb-2">
        <span className="small text-body-secondary">{pages ? `${pages} page${pages === 1 ? '' : 's'}` : 'Rendering…'}</span>
        <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => setScale((s) => Math.max(0.5, s - 0.25))} aria-label="Zoom out">
          −
        </button>
        <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => setScale((s) => Math.min(3, s + 0.25))} aria-label="Zoom in">
          +
        </button>
      </div>
      {error && (
        <div className="alert alert-danger" role="alert">
          The PDF could not be shown: {error}
        </div>
      )}
      <div ref={host} className="pdf-pages" />
    </section>
  );
}
