/**
 * Raised for an invalid commit input (a data file that breaks the table's layout) and
 * for table files that break the Iceberg spec. The message names the file or field
 * and the offending value.
 */
export class IcebergError extends Error {
  override readonly name = 'IcebergError';
}
