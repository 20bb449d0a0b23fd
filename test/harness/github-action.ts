// A composite GitHub Action (action.yml) read the way a GitHub-hosted runner reads it, for what
// this repository's action uses: inputs with defaults, `${{ inputs.<name> }}` expressions in `env`,
// `with` and `run`, `if:` conditions comparing an input with '', `uses:` steps and `run:` steps
// with `shell: bash` (which the runner starts as `bash --noprofile --norc -eo pipefail <file>`:
// GitHub Actions docs, "Workflow syntax", jobs.<job_id>.steps[*].shell). Anything else is refused
// rather than guessed, so a change to action.yml that this reading does not cover fails the test.
// Pure: planning the steps; running them is the caller's (test/e2e/client.test.ts).

import { parse } from 'yaml';

interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}

interface ActionStep {
  name?: string;
  uses?: string;
  if?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

export interface CompositeAction {
  name: string;
  inputs: Record<string, ActionInput>;
  runs: { using: string; steps: ActionStep[] };
}

export type PlannedStep =
  | { kind: 'uses'; uses: string; with: Record<string, string>; runs: boolean }
  | { kind: 'run'; name: string; script: string; env: Record<string, string>; runs: boolean };

/** The runner's command for `shell: bash` (the script's path appended). */
export const BASH_SHELL = ['bash', '--noprofile', '--norc', '-eo', 'pipefail'];

export function parseAction(text: string): CompositeAction {
  const action = parse(text) as CompositeAction;
  if (action?.runs?.using !== 'composite' || !Array.isArray(action.runs.steps)) throw new Error('action.yml: only composite actions are read here (runs.using: composite, runs.steps)');
  return { ...action, inputs: action.inputs ?? {} };
}

/** Every `${{ ... }}` in `text` replaced; only `inputs.<name>` is known. Pure. */
export function substitute(text: string, inputs: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expression: string) => {
    const name = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expression)?.[1];
    if (name === undefined) throw new Error(`action.yml: the expression \${{ ${expression} }} is not read here (only inputs.<name>)`);
    if (!(name in inputs)) throw new Error(`action.yml: \${{ inputs.${name} }} names no input of the action`);
    return inputs[name];
  });
}

/** An `if:` of the form `inputs.<name> != ''` or `== ''` (with or without `${{ }}`). Pure. */
export function condition(expression: string, inputs: Readonly<Record<string, string>>): boolean {
  const bare = expression.trim().replace(/^\$\{\{\s*(.*?)\s*\}\}$/, '$1');
  const match = /^inputs\.([A-Za-z0-9_-]+)\s*(==|!=)\s*''$/.exec(bare);
  if (match === null) throw new Error(`action.yml: the condition "${expression}" is not read here (only inputs.<name> == '' or != '')`);
  const [, name, operator] = match;
  if (!(name in inputs)) throw new Error(`action.yml: the condition names no input of the action: ${name}`);
  return (inputs[name] === '') === (operator === '==');
}

/** The inputs a caller's `with:` gives, defaults filled in; a missing required input fails as on GitHub. Pure. */
export function resolveInputs(action: CompositeAction, given: Readonly<Record<string, string>>): Record<string, string> {
  const unknown = Object.keys(given).filter((name) => !(name in action.inputs));
  if (unknown.length > 0) throw new Error(`the action has no input ${unknown.join(', ')}`);
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) {
    const value = given[name] ?? input.default ?? '';
    if (input.required === true && value === '') throw new Error(`Input required and not supplied: ${name}`);
    inputs[name] = value;
  }
  return inputs;
}

/** The steps as the runner would take them, in order, each with whether its `if:` lets it run. Pure. */
export function planSteps(action: CompositeAction, given: Readonly<Record<string, string>>): PlannedStep[] {
  const inputs = resolveInputs(action, given);
  return action.runs.steps.map((step, index) => {
    const runs = step.if === undefined ? true : condition(step.if, inputs);
    if (step.uses !== undefined) {
      return { kind: 'uses', uses: step.uses, with: Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, substitute(String(value), inputs)])), runs };
    }
    if (step.run === undefined) throw new Error(`action.yml: step ${index + 1} has neither uses nor run`);
    if (step.shell !== 'bash') throw new Error(`action.yml: step ${index + 1} ("${step.name ?? ''}") runs with shell ${step.shell ?? '(none: composite steps must name one)'}; only bash is read here`);
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, substitute(String(value), inputs)]));
    return { kind: 'run', name: step.name ?? `step ${index + 1}`, script: substitute(step.run, inputs), env, runs };
  });
}
