/**
 * Maximum payload of one page of a list or of the log, counted as the length of the
 * stored JSON text (UTF-16 code units, close to bytes for mostly ASCII data). It
 * keeps a page of 1,000 large things or events well inside the 128 MB memory of a
 * Durable Object. A page that stops here has fewer items than its limit and still
 * returns the next cursor.
 */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * Takes rows from `rows`, which are read lazily, until the page has `limit` rows
 * or the next row would take its size past `maxBytes`. A page has at least one
 * row, however large. `more` is true when rows were left over.
 */
export function takePage<Row>(
  rows: Iterable<Row>,
  limit: number,
  maxBytes: number,
  sizeOf: (row: Row) => number,
): { rows: Row[]; more: boolean } {
  const page: Row[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (page.length === limit || (page.length > 0 && bytes + size > maxBytes)) return { rows: page, more: true };
    page.push(row);
    bytes += size;
  }
  return { rows: page, more: false };
}
