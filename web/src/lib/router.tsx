// A small History-API router: paths under the base (/ui/), state in the
// query. docgen serves index.html for every /ui/ path without a dot.
import { useCallback, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const BASE = import.meta.env.BASE_URL.replace(/\/$/, ''); // '/ui'
const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** `to` is relative to the base: 'jobs?status=failed'. */
export function href(to: string): string {
  return `${BASE}/${to.replace(/^\//, '')}`;
}

export function navigate(to: string, options: { replace?: boolean } = {}) {
  const url = href(to);
  if (url === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

export interface Location {
  /** Path segments after the base: ['jobs'], ['documents', 'CY-DEC', 'edit']. */
  segments: string[];
  params: URLSearchParams;
}

export function useLocation(): Location {
  const s = useSyncExternalStore(subscribe, snapshot);
  const q = s.indexOf('?');
  const path = q < 0 ? s : s.slice(0, q);
  const rest = path.startsWith(BASE) ? path.slice(BASE.length) : path;
  return {
    segments: rest.split('/').filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(q < 0 ? '' : s.slice(q)),
  };
}

/** The query of the current page, and a setter that keeps the path (replace: no history entry per keystroke). */
export function useSearchParams(): [URLSearchParams, (next: URLSearchParams, options?: { replace?: boolean }) => void] {
  const { segments, params } = useLocation();
  const path = segments.map(encodeURIComponent).join('/');
  const set = useCallback(
    (next: URLSearchParams, options: { replace?: boolean } = {}) => {
      const q = next.toString();
      navigate(q ? `${path}?${q}` : path, options);
    },
    [path],
  );
  return [params, set];
}

/**
 * The item selected on a page, kept in one query parameter (`?job=ID`):
 * its value (null when none), a toggle (selecting the selected item
 * deselects it) and a way to deselect; the other parameters stay, and no
 * history entry is added.
 */
export function useSelectedParam(name: string): [string | null, (value: string) => void, () => void] {
  const [params, setParams] = useSearchParams();
  const selected = params.get(name);
  const key = params.toString();
  const write = useCallback(
    (value: string | null) => {
      const next = new URLSearchParams(key);
      if (value === null) next.delete(name);
      else next.set(name, value);
      setParams(next, { replace: true });
    },
    [key, name, setParams],
  );
  const toggle = useCallback((value: string) => write(selected === value ? null : value), [selected, write]);
  const clear = useCallback(() => write(null), [write]);
  return [selected, toggle, clear];
}

export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a
      {...rest}
      href={href(to)}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    />
  );
}
