// bench/bench.ts and bench/loadtest.ts still import this path; the helpers live in @primo/test-support.
export * from '@primo/test-support';
