import { useCallback, useMemo } from 'react';
import type { FilterDef, FilterState } from '../filters/engine';
import { parseFilterState, writeFilterState } from '../filters/urlState';
import { useSearchParams } from './router';

/** Filter state kept in the URL query (replaceState: typing does not flood the history). */
export function useFilterState<Row>(defs: readonly FilterDef<Row>[]): [FilterState, (next: FilterState) => void, URLSearchParams, (p: URLSearchParams, o?: { replace?: boolean }) => void] {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useMemo(() => parseFilterState(defs as readonly FilterDef<never>[], params), [defs, key]);
  const setState = useCallback(
    (next: FilterState) => setParams(writeFilterState(defs as readonly FilterDef<never>[], next, new URLSearchParams(key)), { replace: true }),
    [defs, key, setParams],
  );
  return [state, setState, params, setParams];
}
