// What Systems Manager and its agent do with a Command document before anything runs: validate
// the command's parameters against the document (SendCommand does this in AWS; the emulator does
// not), apply defaults, and substitute `{{ Name }}` in the steps. Pure; only aws:runShellScript
// steps (the module's document has one) are supported, anything else is an error.

export interface ParameterSpec {
  type?: string;
  description?: string;
  default?: unknown;
  allowedValues?: string[];
  allowedPattern?: string;
}

export interface CommandDocument {
  schemaVersion?: string;
  description?: string;
  parameters?: Record<string, ParameterSpec>;
  mainSteps?: {
    action?: string;
    name?: string;
    inputs?: { runCommand?: string[] | string; timeoutSeconds?: string | number; workingDirectory?: string };
  }[];
}

/** One shell step, ready to run: the script text and its limits. */
export interface ShellStep {
  name: string;
  script: string;
  timeoutSeconds: number;
  workingDirectory?: string;
}

export interface RenderedCommand {
  parameters: Record<string, string>;
  steps: ShellStep[];
}

/** SendCommand's InvalidParameters, with SSM's wording. */
export class InvalidParameters extends Error {
  override readonly name = 'InvalidParameters';
}

/** The document cannot be run by this harness (or by the agent). */
export class InvalidDocument extends Error {
  override readonly name = 'InvalidDocument';
}

/** The agent's default for aws:runShellScript, and the largest value it accepts. */
export const DEFAULT_TIMEOUT_SECONDS = 3600;
const MAX_TIMEOUT_SECONDS = 172_800;

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

export function parseCommandDocument(content: string): CommandDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new InvalidDocument(`the document content is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidDocument('the document content is not a JSON object');
  }
  const document = parsed as CommandDocument;
  if (document.schemaVersion !== '2.2') {
    throw new InvalidDocument(`schemaVersion ${JSON.stringify(document.schemaVersion)} is not supported (only 2.2, with mainSteps)`);
  }
  if (!Array.isArray(document.mainSteps) || document.mainSteps.length === 0) {
    throw new InvalidDocument('the document has no mainSteps');
  }
  return document;
}

/**
 * The value of every declared parameter: validated like SendCommand (unknown names, missing
 * required values, allowedValues, allowedPattern) and completed with the defaults.
 */
export function resolveParameters(document: CommandDocument, given: Readonly<Record<string, readonly string[]>>): Record<string, string> {
  const specs = document.parameters ?? {};
  for (const name of Object.keys(given)) {
    if (!(name in specs)) throw new InvalidParameters(`Parameter "${name}" is not defined in the document.`);
  }
  const resolved: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const type = spec.type ?? 'String';
    if (type !== 'String') {
      throw new InvalidDocument(`parameter ${name} has type ${type}; the harness supports String parameters only`);
    }
    const values = given[name];
    let value: string;
    if (values === undefined) {
      if (spec.default === undefined) throw new InvalidParameters(`Parameter "${name}" is required and has no default value.`);
      value = String(spec.default);
    } else {
      if (values.length !== 1) throw new InvalidParameters(`Parameter "${name}" of type String takes exactly one value, got ${values.length}.`);
      value = values[0];
    }
    if (spec.allowedValues !== undefined && !spec.allowedValues.includes(value)) {
      throw new InvalidParameters(`Parameter "${name}" is "${value}", not one of the allowed values: ${spec.allowedValues.join(', ')}.`);
    }
    if (spec.allowedPattern !== undefined && !new RegExp(spec.allowedPattern).test(value)) {
      throw new InvalidParameters(`Parameter "${name}" is "${value}", which does not match the allowed pattern ${spec.allowedPattern}.`);
    }
    resolved[name] = value;
  }
  return resolved;
}

/** Replaces `{{ Name }}` and `{{Name}}` as the agent does; a placeholder that is no parameter is an error. */
export function substitute(text: string, parameters: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new InvalidDocument(`the document uses {{ ${name} }}, which is not one of its parameters`);
    return value;
  });
}

function parseTimeout(raw: string | number | undefined, step: string): number {
  if (raw === undefined || raw === '') return DEFAULT_TIMEOUT_SECONDS;
  const value = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_SECONDS) {
    throw new InvalidDocument(`step ${step}: timeoutSeconds ${JSON.stringify(raw)} is not an integer from 1 to ${MAX_TIMEOUT_SECONDS}`);
  }
  return value;
}

/** The command as the agent would run it: parameters resolved, placeholders substituted, one script per step. */
export function renderCommand(document: CommandDocument, given: Readonly<Record<string, readonly string[]>>): RenderedCommand {
  const parameters = resolveParameters(document, given);
  const steps = (document.mainSteps ?? []).map((step, index): ShellStep => {
    const name = step.name ?? `step${index + 1}`;
    if (step.action !== 'aws:runShellScript') {
      throw new InvalidDocument(`step ${name}: action ${JSON.stringify(step.action)} is not supported (only aws:runShellScript)`);
    }
    const inputs = step.inputs ?? {};
    const lines = typeof inputs.runCommand === 'string' ? [inputs.runCommand] : inputs.runCommand ?? [];
    if (lines.length === 0) throw new InvalidDocument(`step ${name} has no runCommand`);
    const timeout = typeof inputs.timeoutSeconds === 'string' ? substitute(inputs.timeoutSeconds, parameters) : inputs.timeoutSeconds;
    return {
      name,
      script: `${lines.map((line) => substitute(line, parameters)).join('\n')}\n`,
      timeoutSeconds: parseTimeout(timeout, name),
      ...(inputs.workingDirectory === undefined ? {} : { workingDirectory: substitute(inputs.workingDirectory, parameters) }),
    };
  });
  return { parameters, steps };
}
