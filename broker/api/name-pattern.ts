// Names matched against a user's pattern (the management API's `name` filter with `use_regex`):
// PCRE, as RabbitMQ's, run by the core's backtracking-free matcher (broker/core/regex-engine.ts).
export { compilePattern as compileNamePattern, type NamePattern, type PatternResult } from '../core/pcre';
