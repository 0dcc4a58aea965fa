import { useEffect, useRef, useState } from 'react';
import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import type { PdfViewerProps } from './PdfViewer';

// The worker is emitted as a hashed file of the build (worker-src 'self').
GlobalWorkerOptions.workerSrc = new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url).toString();

interface Bookmark {
  title: string;
  /** 0-based page, or null when its destination cannot be resolved. */
  page: number | null;
  depth: number;
}

type OutlineNode = { title: string; dest: string | unknown[] | null; items: OutlineNode[] };

async function bookmarks(doc: PDFDocumentProxy): Promise<Bookmark[]> {
  const outline = (await doc.getOutline()) as OutlineNode[] | null;
  const out: Bookmark[] = [];
  const walk = async (nodes: OutlineNode[], depth: number) => {
    for (const n of nodes) {
      let page: number | null = null;
      try {
        const dest = typeof n.dest === 'string' ? await doc.getDestination(n.dest) : n.dest;
        const ref = Array.isArray(dest) ? dest[0] : null;
        if (typeof ref === 'number') page = ref;
        else if (ref && typeof ref === 'object') page = await doc.getPageIndex(ref as Parameters<PDFDocumentProxy['getPageIndex']>[0]);
      } catch {
        page = null;
      }
      out.push({ title: n.title, page, depth });
      if (n.items?.length) await walk(n.items, depth + 1);
    }
  };
  await walk(outline ?? [], 0);
  return out;
}

type Item = { str: string; hasEOL: boolean; transform: number[]; width: number; height: number };

/** The text of a page in reading order: items on one line joined (with a space where there is a gap), lines by line breaks. */
function pageText(items: readonly unknown[]): string {
  let out = '';
  let prev: Item | null = null;
  for (const raw of items) {
    if (typeof raw !== 'object' || raw === null || !('str' in raw)) continue;
    const it = raw as Item;
    if (prev && !prev.hasEOL) {
      if (Math.abs(it.transform[5]! - prev.transform[5]!) > 1) out += '\n';
      else {
        const gap = it.transform[4]! - (prev.transform[4]! + prev.width);
        if (gap > 0.15 * Math.abs(it.height || prev.height || 10) && !/\s$/.test(out) && !/^\s/.test(it.str)) out += ' ';
      }
    }
    out += it.str + (it.hasEOL ? '\n' : '');
    prev = it;
  }
  return out;
}

export default function PdfViewerImpl({ data, label }: PdfViewerProps) {
  const host = useRef<HTMLDivElement>(null);
  const [pages, setPages] = useState(0);
  const [title, setTitle] = useState<string | null>(null);
  const [marks, setMarks] = useState<Bookmark[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [scale, setScale] = useState(1.25);

  useEffect(() => {
    let doc: PDFDocumentProxy | null = null;
    let live = true;
    if (!host.current) return;
    // This run's pages go into its own element: a run that a newer PDF (or
    // zoom) replaced may still finish a page, but only into a detached element.
    const container = document.createElement('div');
    host.current.replaceChildren(container);
    setError(null);
    (async () => {
      const bytes = new Uint8Array(await data.arrayBuffer());
      // No eval (CSP script-src 'self'); fonts are drawn by pdf.js itself.
      doc = await getDocument({ data: bytes, isEvalSupported: false, disableFontFace: false }).promise;
      if (!live) return;
      setPages(doc.numPages);
      const meta = await doc.getMetadata().catch(() => null);
      const info = (meta?.info ?? {}) as { Title?: unknown };
      if (live) setTitle(typeof info.Title === 'string' && info.Title !== '' ? info.Title : null);
      const found = await bookmarks(doc).catch(() => []);
      if (live) setMarks(found);
      for (let n = 1; n <= doc.numPages && live; n++) {
        const page = await doc.getPage(n);
        const viewport = page.getViewport({ scale: scale * (window.devicePixelRatio || 1) });
        const wrap = document.createElement('div');
        wrap.className = 'pdf-page-wrap';
        const canvas = document.createElement('canvas');
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        canvas.className = 'pdf-page border shadow-sm mb-3';
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `Page ${n} of ${doc.numPages}`);
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new Error('no 2D canvas');
        // The page's text, for screen readers and find-in-page (the canvas is a picture).
        const text = document.createElement('div');
        text.className = 'visually-hidden pdf-text';
        const content = await page.getTextContent();
        text.textContent = pageText(content.items);
        wrap.append(canvas, text);
        container.appendChild(wrap);
        await page.render({ canvasContext: ctx, viewport }).promise;
      }
    })().catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
      void doc?.destroy();
    };
  }, [data, scale]);

  const goTo = (page: number) => host.current?.firstElementChild?.children[page]?.scrollIntoView({ block: 'start', behavior: 'smooth' });

  return (
    <section aria-label={label}>
      <div className="d-flex flex-wrap gap-2 align-items-center mb-2">
        {title && (
          <span className="small">
            Title: <strong className="pdf-title">{title}</strong> ·
          </span>
        )}
        <span className="small text-body-secondary">{pages ? `${pages} page${pages === 1 ? '' : 's'}` : 'Rendering…'}</span>
        <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => setScale((s) => Math.max(0.5, s - 0.25))} aria-label="Zoom out">
          −
        </button>
        <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => setScale((s) => Math.min(3, s + 0.25))} aria-label="Zoom in">
          +
        </button>
      </div>
      {marks.length > 0 && (
        <nav aria-label={`Bookmarks of ${label}`} className="mb-2">
          <ul className="list-unstyled small mb-0 pdf-bookmarks">
            {marks.map((m, i) => (
              <li key={i} className={`pdf-bookmark-depth-${Math.min(m.depth, 3)}`}>
                {m.page !== null ? (
                  <button type="button" className="btn btn-link btn-sm p-0 text-start" onClick={() => goTo(m.page!)}>
                    {m.title} <span className="text-body-secondary">(page {m.page + 1})</span>
                  </button>
                ) : (
                  m.title
                )}
              </li>
            ))}
          </ul>
        </nav>
      )}
      {error && (
        <div className="alert alert-danger" role="alert">
          The PDF could not be shown: {error}
        </div>
      )}
      <div ref={host} className="pdf-pages" />
    </section>
  );
}
