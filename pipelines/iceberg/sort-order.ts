/** Sort orders in their JSON form (Iceberg table spec, "Sorting" and Appendix C). */
import { eventColumn } from './table-schema';

export interface SortField {
  transform: string;
  'source-id': number;
  direction: 'asc' | 'desc';
  'null-order': 'nulls-first' | 'nulls-last';
}

export interface SortOrder {
  'order-id': number;
  fields: SortField[];
}

/** Order id 0 is reserved for "unsorted", so the events order is 1. */
export const EVENT_SORT_ORDER_ID = 1;

/** Rows of an events data file are sorted by tenant, then seq. A file contains one tenant, so in effect by seq. */
export const EVENT_SORT_ORDER: SortOrder = {
  'order-id': EVENT_SORT_ORDER_ID,
  fields: [
    { transform: 'identity', 'source-id': eventColumn('tenant').id, direction: 'asc', 'null-order': 'nulls-first' },
    { transform: 'identity', 'source-id': eventColumn('seq').id, direction: 'asc', 'null-order': 'nulls-first' },
  ],
};
