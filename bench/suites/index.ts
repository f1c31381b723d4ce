import type { BenchSuite } from '../suite';
import { eventAppendSuite } from './event-append';
import { httpWritesSuite } from './http-writes';

/** Every suite of `npm run bench`, in the order they run and appear in docs/benchmarks.md. */
export const benchSuites: readonly BenchSuite[] = [eventAppendSuite, httpWritesSuite];
