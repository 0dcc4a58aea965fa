// Synthetic catalogs for tests and the benchmark.
import type { CatalogDocument } from '../api/client';

const KINDS = ['declarations', 'form', 'endorsement', 'notice'] as const;
const PRODUCTS = ['cyber', 'tech_eo', 'dno', 'epl', 'crime'];
const STATES = ['CA', 'NY', 'TX', 'FL', 'WA', 'IL', 'MA', 'NJ', 'GA', 'OH', 'PA', 'AZ'];
const COVERAGES = ['breach_response', 'ransomware', 'business_interruption', 'funds_transfer_fraud', 'media', 'regulatory'];
const MODES = ['yes', 'no', 'copy'] as const;

/** n editions with varied fields; deterministic. */
export function syntheticEditions(n: number): CatalogDocument[] {
  const out: CatalogDocument[] = [];
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const some = (xs: readonly string[]): string[] => (rnd() < 0.5 ? [] : xs.filter(() => rnd() < 0.3));
  for (let i = 0; i < n; i++) {
    const kind = pick(KINDS);
    out.push({
      id: `SYN-${kind.slice(0, 3).toUpperCase()}-${String(i).padStart(4, '0')}`,
      edition: `20${20 + (i % 6)}-0${1 + (i % 9)}`,
      title: `${pick(['Cyber', 'Tech', 'Crime', 'Privacy', 'Media'])} ${pick(['Sublimit', 'Exclusion', 'Notice', 'Amendment', 'Extension'])} ${kind} number ${i}`,
      kind,
      order: i * 10,
      template: `templates/SYN-${i}.md`,
      applies_to: { products: [pick(PRODUCTS)], jurisdictions: some(STATES), agencies: rnd() < 0.1 ? [`AG-${i % 30}`] : [], coverages: some(COVERAGES) },
      attach: { new: pick(MODES), renewal: pick(MODES), reissue: pick(MODES) },
      deletable: rnd() < 0.5,
      flag_manual: rnd() < 0.1,
      multiple: rnd() < 0.05,
    });
  }
  return out;
}
