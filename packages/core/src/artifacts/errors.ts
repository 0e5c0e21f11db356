/**
 * Shared wording for artifact failures.
 *
 * Every check in this folder ends its message with the same advice, so a user who
 * meets a broken artifact always learns the one fix that works: rebuild it without
 * the Nx cache (a cache hit would restore the same broken bytes).
 */

/** Advice appended to every artifact error; `rerun` is the exact command when the caller knows it. */
export function rerunAdvice(rerun?: string): string {
  return rerun
    ? `rerun the producing task: ${rerun}`
    : 'rerun the producing task with --skip-nx-cache (e.g. npx nx run <project>:<target> --skip-nx-cache)';
}

/**
 * One failed artifact check. `problems` keeps each finding separately so callers
 * (and tests) can inspect them without parsing the message.
 */
export class ArtifactError extends Error {
  readonly label: string;
  readonly problems: readonly string[];

  /** `fix` replaces the default rerun advice when a different fix applies. */
  constructor(label: string, problems: readonly string[], rerun?: string, fix?: string) {
    const advice = fix ?? rerunAdvice(rerun);
    const message =
      problems.length === 1
        ? `Artifact check failed for ${label}: ${problems[0]}; ${advice}`
        : `Artifact check failed for ${label} (${problems.length} problems):\n` +
          problems.map((p) => `  - ${p}`).join('\n') +
          `\nTo fix: ${advice}`;
    super(message);
    this.name = 'ArtifactError';
    this.label = label;
    this.problems = problems;
  }
}
