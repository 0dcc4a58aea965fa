import { useEffect, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState, Compartment } from '@codemirror/state';
import { json } from '@codemirror/lang-json';
import { markdown } from '@codemirror/lang-markdown';
import type { CodeEditorProps } from './CodeEditor';

const fill = EditorView.theme({
  '&': { height: '100%', fontSize: '0.875rem', backgroundColor: '#fff' },
  '.cm-scroller': { overflow: 'auto', fontFamily: 'SFMono-Regular, Menlo, Consolas, monospace' },
});

export default function CodeEditorImpl({ value, onChange, language = 'json', label, readOnly = false, className }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const ro = useRef(new Compartment());

  useEffect(() => {
    if (!host.current) return;
    // CodeMirror injects its styles with style-mod: a <style> element in a
    // document (refused by the CSP's style-src 'self'), but a constructed,
    // adopted stylesheet in a shadow root (allowed). So the editor lives in
    // a shadow root of the host element.
    const shadow = host.current.shadowRoot ?? host.current.attachShadow({ mode: 'open' });
    const v = new EditorView({
      parent: shadow,
      root: shadow,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          language === 'json' ? json() : language === 'markdown' ? markdown() : [],
          EditorView.lineWrapping,
          fill,
          ro.current.of([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
          EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current?.(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    focusableWhenReadOnly(v, readOnly, label);
    return () => {
      v.destroy();
      view.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [language, label]);

  // Outside changes (e.g. another example picked) replace the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: ro.current.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]) });
    if (view.current) focusableWhenReadOnly(view.current, readOnly, label);
  }, [readOnly]);

  return <div ref={host} className={`code-editor border rounded ${className ?? 'editor-md'}`} />;
}

// A read-only editor has no editable content to focus: its scrolling area
// takes the focus instead, so keyboard users can scroll it (WCAG 2.1.1).
function focusableWhenReadOnly(v: EditorView, readOnly: boolean, label: string): void {
  if (readOnly) {
    v.scrollDOM.tabIndex = 0;
    v.scrollDOM.setAttribute('aria-label', label);
  } else {
    v.scrollDOM.removeAttribute('tabindex');
    v.scrollDOM.removeAttribute('aria-label');
  }
}
