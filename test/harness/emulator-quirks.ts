// Where the emulator differs from AWS in a way that would stop the real pipeline, and the one
// adjustment the harness makes for it, after terraform apply and only in the emulator.
//
// Bucket policies: the module's buckets deny every request that does not use TLS
// (`Bool aws:SecureTransport = false`). moto (5.2.5, moto/iam/policy_conditions.py) evaluates only
// StringEquals conditions and treats every other condition as matching, so that Deny applies to
// every object request (PutObject, GetObject, HeadObject, PutObjectTagging) whatever the transport:
// nothing could be uploaded, tagged or synced. The harness therefore removes exactly the statements
// whose conditions moto cannot evaluate from the emulator's copy of the policy. The e2e test checks
// the policy as Terraform made it before that; AWS enforces it for real.

import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from './aws';

interface PolicyDocument {
  Version?: string;
  Statement?: Record<string, unknown>[] | Record<string, unknown>;
}

/** Condition operators moto evaluates (against the values it knows; for S3 requests, none). */
const EVALUATED_OPERATORS = new Set(['StringEquals']);

/** Statements with a condition moto would treat as always true. */
export function isMisjudgedByEmulator(statement: Readonly<Record<string, unknown>>): boolean {
  const condition = statement.Condition;
  if (typeof condition !== 'object' || condition === null) return false;
  return Object.keys(condition).some((operator) => !EVALUATED_OPERATORS.has(operator)) && statement.Effect === 'Deny';
}

/** The policy without those statements; undefined when nothing would be left. Pure. */
export function emulatorPolicy(policy: string): { policy: string | undefined; removed: string[] } {
  const document = JSON.parse(policy) as PolicyDocument;
  const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement === undefined ? [] : [document.Statement];
  const kept = statements.filter((statement) => !isMisjudgedByEmulator(statement));
  const removed = statements.flatMap((statement, index) => (isMisjudgedByEmulator(statement) ? [String(statement.Sid ?? `statement ${index}`)] : []));
  if (removed.length === 0) return { policy, removed };
  return { policy: kept.length === 0 ? undefined : JSON.stringify({ ...document, Statement: kept }), removed };
}

/** Applies emulatorPolicy to each bucket's policy in the emulator; returns `bucket: Sid` of what it removed. */
export async function adjustBucketPoliciesForEmulator(aws: AwsClients, buckets: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const bucket of buckets) {
    let current: string | undefined;
    try {
      current = (await aws.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
    } catch (error) {
      if ((error as Error).name === 'NoSuchBucketPolicy') continue;
      throw error;
    }
    if (current === undefined) continue;
    const adjusted = emulatorPolicy(current);
    if (adjusted.removed.length === 0) continue;
    if (adjusted.policy === undefined) await aws.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    else await aws.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: adjusted.policy }));
    removed.push(...adjusted.removed.map((sid) => `${bucket}: ${sid}`));
  }
  return removed;
}

/**
 * Destroy the host group's egress rule to the database on its own first: the emulator's EC2 model
 * loses an update when two rules of one security group are revoked at once (moto's
 * revoke_security_group_egress rewrites the group's rule list), and then answers
 * InvalidPermission.NotFound for a rule that existed. AWS does not. (-parallelism=1 also avoids
 * it, at a minute and a half more per destroy.)
 */
export const DESTROY_FIRST = ['-target=module.pipeline.module.aurora.aws_vpc_security_group_egress_rule.client_to_database'];

// ListMultipartUploads: moto (5.2.5) answers every upload in progress with the same fixed
// `Initiated` (2010-11-10T20:48:33Z), so the runner, which waits only for uploads begun within the
// last hour, would take each as abandoned. The harness answers the host's listing itself: moto's
// uploads, each with the time the harness saw it begin (CreateMultipartUpload through the
// recorder), in S3's XML shape.

export interface UploadInProgress {
  key: string;
  uploadId: string;
  initiated: Date;
}

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** S3's ListMultipartUploads answer for these uploads (one page, none truncated). Pure. */
export function listMultipartUploadsXml(bucket: string, uploads: readonly UploadInProgress[]): string {
  const items = uploads
    .map((upload) => `<Upload><Key>${xmlText(upload.key)}</Key><UploadId>${xmlText(upload.uploadId)}</UploadId><StorageClass>STANDARD</StorageClass><Initiated>${upload.initiated.toISOString()}</Initiated></Upload>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xmlText(bucket)}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${items}</ListMultipartUploadsResult>`;
}
