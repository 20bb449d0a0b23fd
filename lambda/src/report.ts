// The notification (SNS, usually e-mail) for uploads that will not be migrated: badly named
// keys and buckets the configuration does not know. One message per invocation, so a burst of
// bad files is one e-mail, not one per file.

import type { Plan } from './plan';
import type { UploadRecord } from './s3-event';

export interface Report {
  subject: string;
  message: string;
}

// Keys are quoted with JSON escaping, so control characters cannot forge extra lines.
function describe(record: UploadRecord): string {
  const version = record.versionId === undefined ? '' : ` (version ${record.versionId})`;
  return `s3://${record.bucket}/${JSON.stringify(record.key).slice(1, -1)}${version}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function buildReport(plan: Pick<Plan, 'rejections' | 'unknownBuckets'>): Report | undefined {
  const unknownRecords = plan.unknownBuckets.reduce((n, u) => n + u.records.length, 0);
  if (plan.rejections.length === 0 && unknownRecords === 0) return undefined;

  const parts: string[] = [];
  if (plan.rejections.length > 0) parts.push(plural(plan.rejections.length, 'rejected upload'));
  if (plan.unknownBuckets.length > 0) parts.push(plural(plan.unknownBuckets.length, 'unknown bucket'));
  const lines: string[] = [];
  for (const r of plan.rejections) {
    lines.push(
      `REJECTED ${describe(r.record)} for database ${r.database}: ${r.reason}.`,
      '  It was not migrated and is tagged flyway-rejected. Upload it again under a valid Flyway name.',
    );
  }
  for (const u of plan.unknownBuckets) {
    lines.push(
      `CONFIGURATION ERROR: bucket ${u.bucket} is not one of the module's database buckets (it has no bucket parameter), so these uploads were not migrated:`,
      ...u.records.map((record) => `  ${describe(record)}`),
      '  Add the database to the Terraform module and apply (or remove the bucket notification), then upload again.',
    );
  }
  return { subject: `Flyway trigger: ${parts.join(', ')}`, message: lines.join('\n') };
}
