// The Documents page's filters. Adding a filter = adding one entry here.
import type { AttachMode, CatalogDocument } from '../api/client';
import { ANY, type FilterDef } from './engine';

type AppliesKey = 'products' | 'jurisdictions' | 'agencies' | 'coverages';

/**
 * An edition's list under applies_to: ANY when applies_to is there without
 * that list (no restriction), undefined when the server sent no applies_to
 * at all (the filter is then disabled).
 */
export function appliesTo(doc: CatalogDocument, key: AppliesKey): readonly string[] | typeof ANY | undefined {
  const a = doc.applies_to;
  if (!a || typeof a !== 'object') return undefined;
  const list = a[key];
  // An absent or empty list does not restrict (the server sends [] for "any").
  return Array.isArray(list) && list.length > 0 ? list.map(String) : ANY;
}

/** yes / no / copy; YAML booleans may come back as true / false. */
export function attachMode(value: AttachMode | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === true) return 'yes';
  if (value === false) return 'no';
  return String(value);
}

function attach(doc: CatalogDocument, tx: 'new' | 'renewal' | 'reissue'): string | undefined {
  const a = doc.attach;
  if (!a || typeof a !== 'object') return undefined;
  return attachMode(a[tx]) ?? 'no';
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

export const documentFilters: FilterDef<CatalogDocument>[] = [
  {
    key: 'q',
    label: 'Search',
    kind: 'text',
    description: 'Text in the document id or title',
    placeholder: 'id or title',
    get: (d) => `${d.id}\n${d.title}`,
  },
  { key: 'product', label: 'Product', kind: 'multi', get: (d) => appliesTo(d, 'products') },
  { key: 'jurisdiction', label: 'Jurisdiction', kind: 'multi', get: (d) => appliesTo(d, 'jurisdictions') },
  { key: 'agency', label: 'Agency', kind: 'multi', get: (d) => appliesTo(d, 'agencies') },
  { key: 'coverage', label: 'Coverage', kind: 'multi', get: (d) => appliesTo(d, 'coverages') },
  { key: 'kind', label: 'Kind', kind: 'multi', get: (d) => (typeof d.kind === 'string' ? d.kind : undefined) },
  { key: 'attach_new', label: 'Attach on new', kind: 'multi', get: (d) => attach(d, 'new') },
  { key: 'attach_renewal', label: 'Attach on renewal', kind: 'multi', get: (d) => attach(d, 'renewal') },
  { key: 'attach_reissue', label: 'Attach on reissue', kind: 'multi', get: (d) => attach(d, 'reissue') },
  // A server that does not send these fields leaves the filters disabled.
  { key: 'deletable', label: 'Deletable', kind: 'boolean', get: (d) => bool(d.deletable) },
  { key: 'flag_manual', label: 'Flag manual', kind: 'boolean', get: (d) => bool(d.flag_manual) },
  { key: 'multiple', label: 'Multiple', kind: 'boolean', get: (d) => bool(d.multiple) },
];
