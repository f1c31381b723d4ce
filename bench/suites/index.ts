import type { BenchSuite } from '../suite';
import { eventAppendSuite } from './event-append';
import { guardrailsSuite } from './guardrails';
import { httpWritesSuite } from './http-writes';
import { parquetSuite } from './parquet';
import { pipelineSuite } from './pipeline';

/** Every suite of `npm run bench`, in the order they run and appear in docs/benchmarks.md. */
export const benchSuites: readonly BenchSuite[] = [eventAppendSuite, httpWritesSuite, guardrailsSuite, parquetSuite, pipelineSuite];
