#!/usr/bin/env node
// Regenerates the inputs/outputs tables of README.md (between the BEGIN_TF_DOCS / END_TF_DOCS
// markers, the layout terraform-docs uses) from the module itself, read by HashiCorp's
// terraform-config-inspect. terraform-docs is not obtainable from this project's registries.
//
//   node scripts/docs.mjs           rewrite README.md
//   node scripts/docs.mjs --check   exit 1 if README.md is out of date
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = join(root, 'README.md');
const BEGIN = '<!-- BEGIN_TF_DOCS -->';
const END = '<!-- END_TF_DOCS -->';

if (process.argv.includes('--help')) {
  console.log('Usage: node scripts/docs.mjs [--check]\nRegenerates the inputs/outputs tables in README.md from the root module.');
  process.exit(0);
}

function inspectModule() {
  const tool = process.env.TERRAFORM_CONFIG_INSPECT ?? 'terraform-config-inspect';
  try {
    return JSON.parse(execFileSync(tool, ['--json', root], { encoding: 'utf8' }));
  } catch (error) {
    console.error(`docs: could not run ${tool} (${error.message.split('\n')[0]}). Fix: run \`npm run setup\` and put its bin/ on PATH.`);
    process.exit(1);
  }
}

// Table cells: one line, pipes escaped; code spans for types and defaults.
const cell = (text) => text.trim().replace(/\|/g, '\\|').replace(/\s*\n\s*/g, '<br>');
const code = (text) => (text.includes('\n') ? `<pre>${cell(text)}</pre>` : `\`${text.replace(/\|/g, '\\|')}\``);
const byName = (a, b) => a.name.localeCompare(b.name);

function render(module) {
  const inputs = Object.values(module.variables).sort(byName);
  const outputs = Object.values(module.outputs).sort(byName);
  const lines = ['## Inputs', '', '| Name | Description | Type | Default | Required |', '|------|-------------|------|---------|:--------:|'];
  for (const variable of inputs) {
    const defaultValue = variable.required ? 'n/a' : code(JSON.stringify(variable.default ?? null, null, 2));
    lines.push(`| ${variable.name} | ${cell(variable.description ?? '')} | ${code(variable.type ?? 'any')} | ${defaultValue} | ${variable.required ? 'yes' : 'no'} |`);
  }
  lines.push('', '## Outputs', '', '| Name | Description |', '|------|-------------|');
  for (const output of outputs) lines.push(`| ${output.name} | ${cell(output.description ?? '')} |`);
  return lines.join('\n');
}

const current = readFileSync(readme, 'utf8');
const start = current.indexOf(BEGIN);
const end = current.indexOf(END);
if (start < 0 || end < start) {
  console.error(`docs: README.md has no ${BEGIN} ... ${END} section. Fix: add the two markers where the tables belong.`);
  process.exit(1);
}
const wanted = `${current.slice(0, start + BEGIN.length)}\n${render(inspectModule())}\n${current.slice(end)}`;
if (process.argv.includes('--check')) {
  if (wanted !== current) {
    console.error('docs: README.md inputs/outputs tables are out of date. Fix: run `node scripts/docs.mjs` and commit README.md.');
    process.exit(1);
  }
  console.log('docs: README.md tables are up to date.');
} else {
  writeFileSync(readme, wanted);
  console.log('docs: README.md tables regenerated.');
}
