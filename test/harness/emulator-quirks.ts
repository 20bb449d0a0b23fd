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

import {
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  type ObjectIdentifier,
} from '@aws-sdk/client-s3';
import type { AwsClients } from './aws';
import type { StateKey } from './state-keys';

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

// Key policies given in a CloudFormation template: AWS::KMS::Key takes KeyPolicy as a JSON object
// (the module's key is held by a stack: main.tf, aws_cloudformation_stack.kms_key). AWS stores it
// as a policy document and GetKeyPolicy returns it as text. moto (5.2.5, moto/kms/models.py
// Key.create_from_cloudformation_json) stores the object as it came, and then fails every
// DescribeKey of that key with HTTP 500 (json.loads of a dict). The harness puts the same policy
// back as text (PutKeyPolicy), which is what AWS holds; nothing of the policy changes.

/** Stores the policy of each key a CloudFormation stack made as text, as AWS holds it; returns the keys' ARNs. */
export async function keyPoliciesAsTextForEmulator(aws: AwsClients, keys: readonly StateKey[]): Promise<string[]> {
  const fromStacks = keys.filter((key) => key.address.includes('aws_cloudformation_stack.') && key.arn !== undefined && key.policy !== undefined);
  for (const key of fromStacks) await aws.cli('kms', 'put-key-policy', '--key-id', String(key.arn), '--policy-name', 'default', '--policy', String(key.policy));
  return fromStacks.map((key) => String(key.arn));
}

/**
 * Destroy the host group's egress rule to the database on its own first: the emulator's EC2 model
 * loses an update when two rules of one security group are revoked at once (moto's
 * revoke_security_group_egress rewrites the group's rule list), and then answers
 * InvalidPermission.NotFound for a rule that existed. AWS does not. (-parallelism=1 also avoids
 * it, at a minute and a half more per destroy.)
 */
export const DESTROY_FIRST = ['-target=module.pipeline.module.aurora[0].aws_vpc_security_group_egress_rule.client_to_database'];

/**
 * Whether a failed DESTROY_FIRST is the emulator refusing the revoke of a rule the state holds
 * (InvalidPermission.NotFound; seen once, with five test workers on two cores, likely the
 * provider's retry of a revoke whose answer it lost). Only that error, on that call. Pure.
 */
export function lostRevoke(terraformError: string): boolean {
  return /RevokeSecurityGroupEgress[\s\S]*InvalidPermission\.NotFound/.test(terraformError);
}

// Objects deleted from a versioned bucket (a migration removed as the runner advises for a
// duplicate version or a bad file: a delete marker over its version). `terraform destroy` removes
// aws_s3_bucket_versioning before the bucket, which suspends versioning, and only then does the
// bucket's force_destroy empty it: ListObjectVersions, then DeleteObjects of every version by id,
// then of every delete marker. moto (5.2.5, moto/s3/models.py delete_object) ignores the VersionId
// once the bucket's status is not "Enabled" (`if not bucket.is_versioned: bucket.keys.pop(key_name)`),
// and _VersionedKeyStore.pop (moto/s3/utils.py) calls dispose() on every version of the key, which
// a FakeDeleteMarker does not have: AttributeError, HTTP 500, for any version of any key that has a
// delete marker, in any order. The provider retries the 500 (25 attempts per call, again on every
// pass) and the destroy sits in "Still destroying" for minutes. AWS deletes a version by id in every
// versioning state. While versioning is still Enabled moto takes its version-by-id branch, so before
// terraform destroy the harness deletes every version and delete marker of such keys.

/** A key's versions and delete markers, as ListObjectVersions lists them. */
export interface ListedVersion {
  key: string;
  versionId: string;
  deleteMarker: boolean;
}

/** Every version and delete marker of the keys that have a delete marker: what moto cannot delete once versioning is suspended. Pure. */
export function versionsOfDeletedKeys(listed: readonly ListedVersion[]): ObjectIdentifier[] {
  const deleted = new Set(listed.filter((entry) => entry.deleteMarker).map((entry) => entry.key));
  return listed.filter((entry) => deleted.has(entry.key)).map((entry) => ({ Key: entry.key, VersionId: entry.versionId }));
}

/** Every version and delete marker in the bucket (all pages); undefined when the bucket is gone already. */
async function listVersions(aws: AwsClients, bucket: string): Promise<ListedVersion[] | undefined> {
  const listed: ListedVersion[] = [];
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    let page;
    try {
      page = await aws.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, ...markers }));
    } catch (error) {
      if ((error as Error).name === 'NoSuchBucket') return undefined;
      throw error;
    }
    for (const version of page.Versions ?? []) listed.push({ key: version.Key ?? '', versionId: version.VersionId ?? '', deleteMarker: false });
    for (const marker of page.DeleteMarkers ?? []) listed.push({ key: marker.Key ?? '', versionId: marker.VersionId ?? '', deleteMarker: true });
    if (page.IsTruncated !== true) return listed;
    markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
}

/** Deletes these versions by id, at most 1000 per request as S3 takes them; fails with the first error S3 reports. */
async function deleteVersions(aws: AwsClients, bucket: string, versions: readonly ObjectIdentifier[]): Promise<void> {
  for (let start = 0; start < versions.length; start += 1000) {
    const objects = versions.slice(start, start + 1000);
    const { Errors = [] } = await aws.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    if (Errors.length > 0) throw new Error(`s3://${bucket}: ${Errors[0].Key} ${Errors[0].VersionId}: ${Errors[0].Code} ${Errors[0].Message}`);
  }
}

/**
 * Before terraform destroy: deletes every version and delete marker of each key that has a delete
 * marker in these buckets, with versioning Enabled (turned on again if an interrupted destroy
 * suspended it already). Returns `bucket: key` of what it removed. See above for why.
 */
export async function removeDeletedObjectsForEmulator(aws: AwsClients, buckets: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const bucket of buckets) {
    const versions = versionsOfDeletedKeys((await listVersions(aws, bucket)) ?? []);
    if (versions.length === 0) continue;
    const { Status } = await aws.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    if (Status !== 'Enabled') await aws.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await deleteVersions(aws, bucket, versions);
    removed.push(...[...new Set(versions.map((version) => version.Key))].map((key) => `${bucket}: ${key}`));
  }
  return removed;
}

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

/**
 * A create that Terraform's first apply reports as already existing: the emulator made the object,
 * the provider's SDK never saw the answer (a connection to moto's development server that failed
 * under load: the provider's debug log shows requests retried ("retrying request ..., attempt 2")
 * with no response logged for the first attempt) and sent the create again, which moto refuses as
 * a duplicate. Seen with several stacks applied at once on two cores: CreateRoute
 * (RouteAlreadyExists) and CreateDocument (DocumentAlreadyExists) in two full npm test runs, and
 * AuthorizeSecurityGroupEgress (InvalidPermission.Duplicate) once in 16 concurrent applies, and the
 * attachment of a new internet gateway (Resource.AlreadyAssociated, the gateway the same create
 * had just made) once in a full npm test run.
 * On a first apply nothing can exist before (each stack has an emulator of its own), so such an
 * error says nothing about the module. Returns the error's first line, or undefined for any other
 * failure. Pure.
 */
export function duplicatedCreate(stderr: string): string | undefined {
  const error = stderr.split('\n').find((line) => /^\s*Error: (creating|putting|authorizing)\b/i.test(line));
  if (error === undefined) return undefined;
  return /AlreadyExists|\.Duplicate\b|already exists|Resource\.AlreadyAssociated\b/.test(stderr) ? error.trim() : undefined;
}
