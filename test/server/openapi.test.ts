// The OpenAPI document as a third party reads it to generate a client: `redocly lint` with its
// recommended rules finds nothing in it (errors or warnings), and every operation names the credential
// the server really asks for — a request without one is refused exactly where the document says.
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { centralTest as it } from './support/central-test.ts';

type Operation = { operationId?: string; security?: Record<string, string[]>[] };
type Document = { openapi: string; servers?: unknown[]; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

const documentOf = async (url: string): Promise<{ text: string; document: Document }> => {
  const text = await (await fetch(`${url}/docs/json`)).text();
  return { text, document: JSON.parse(text) as Document };
};

const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ path, method, operation: item[method]! })));

it('passes redocly lint with the recommended rules, with nothing to warn about', async ({ central }) => {
  const { text } = await documentOf(central.url);
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: text, absoluteRef: `${central.url}/docs/json`, config });
  expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`)).toEqual([]);
});

it('gives every operation a unique operationId and a credential, and the terms its licence points at', async ({ central }) => {
  const { document } = await documentOf(central.url);
  const all = operations(document);
  // Every route the server has is in the document, HEAD of a tus upload included (a tus client needs it).
  expect(all.length).toBeGreaterThanOrEqual(29);
  expect(all.find((o) => o.method === 'head' && o.path === '/v1/uploads/{uploadId}')?.operation.operationId).toBe('getUploadOffset');
  const ids = all.map((o) => o.operation.operationId);
  expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  expect(all.filter((o) => o.operation.security === undefined)).toEqual([]);
  expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['adminToken', 'deviceSignature']);
  const terms = await fetch(`${central.url}/docs/license`);
  expect(terms.status).toBe(200);
  expect(await terms.text()).toMatch(/^Exam Station central sync API\. Proprietary/);
});

it('says of each operation the credential the server asks for: without it, refused exactly there', async ({ central }) => {
  const { document } = await documentOf(central.url);
  const outcomes = [];
  for (const { path, method, operation } of operations(document)) {
    const url = `${central.url}${path.replace(/\{[^}]+\}/g, () => randomUUID())}`;
    const body = ['post', 'put', 'patch'].includes(method) ? '{}' : undefined;
    const response = await fetch(url, { method: method.toUpperCase(), ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) });
    await response.arrayBuffer();
    const declared = operation.security?.flatMap((s) => Object.keys(s)) ?? [];
    outcomes.push({ operation: `${method} ${path}`, declared: declared.join(',') || 'none', refused: response.status === 401 });
  }
  // A credential declared is one asked for; an operation with none is not refused for the lack of one.
  expect(outcomes.filter((o) => (o.declared !== 'none') !== o.refused)).toEqual([]);
  expect(outcomes.filter((o) => o.declared === 'deviceSignature').length).toBeGreaterThanOrEqual(9);
  expect(outcomes.filter((o) => o.declared === 'adminToken').length).toBeGreaterThanOrEqual(14);
});
