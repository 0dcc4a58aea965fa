// The example quotes of examples/quotes/, bundled at build time.
const files = import.meta.glob('../../examples/quotes/*.json', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;

export const exampleQuotes: { name: string; text: string }[] = Object.entries(files)
  .map(([path, text]) => ({ name: path.replace(/^.*\//, '').replace(/\.json$/, ''), text }))
  .sort((a, b) => a.name.localeCompare(b.name));
