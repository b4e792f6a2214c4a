// The CI gate's result in the forms CI systems show in a pull request: JUnit XML (one test case per cell, a failure
// per finding; a finding about the whole run is a case of its own) and GitHub Actions workflow commands (an error
// annotation per finding, a notice when the gate passed). Pure: a CheckResult in, text out.
import { XMLBuilder } from 'fast-xml-parser';
import type { CheckResult } from '@leakbench/analysis';

/** The run-level case, for findings that are not about one cell (a run without a `none` cell). */
const RUN_CASE = '(run)';

export function junitXml(r: CheckResult): string {
  const findingsOf = (cell: string) => r.findings.filter((f) => f.cell === cell);
  const cases = [...r.cells.map((c) => ({ name: c.cell, summary: `${c.decision}: ${c.summary}` })), { name: RUN_CASE, summary: r.ok ? 'check passed' : `check failed: ${r.findings.length} finding(s)` }];
  const orphan = r.findings.filter((f) => !r.cells.some((c) => c.cell === f.cell));
  const testcase = cases.map((c) => {
    const failures = c.name === RUN_CASE ? orphan : findingsOf(c.name);
    return {
      '@_name': c.name,
      '@_classname': `leakbench.check.${r.run}`,
      ...(failures.length ? { failure: failures.map((f) => ({ '@_type': f.kind, '@_message': `${f.layer}: ${f.message}`, '#text': f.message })) } : {}),
      'system-out': c.summary,
    };
  });
  const failed = testcase.filter((t) => 'failure' in t).length;
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: { '@_name': 'leakbench check', '@_tests': cases.length, '@_failures': failed, testsuite: { '@_name': r.run, '@_tests': cases.length, '@_failures': failed, '@_errors': 0, testcase } },
  };
  return new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true }).build(doc);
}

/** GitHub's escaping of a workflow command's message and properties. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function githubAnnotations(r: CheckResult): string {
  const lines = r.findings.map((f) => `::error title=${escapeProperty(`leakbench check: ${f.cell}`)}::${escapeData(`${f.kind} (${f.layer}): ${f.message}`)}`);
  if (r.ok) lines.push(`::notice title=leakbench check::${escapeData(`check passed: ${r.cells.length} cell(s) of ${r.run}`)}`);
  return lines.join('\n') + '\n';
}
