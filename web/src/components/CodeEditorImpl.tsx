import { useEffect, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState, Compartment, type Extension } from '@codemirror/state';
import { Decoration, MatchDecorator, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { json } from '@codemirror/lang-json';
import { markdown } from '@codemirror/lang-markdown';
import { classifyTag, completeTag, openSections, tagContext, TAG_PATTERN, type NameOption, type TagKind } from '../lib/mustache';
import type { CodeEditorProps, EditorDiagnostic } from './CodeEditor';

const fill = EditorView.theme({
  '&': { height: '100%', fontSize: '0.875rem', backgroundColor: '#fff' },
  '.cm-scroller': { overflow: 'auto', fontFamily: 'SFMono-Regular, Menlo, Consolas, monospace' },
});

// Mustache tags over the Markdown highlighting; colours keep 4.5:1 on white.
const mustacheTheme = EditorView.theme({
  '.cm-mustache': { color: '#6f2da8', backgroundColor: '#f5eefc', borderRadius: '2px' },
  '.cm-mustache-section, .cm-mustache-inverted, .cm-mustache-close': { color: '#0a4f9e', backgroundColor: '#e3eefb', fontWeight: '600' },
  '.cm-mustache-inverted': { color: '#9a1c2a', backgroundColor: '#fbeaec' },
  '.cm-mustache-unescaped': { color: '#7a4100', backgroundColor: '#fdf1e2' },
  '.cm-mustache-comment': { color: '#51585e', backgroundColor: 'transparent', fontStyle: 'italic' },
});

const marks = new Map<TagKind, Decoration>();
const markOf = (kind: TagKind) => {
  let m = marks.get(kind);
  if (!m) marks.set(kind, (m = Decoration.mark({ class: `cm-mustache cm-mustache-${kind}`, attributes: { 'data-mustache': kind } })));
  return m;
};

const tagMatcher = new MatchDecorator({
  regexp: new RegExp(TAG_PATTERN.source, 'g'),
  decoration: (m) => markOf(classifyTag(m[0]).kind),
});

const mustacheHighlight = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = tagMatcher.createDeco(view);
    }
    update(u: ViewUpdate) {
      this.decorations = tagMatcher.updateDeco(u, this.decorations);
    }
  },
  { decorations: (p) => p.decorations },
);

/** Completion of the names inside a tag being typed; `names` is read when asked (it follows the schema). */
function mustacheCompletion(names: { current: readonly NameOption[] | undefined }): Extension {
  const source = (ctx: CompletionContext): CompletionResult | null => {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const tag = tagContext(line.text.slice(0, ctx.pos - line.from));
    if (!tag) return null;
    const open = tag.sigil === '/' ? openSections(ctx.state.doc.sliceString(0, ctx.pos)) : [];
    const after = ctx.state.doc.sliceString(ctx.pos, Math.min(ctx.state.doc.length, ctx.pos + 3));
    const close = tag.sigil === '{' ? '}}}' : '}}';
    const options: Completion[] = completeTag(tag, names.current ?? [], open).map((o) => ({
      label: o.label,
      detail: o.detail,
      type: o.type,
      // Closes the tag unless the name goes on (quote.) or the tag is closed already.
      apply: o.label.endsWith('.') || after.startsWith('}}') ? o.label : o.label + close,
    }));
    return options.length ? { from: line.from + tag.from, options, validFor: /^[A-Za-z0-9_.]*$/ } : null;
  };
  return [mustacheTheme, mustacheHighlight, EditorState.languageData.of(() => [{ autocomplete: source }])];
}

function toCm(state: EditorState, d: EditorDiagnostic): Diagnostic | null {
  const len = state.doc.length;
  if (d.from !== undefined) {
    const from = Math.max(0, Math.min(d.from, len));
    return { from, to: Math.max(from, Math.min(d.to ?? from, len)), severity: d.severity, message: d.message };
  }
  if (d.line === undefined || d.line < 1) return null;
  const line = state.doc.line(Math.min(d.line, state.doc.lines));
  const from = d.column && d.column > 1 ? Math.min(line.from + d.column - 1, line.to) : line.from;
  return { from, to: line.to, severity: d.severity, message: d.message };
}

export default function CodeEditorImpl({ value, onChange, language = 'json', label, readOnly = false, className, diagnostics, completions, goto }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const names = useRef(completions);
  names.current = completions;
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
          language === 'json' ? json() : language === 'markdown' || language === 'mustache' ? markdown() : [],
          language === 'mustache' ? mustacheCompletion(names) : [],
          lintGutter(),
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

  // Findings in place; they follow the text as it changes until the next ones.
  const diagnosticsKey = JSON.stringify(diagnostics ?? []);
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const list = (diagnostics ?? []).map((d) => toCm(v.state, d)).filter((d): d is Diagnostic => d !== null);
    v.dispatch(setDiagnostics(v.state, list));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [diagnosticsKey, language, label]);

  useEffect(() => {
    const v = view.current;
    if (!v || !goto) return;
    const len = v.state.doc.length;
    const anchor = Math.max(0, Math.min(goto.from, len));
    const head = Math.max(0, Math.min(goto.to ?? goto.from, len));
    v.dispatch({ selection: { anchor, head }, scrollIntoView: true });
    v.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [goto?.seq]);

  return <div ref={host} className={`code-editor border rounded ${className ?? 'editor-md'}`} data-language={language} />;
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
