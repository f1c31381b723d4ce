import { describe, expect, it } from 'vitest';

import { takePage } from '../../projections/page';

const size = (row: string): number => row.length;

describe('takePage', () => {
  it('takes up to limit rows and says whether more are left', () => {
    expect(takePage(['a', 'b', 'c'], 2, 100, size)).toEqual({ rows: ['a', 'b'], more: true });
    expect(takePage(['a', 'b'], 2, 100, size)).toEqual({ rows: ['a', 'b'], more: false });
    expect(takePage([], 2, 100, size)).toEqual({ rows: [], more: false });
  });

  it('stops before the row that would pass the byte budget', () => {
    expect(takePage(['aaaa', 'bbbb', 'cccc'], 10, 8, size)).toEqual({ rows: ['aaaa', 'bbbb'], more: true });
    expect(takePage(['aaaa', 'bbbbb'], 10, 8, size)).toEqual({ rows: ['aaaa'], more: true });
  });

  it('always takes the first row, however large', () => {
    expect(takePage(['x'.repeat(50), 'y'], 10, 8, size)).toEqual({ rows: ['x'.repeat(50)], more: true });
  });

  it('reads rows lazily and stops reading once the page is full', () => {
    let read = 0;
    function* rows() {
      for (let index = 0; index < 1000; index++) {
        read += 1;
        yield `row${index}`;
      }
    }
    takePage(rows(), 3, 1000, size);
    expect(read).toBe(4);
  });
});
