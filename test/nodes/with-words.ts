// The nodes under the test helper with a message lookup that keeps the substitutions (the
// helper's own returns the bare key), and what a node logged and showed, read from the helper's
// spies: for tests that check the reason in a status or the endpoint in a log line.
import type { NodeStatus } from '../../nodes/shared/red-types';
import { helper, nodeModules, type TestNode } from './helpers';

/** RED._ as "key {substitutions}", instead of the helper's bare key. */
export const words = (key: string, subs?: Record<string, unknown>): string =>
  subs ? `${key} ${JSON.stringify(subs)}` : key;
export const modules = (nodeModules as Array<(red: { _: unknown }) => unknown>).map(
  (fn) =>
    (red: { _: unknown }): unknown => {
      red._ = words;
      return fn(red);
    },
);

interface SpyCall {
  thisValue: unknown;
  args: unknown[];
}
export function calls(node: TestNode, method: 'error' | 'warn' | 'log' | 'status'): unknown[] {
  const spy = (node as unknown as Record<string, { getCalls(): SpyCall[] }>)[method];
  return spy
    .getCalls()
    .filter((c) => c.thisValue === node)
    .map((c) => c.args[0]);
}
export const logged = (node: TestNode, method: 'error' | 'warn' | 'log'): string[] =>
  calls(node, method).map((m) => String(m instanceof Error ? m.message : m));
export const keysLogged = (node: TestNode, method: 'error' | 'warn' | 'log'): string[] =>
  logged(node, method).map((m) => m.split(' ')[0]);
export const lastStatus = (node: TestNode): NodeStatus => calls(node, 'status').at(-1) as NodeStatus;

/** GET on Node-RED's admin app of the test helper (supertest underneath). */
export function adminGet(path: string, status: number): Promise<{ body: unknown }> {
  const request = (helper as unknown as { request(): AdminRequest }).request();
  return request.get(path).expect(status);
}
interface AdminRequest {
  get(path: string): { expect(status: number): Promise<{ body: unknown }> };
}
