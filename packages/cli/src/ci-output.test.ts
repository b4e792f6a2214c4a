// The CI gate's JUnit XML and GitHub annotations, from hand-made check results.
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import type { CheckResult } from '@leakbench/analysis';
import { githubAnnotations, junitXml } from './ci-output.js';
import { formatCheck } from './format.js';

const result = (findings: CheckResult['findings']): CheckResult => ({
  run: '/runs/merged',
  baseline: null,
  ok: findings.length === 0,
  findings,
  cells: [
    { cell: 'native-lr1991-none', fixture: 'none', decision: 'leak', summary: 'leak in c-allocator: 32.0 B/iter' },
    { cell: 'wasm-lr1991-none', fixture: 'none', decision: 'no-leak', summary: 'no leak: <all> & "quoted"' },
  ],
});
const failed = result([
  { cell: 'native-lr1991-none', kind: 'workload-leak', layer: 'allocatorBytes', message: 'the workload leaks: 32.0 B/iter,\n100% sure' },
  { cell: '(run)', kind: 'no-workload-cell', layer: '-', message: 'no none cell' },
]);
const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' || name === 'failure' }).parse(xml);

describe('JUnit XML', () => {
  it('has a case per cell and one for the run, a failure per finding, and escapes what it quotes', () => {
    const doc = parse(junitXml(failed));
    const suite = doc.testsuites.testsuite;
    expect(suite['@_tests']).toBe('3');
    expect(suite['@_failures']).toBe('2');
    const byName = Object.fromEntries(suite.testcase.map((c: { '@_name': string }) => [c['@_name'], c]));
    expect(byName['native-lr1991-none'].failure).toHaveLength(1);
    expect(byName['native-lr1991-none'].failure[0]['@_type']).toBe('workload-leak');
    expect(byName['wasm-lr1991-none'].failure).toBeUndefined();
    expect(byName['wasm-lr1991-none']['system-out']).toBe('no-leak: no leak: <all> & "quoted"');
    expect(byName['(run)'].failure[0]['@_type']).toBe('no-workload-cell');
  });

  it('has no failure when the gate passed', () => {
    expect(parse(junitXml(result([]))).testsuites['@_failures']).toBe('0');
  });
});

describe('GitHub annotations', () => {
  it('an error per finding, one line each (newlines, % and property separators escaped); a notice when passed', () => {
    const lines = githubAnnotations(failed).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('::error title=leakbench check%3A native-lr1991-none::workload-leak (allocatorBytes): the workload leaks: 32.0 B/iter,%0A100%25 sure');
    expect(githubAnnotations(result([]))).toMatch(/^::notice title=leakbench check::check passed: 2 cell\(s\) of \/runs\/merged\n$/);
  });
});

describe('the gate\'s text', () => {
  it('says which cells passed with C heap layers no probe measured', () => {
    const r = result([]);
    expect(formatCheck(r)).not.toMatch(/not measured/);
    r.cells[1] = { ...r.cells[1]!, notMeasured: ['moduleHeapBytes', 'allocatorBytes'] };
    const text = formatCheck(r);
    expect(text).toMatch(/^not measured, so not judged: wasm-lr1991-none \(moduleHeapBytes, allocatorBytes\)$/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe('check passed');
  });
});
