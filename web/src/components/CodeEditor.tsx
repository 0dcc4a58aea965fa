import { lazy, Suspense } from 'react';

export interface CodeEditorProps {
  value: string;
  onChange?: (value: string) => void;
  language?: 'json' | 'markdown' | 'text';
  /** Accessible name of the editor. */
  label: string;
  readOnly?: boolean;
  /** CSS class setting the height (see styles.css: editor-sm, editor-md, editor-lg). */
  className?: string;
}

// CodeMirror 6 is loaded on first use (its own chunk).
const Impl = lazy(() => import('./CodeEditorImpl'));

export function CodeEditor(props: CodeEditorProps) {
  return (
    <Suspense fallback={<div className={`form-control code-editor-loading ${props.className ?? 'editor-md'}`} aria-busy="true">Loading editor…</div>}>
      <Impl {...props} />
    </Suspense>
  );
}
