import { describe, expect, it, vi } from 'vitest';
import { ApiError, buildQuery, createClient } from './client';

function reply(status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(status === 204 ? null : text, { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

function clientWith(handler: (url: string, init: RequestInit) => Response | Promise<Response>, token: string | null = 'tok') {
  const calls: { url: string; init: RequestInit }[] = [];
  const onUnauthorized = vi.fn();
  const client = createClient({
    getToken: () => token,
    onUnauthorized,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), init: init ?? {} });
      return handler(String(input), init ?? {});
    }) as typeof fetch,
  });
  return { client, calls, onUnauthorized };
}

describe('API client', () => {
  it('sends the bearer token and JSON', async () => {
    const { client, calls } = clientWith(() => reply(200, { jobs: [] }));
    await client.listJobs({ status: 'failed', created_after: 5, limit: 10 });
    expect(calls[0]?.url).toBe('/v1/jobs?status=failed&created_after=5&limit=10');
    expect((calls[0]?.init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    await client.saveDraft('CY DEC', [{ id: 'CY DEC' }]);
    expect(calls[1]?.url).toBe('/v1/catalog/drafts/documents/CY%20DEC');
    expect(calls[1]?.init.method).toBe('PUT');
    expect((calls[1]?.init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(calls[1]?.init.body).toBe('[{"id":"CY DEC"}]');
  });

  it('turns the API error body into an ApiError', async () => {
    const { client, onUnauthorized } = clientWith(() =>
      reply(403, { error: { code: 'forbidden', message: 'This needs the admin role; the token has viewer.', request_id: 'req_1' } }),
    );
    const error = await client.lintDrafts().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden', requestId: 'req_1', message: 'This needs the admin role; the token has viewer.' });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('reports 401 to onUnauthorized', async () => {
    const { client, onUnauthorized } = clientWith(() => reply(401, { error: { code: 'unauthorized', message: 'bad token', request_id: 'r' } }));
    await expect(client.listJobs({})).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('keeps lint findings from details', async () => {
    const findings = [{ severity: 'error', code: 'unknown_template', message: 'no such template', document: 'X' }];
    const { client } = clientWith(() => reply(422, { error: { code: 'lint_failed', message: 'lint', request_id: 'r', details: findings } }));
    const error = (await client.publishDrafts().catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('lint_failed');
    expect(error.findings).toEqual(findings);
  });

  it('survives bodies that are not the API error (proxy pages, empty)', async () => {
    const { client } = clientWith(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'X-Request-Id': 'req_p' } }));
    const error = (await client.catalog().catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ status: 502, code: 'http_502', requestId: 'req_p' });
    expect(error.message).toContain('Bad gateway');
    expect(error.findings).toEqual([]);
  });

  it('turns network failures into network_error', async () => {
    const { client } = clientWith(() => {
      throw new TypeError('Failed to fetch');
    });
    await expect(client.catalog()).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('returns the package of an invalid quote (422) instead of throwing', async () => {
    const pkg = { valid: false, errors: [{ code: 'invalid_quote', message: 'm', path: '/transaction' }], documents: [], review: [], explain: [] };
    const { client } = clientWith(() => reply(422, pkg));
    await expect(client.resolve({})).resolves.toMatchObject({ valid: false });
  });

  it('throws render failures with their findings', async () => {
    const { client } = clientWith(() =>
      reply(422, { error: { code: 'invalid_package', message: 'invalid', request_id: 'r', details: [{ code: 'x', message: 'y', path: '/a' }] } }),
    );
    const error = (await client.render({}).catch((e: unknown) => e)) as ApiError;
    expect(error.findings[0]?.path).toBe('/a');
  });

  it('probes the role without POSTing anything but an empty resolve', async () => {
    const answers: Record<string, Record<string, number>> = {
      admin: { jobs: 200, lint: 200, resolve: 422 },
      generator: { jobs: 200, lint: 403, resolve: 422 },
      viewer: { jobs: 200, lint: 403, resolve: 403 },
    };
    for (const [role, a] of Object.entries(answers)) {
      const { client, calls } = clientWith((url) => {
        const which = url.includes('drafts:lint') ? 'lint' : url.includes('resolve') ? 'resolve' : 'jobs';
        return reply(a[which] as number, {});
      });
      expect(await client.probeRole()).toBe(role);
      for (const c of calls) if (c.init.method === 'POST') expect(c.url).toBe('/v1/packages:resolve');
    }
    const { client } = clientWith(() => reply(401, {}));
    expect(await client.probeRole()).toBeNull();
  });

  it('refuses to download anything but job results', () => {
    const { client } = clientWith(() => reply(200, {}));
    expect(() => client.download('https://evil.test/x')).toThrow();
  });

  it('builds queries without empty values', () => {
    expect(buildQuery({ a: 1, b: '', c: undefined, d: null, e: 'x y' })).toBe('?a=1&e=x+y');
    expect(buildQuery({})).toBe('');
  });
});

describe('API client: versions, template drafts and previews', () => {
  it('keeps the slashes of template paths and encodes their parts', async () => {
    const { client, calls } = clientWith(() => reply(200, { path: 'templates/a b.md', bytes: 1, lint: { valid: true, findings: [] } }));
    await client.saveTemplateDraft('templates/a b.md', '# hi');
    expect(calls[0]?.url).toBe('/v1/catalog/drafts/templates/templates/a%20b.md');
    expect(calls[0]?.init.method).toBe('PUT');
    expect(calls[0]?.init.body).toBe('{"text":"# hi"}');
  });

  it('asks for the drafted view with source=drafts', async () => {
    const { client, calls } = clientWith(() => reply(200, { version: 1, source: 'drafts', documents: [], templates: {} }));
    await client.document('CY-DEC', undefined, 'drafts');
    await client.document('CY-DEC');
    await client.documents(undefined, 'drafts');
    expect(calls.map((c) => c.url)).toEqual(['/v1/catalog/documents/CY-DEC?source=drafts', '/v1/catalog/documents/CY-DEC', '/v1/catalog/documents?source=drafts']);
  });

  it('asks for the editions of a published version with version=N', async () => {
    const { client, calls } = clientWith(() => reply(200, { version: 3, source: 'current', documents: [{ id: 'A', edition: '1' }] }));
    await expect(client.documents(undefined, 3)).resolves.toMatchObject({ version: 3, documents: [{ id: 'A' }] });
    await client.documents();
    expect(calls.map((c) => c.url)).toEqual(['/v1/catalog/documents?version=3', '/v1/catalog/documents']);
  });

  it('lists versions and one version with the digests of its files', async () => {
    const { client, calls } = clientWith((url) =>
      url.endsWith('/versions')
        ? reply(200, { versions: [] })
        : reply(200, { version: 3, name: 'n', digest: 'd', created_at: 't', files: ['a'], file_digests: { a: 'e3b0' } }),
    );
    await client.versions();
    await expect(client.version(3)).resolves.toMatchObject({ files: ['a'], file_digests: { a: 'e3b0' } });
    expect(calls.map((c) => c.url)).toEqual(['/v1/catalog/versions', '/v1/catalog/versions/3']);
  });

  it('reads a file of a version as text, keeping the slashes of its path; null for a binary file', async () => {
    const { client, calls } = clientWith((url) =>
      url.endsWith('.png')
        ? new Response(new Uint8Array([137, 80, 78, 71]), { status: 200, headers: { 'Content-Type': 'application/octet-stream' } })
        : new Response('# Title\n', { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }),
    );
    await expect(client.versionFile(2, 'templates/a b.md')).resolves.toBe('# Title\n');
    expect(calls[0]?.url).toBe('/v1/catalog/versions/2/files/templates/a%20b.md');
    await expect(client.versionFile(2, 'assets/logo.png')).resolves.toBeNull();
  });

  it('turns a missing file of a version into a 404 ApiError', async () => {
    const { client } = clientWith(() => reply(404, { error: { code: 'not_found', message: 'Catalog version 2 has no file x.md.', request_id: 'r' } }));
    await expect(client.versionFile(2, 'x.md')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('returns the preview PDF, or throws the diagnostics of a 422', async () => {
    const diagnostics = [{ code: 'template_error', message: 'unclosed section', file: 'templates/A.md', line: 4 }];
    let status = 200;
    const { client, calls } = clientWith(() =>
      status === 200
        ? new Response('%PDF-1.7', { status: 200, headers: { 'Content-Type': 'application/pdf' } })
        : reply(422, { error: { code: 'render_failed', message: 'The document cannot be rendered.', request_id: 'r', details: diagnostics } }),
    );
    const pdf = await client.previewDraft({ document: 'A', edition: '2025', vars: { x: 1 } });
    expect(await pdf.text()).toBe('%PDF-1.7');
    expect(calls[0]?.url).toBe('/v1/catalog/drafts:preview');
    expect((calls[0]?.init.headers as Record<string, string>).Accept).toBe('application/pdf');
    status = 422;
    const error = (await client.previewDraft({ document: 'A' }).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('render_failed');
    expect(error.findings).toEqual(diagnostics);
  });

  it('sends a policy as typed, and returns its result on 422 (not a policy) instead of throwing', async () => {
    const result = { policy_id: null, ok: false, catalog: { name: 'c', digest: 'd' }, findings: [{ code: 'invalid_policy', severity: 'error', message: 'm', path: '/quote' }] };
    const { client, calls } = clientWith(() => reply(422, result));
    const text = '{"policy_id": "P", "documents": [], "big": 12345678901234567890}';
    await expect(client.validatePolicy(text)).resolves.toEqual(result);
    expect(calls[0]?.url).toBe('/v1/policies:validate');
    expect(calls[0]?.init.body).toBe(text);
    expect((calls[0]?.init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('submits a batch as JSON Lines and reads its results as text', async () => {
    const lines = '{"policy_id":"A"}\n{"policy_id":"B"}\n';
    const { client, calls } = clientWith((url) =>
      url.endsWith('/results')
        ? new Response(lines, { status: 200, headers: { 'Content-Type': 'application/x-ndjson' } })
        : reply(202, { id: 'val_1', status: 'queued', progress: { policies_done: 0, policies_total: 2, percent: 0 }, links: { self: '', results: '' } }),
    );
    await expect(client.createValidation(lines)).resolves.toMatchObject({ id: 'val_1', status: 'queued' });
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.url).toBe('/v1/validations');
    expect(calls[0]?.init.body).toBe(lines);
    expect((calls[0]?.init.headers as Record<string, string>)['Content-Type']).toBe('application/x-ndjson');
    await expect(client.validationResults('val_1')).resolves.toBe(lines);
    expect(calls[1]?.url).toBe('/v1/validations/val_1/results');
    await client.cancelValidation('val_1').catch(() => undefined);
    expect(calls[2]?.url).toBe('/v1/validations/val_1:cancel');
  });

  it('turns a 409 for results not ready into an ApiError', async () => {
    const { client } = clientWith(() => reply(409, { error: { code: 'not_ready', message: 'Validation val_1 is running', request_id: 'r' } }));
    await expect(client.validationResults('val_1')).rejects.toMatchObject({ status: 409, code: 'not_ready' });
  });
});

describe('API client: audit log', () => {
  const entry = { seq: 7, at: '2026-11-30T17:05:00.000Z', actor: 'alice', role: 'admin', action: 'draft.delete', target: 'document:X', request_id: 'req_7', details: {}, prev_hash: 'sha256:6', hash: 'sha256:7' };

  it('lists entries with the filters and the page in the query', async () => {
    const { client, calls } = clientWith(() => reply(200, { entries: [entry], next_before: 7 }));
    const page = await client.listAudit({ actor: 'alice', action: 'draft.delete', target: 'document:X', since: 5, until: '2026-12-01', before: 9, limit: 1 });
    expect(calls[0]?.url).toBe('/v1/audit?actor=alice&action=draft.delete&target=document%3AX&since=5&until=2026-12-01&before=9&limit=1');
    expect(page).toEqual({ entries: [entry], next_before: 7 });
  });

  it('reads one entry as the one-entry page below it, null when there is none', async () => {
    const { client, calls } = clientWith(() => reply(200, { entries: [entry] }));
    await expect(client.auditEntry(7)).resolves.toEqual(entry);
    expect(calls[0]?.url).toBe('/v1/audit?before=8&limit=1');
    // Entry 9 does not exist: the page below 10 starts with 7.
    await expect(client.auditEntry(9)).resolves.toBeNull();
  });

  it('verifies the chain, and names a refusal for other roles', async () => {
    const { client, calls } = clientWith(() => reply(200, { valid: false, entries: 2, head: 'sha256:2', problem: 'entry 3 was changed' }));
    await expect(client.verifyAudit()).resolves.toMatchObject({ valid: false, problem: 'entry 3 was changed' });
    expect(calls[0]?.url).toBe('/v1/audit:verify');
    const viewer = clientWith(() => reply(403, { error: { code: 'forbidden', message: 'This needs the admin role', request_id: 'r' } }));
    await expect(viewer.client.verifyAudit()).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('lists operations and runs, and reads one run', async () => {
    const { client, calls } = clientWith((url) =>
      reply(200, url === '/v1/ops' ? { operations: [{ name: 'prune', summary: 's', params_schema: { type: 'object' } }] } : url.startsWith('/v1/ops/runs?') ? { runs: [] } : { id: 'op_1' }),
    );
    await expect(client.operations()).resolves.toEqual({ operations: [{ name: 'prune', summary: 's', params_schema: { type: 'object' } }] });
    await expect(client.listOpRuns(50)).resolves.toEqual({ runs: [] });
    await client.listOpRuns();
    await expect(client.opRun('op_1')).resolves.toEqual({ id: 'op_1' });
    expect(calls.map((c) => c.url)).toEqual(['/v1/ops', '/v1/ops/runs?limit=50', '/v1/ops/runs', '/v1/ops/runs/op_1']);
  });

  it('runs an operation with its reason, parameters and dry_run; a 400 keeps the pointer in the message', async () => {
    const { client, calls } = clientWith((_url, init) =>
      JSON.parse(String(init.body)).reason === ''
        ? reply(400, { error: { code: 'invalid_request', message: '/reason: say why this operation runs', request_id: 'r' } })
        : reply(202, { id: 'op_2', status: 'queued' }),
    );
    await expect(client.runOperation('retry-failed', { reason: 'outage', params: { since: '2026-11-30' }, dry_run: false })).resolves.toMatchObject({ status: 'queued' });
    expect(calls[0]?.url).toBe('/v1/ops/retry-failed:run');
    expect(calls[0]?.init.method).toBe('POST');
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ reason: 'outage', params: { since: '2026-11-30' }, dry_run: false });
    await expect(client.runOperation('prune', { reason: '', params: {}, dry_run: true })).rejects.toMatchObject({
      status: 400,
      code: 'invalid_request',
      message: '/reason: say why this operation runs',
    });
  });
});
