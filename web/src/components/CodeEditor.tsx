import { lazy, Suspense } from 'react';
import type { NameOption } from '../lib/mustache';

/** A finding shown in the editor: underlined, with a marker in the gutter and its message on hover. */
export interface EditorDiagnostic {
  /** A range of the text (UTF-16 offsets)... */
  from?: number;
  to?: number;
  /** ...or a 1-based line (and column): the line is marked. */
  line?: number;
  column?: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface CodeEditorProps {
  value: string;
  onChange?: (value: string) => void;
  /** 'mustache': Markdown with its Mustache tags highlighted (sections apart) and names completed. */
  language?: 'json' | 'markdown' | 'mustache' | 'text';
  /** Accessible name of the editor. */
  label: string;
  readOnly?: boolean;
  /** CSS class setting the height (see styles.css: editor-sm, editor-md, editor-lg). */
  className?: string;
  /** Findings to show in place (lint gutter). */
  diagnostics?: readonly EditorDiagnostic[];
  /** Names offered inside Mustache tags (language 'mustache'). */
  completions?: readonly NameOption[];
  /** Moves the cursor (and selects up to `to`) and focuses the editor whenever `seq` changes. */
  goto?: { from: number; to?: number; seq: number } | null;
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
