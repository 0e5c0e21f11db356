/**
 * `llc <command>`: the researcher's front door.
 *   llc run [--pipeline NAME] [--parallel N] [--skip-nx-cache]   sync slices, run the whole graph, print the results table
 *   llc validate [--pipeline NAME]
 *   llc diagnose <draws.csv> [--format json|table]   R̂, ESS and MCSE for draws from any tool
 *   llc promote --to DIR                             copy the report's table and chosen plots for publication
 *   llc artifacts ls|gc                              list artifact folders, remove orphans
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPipeline } from '@llc/config/load';
import { pipelineLayout } from '@llc/config/normalize';
import { runNx } from './nx';

const USAGE = `Usage: llc <command>
  run [--pipeline NAME] [--parallel N] [--skip-nx-cache]
                                         sync slice files, run every target, sampler run, analysis and the report
                                         (NAME: pipeline.NAME.ts, e.g. calibration; default pipeline.config.ts)
  validate [--pipeline NAME]             check pipeline.config.ts (or pipeline.NAME.ts) and list the units it expands to
  promote --to DIR [--pipeline NAME] [--plots a,b] [--runs id,id]
                                         copy the report's table (CSV, JSON, HTML) and chosen plots into DIR
  diagnose <draws.csv> [--format json|table]
                                         R̂, ESS, MCSE for a CSV with columns chain,draw,<variable>...
  artifacts ls [--json] | artifacts gc [--dry-run]
                                         list every artifact folder (status, size, time), or remove orphaned
                                         folders and stray temp folders (never one a current entry references)`;

function optionValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

async function printResults(root: string, reportDir: string): Promise<void> {
  const path = join(root, reportDir, 'runs.json');
  const { runs, verdicts } = JSON.parse(await readFile(path, 'utf8')) as {
    runs: Array<{ id: string; llc: number | null; mcse: number | null; rhat: number | null; essBulk: number | null; flags: string[] }>;
    verdicts: Array<{ target: string; lines: string[] }>;
  };
  const f = (v: number | null, d: number) => (v === null ? 'NA' : v.toFixed(d));
  const width = Math.max(...runs.map((r) => r.id.length), 3);
  console.log(`\n${'run'.padEnd(width)}  ${'λ̂'.padStart(9)}  ${'MCSE'.padStart(7)}  ${'R̂'.padStart(6)}  ${'bulk ESS'.padStart(8)}  flags`);
  for (const r of runs) {
    console.log(
      `${r.id.padEnd(width)}  ${f(r.llc, 3).padStart(9)}  ${f(r.mcse, 3).padStart(7)}  ${f(r.rhat, 3).padStart(6)}  ${f(r.essBulk, 0).padStart(8)}  ${r.flags.length}`,
    );
  }
  for (const v of verdicts) console.log(`\nVerdict for '${v.target}':\n${v.lines.map((l) => `  ${l}`).join('\n')}`);
  console.log(`\nReport: ${join(root, reportDir, 'index.html')} (also runs.csv, runs.json)`);
}

async function main(argv: string[]): Promise<number> {
  const root = process.cwd();
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': {
      const sync = await runNx(root, ['sync']);
      if (sync.exitCode !== 0) return sync.exitCode ?? 1;
      // --pipeline calibration runs pipeline.calibration.ts (projects prefixed 'calibration-').
      const layout = pipelineLayout(`pipeline.${optionValue(rest, '--pipeline') ?? 'config'}.ts`);
      const nxArgs = ['run', `${layout.projectPrefix}report:report`, '--outputStyle=stream', `--parallel=${optionValue(rest, '--parallel') ?? '2'}`];
      if (rest.includes('--skip-nx-cache')) nxArgs.push('--skip-nx-cache');
      const run = await runNx(root, nxArgs);
      if (run.exitCode !== 0) return run.exitCode ?? 1;
      await printResults(root, `${layout.artifactsDir}/report`);
      return 0;
    }
    case 'validate': {
      const file = `pipeline.${optionValue(rest, '--pipeline') ?? 'config'}.ts`;
      const p = await loadPipeline(root, file);
      console.log(`${file} is valid: ${p.targets.length} targets, ${p.samples.length} sampler runs, ${p.analyses.length} analyses, 1 report`);
      for (const s of p.samples) console.log(`  ${s.project}`);
      return 0;
    }
    case 'promote': {
      const to = optionValue(rest, '--to');
      if (!to) throw new Error(`promote needs --to <folder> (e.g. docs/results).\n${USAGE}`);
      const layout = pipelineLayout(`pipeline.${optionValue(rest, '--pipeline') ?? 'config'}.ts`);
      const list = (name: string) => optionValue(rest, name)?.split(',').map((x) => x.trim()).filter(Boolean);
      const { promoteReport } = await import('@llc/report/promote');
      const copied = await promoteReport({
        reportDir: join(root, layout.artifactsDir, 'report'),
        to: join(root, to),
        plots: list('--plots'),
        runs: list('--runs'),
      });
      console.log(`Promoted ${copied.length} files to ${to}:`);
      for (const f of copied) console.log(`  ${f}`);
      return 0;
    }
    case 'diagnose': {
      const file = rest.find((a) => !a.startsWith('--') && a !== optionValue(rest, '--format'));
      if (!file) throw new Error(`diagnose needs a CSV file.\n${USAGE}`);
      const format = optionValue(rest, '--format') ?? 'json';
      if (format !== 'json' && format !== 'table') throw new Error(`--format must be json or table, got ${JSON.stringify(format)}`);
      const { parseDrawsCsv, diagnoseTable, formatDiagnosticsTable } = await import('@llc/analysis/diagnose');
      const results = diagnoseTable(parseDrawsCsv(await readFile(file, 'utf8'), file));
      console.log(format === 'table' ? formatDiagnosticsTable(results) : JSON.stringify(results, null, 2));
      return 0;
    }
    case 'artifacts': {
      const { runArtifactsCommand } = await import('./artifacts');
      return runArtifactsCommand(root, rest);
    }
    default:
      console.error(command ? `Unknown command '${command}'.\n${USAGE}` : USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`✖ ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
