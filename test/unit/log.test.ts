import { afterEach, describe, expect, it, vi } from 'vitest';

import { log } from '../../src/observability/log';

afterEach(() => vi.restoreAllMocks());

function capture(method: 'log' | 'warn' | 'error'): () => Record<string, unknown>[] {
  const spy = vi.spyOn(console, method).mockImplementation(() => {});
  return () => spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
}

describe('log', () => {
  it('writes warn lines to console.warn', () => {
    const lines = capture('warn');
    log('warn', 'something slow', { tenant: 'acme' });
    expect(lines()).toEqual([{ level: 'warn', message: 'something slow', time: expect.any(String), tenant: 'acme' }]);
  });

  it('keeps its level against a field named level', () => {
    const lines = capture('error');
    log('error', 'clash', { level: 'warning', message: 'other', time: 'never', tenant: 'acme' });
    const [line] = lines();
    expect(line).toMatchObject({ level: 'error', message: 'clash', tenant: 'acme' });
    expect(line!.time).not.toBe('never');
    expect(Object.keys(line!).slice(0, 3)).toEqual(['level', 'message', 'time']);
  });
});
