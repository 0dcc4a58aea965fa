import { bench, describe } from 'vitest';
import { documentFilters } from './documents';
import { applyFilters, prepare } from './engine';
import { syntheticEditions } from './synthetic';

const rows = syntheticEditions(2000);
const prepared = prepare(documentFilters, rows);

describe('2,000 editions', () => {
  bench('one keystroke (text + 2 facets)', () => {
    applyFilters(prepared, { q: 'cyber sub', jurisdiction: ['CA'], kind: ['endorsement', 'form'] });
  });
  bench('prepare (once per load)', () => {
    prepare(documentFilters, rows);
  });
});
