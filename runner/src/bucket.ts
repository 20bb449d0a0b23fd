// A database's bucket as a pass sees it: the current object versions of its migration keys, a
// listing taken only once the bucket is quiet (nothing changed for settle_seconds, and no upload of
// a migration still in progress), and the local copy synced to exactly the accepted files.

import { classifyKey } from '../../common/src/flyway-name';
import { awsErrorOf, type BucketListing, type Ports } from './aws';
import { mustStopWaiting } from './deadline';
import { EXIT, firstLine, RunnerFailure } from './failure';
import { uploadsToWaitFor, type Listing, type UploadInProgress } from './listing';
import type { Say } from './output';
import { DownloadFailed, syncFiles } from './sync';
import { sleep } from './context';

/** S3 and KMS errors that say the host may not read, as opposed to a failing service. */
const DENIED = /AccessDenied|Forbidden|KMS|InvalidObjectState/i;
/** Longest a pass waits for a changing bucket to settle. */
const MAX_SETTLE_MS = 120_000;
/** Longest a pass waits for an upload of a migration that is still in progress. */
const MAX_UPLOAD_WAIT_MS = 10 * 60_000;
const UPLOAD_POLL_MS = 1_000;

export class Bucket {
  constructor(
    private readonly ports: Ports,
    readonly name: string,
    private readonly database: string,
    private readonly say: Say,
    private readonly deadlineMs?: number,
  ) {}

  async list(): Promise<BucketListing> {
    try {
      // Only keys that could be migrations matter (any .sql suffix, so that a .SQL one is reported):
      // the outcome record the runner writes into the bucket is no change.
      return await this.ports.listObjects(this.name, (key) => classifyKey(key).kind !== 'ignored');
    } catch (error) {
      const { name, message } = awsErrorOf(error);
      throw new RunnerFailure(EXIT.config, `cannot list s3://${this.name}: ${name}: ${firstLine(message)}`, "check that the bucket exists and that the host's IAM role may list it (s3:ListBucketVersions)");
    }
  }

  /**
   * The listing once no object changed for `settleMs` and no upload of a migration is in progress,
   * so that a multi-file upload is taken as a whole and never a higher version without a lower one
   * still on its way. A bucket that never settles is taken as it is after MAX_SETTLE_MS; an upload
   * that does not finish within MAX_UPLOAD_WAIT_MS refuses the pass.
   */
  async settled(settleMs: number): Promise<BucketListing> {
    const started = Date.now();
    let listing = await this.list();
    if (settleMs > 0) {
      for (;;) {
        // S3 reports LastModified in whole seconds: count a change as made at the end of its second.
        const quietFor = listing.newestChange === undefined ? Number.POSITIVE_INFINITY : Date.now() - (listing.newestChange.getTime() + 1000);
        if (quietFor >= settleMs) break;
        if (Date.now() - started > MAX_SETTLE_MS) {
          this.say(`the bucket is still changing after ${Math.round(MAX_SETTLE_MS / 1000)}s; going ahead with what it holds now`);
          break;
        }
        const wait = Math.max(100, settleMs - Math.max(0, quietFor));
        this.say(`bucket changed ${Math.max(0, Math.round(quietFor / 100) / 10)}s ago; waiting ${Math.round(wait / 100) / 10}s for it to settle`);
        await sleep(wait);
        listing = await this.list();
      }
    }
    if (await this.waitForUploadsInProgress()) listing = await this.list();
    return listing;
  }

  /** Waits while migrations are still being uploaded in parts; true when it waited. */
  private async waitForUploadsInProgress(): Promise<boolean> {
    const started = Date.now();
    let waited = false;
    let reported = new Set<string>();
    for (;;) {
      let uploads: UploadInProgress[];
      try {
        uploads = await this.ports.listMultipartUploads(this.name);
      } catch (error) {
        const { name, message } = awsErrorOf(error);
        throw new RunnerFailure(EXIT.config, `cannot list the uploads in progress in s3://${this.name}: ${name}: ${firstLine(message)}; nothing was run`, "check the host's IAM role (s3:ListBucketMultipartUploads on the bucket)");
      }
      const { waitFor, abandoned } = uploadsToWaitFor(uploads, Date.now());
      for (const upload of abandoned.filter((one) => !reported.has(one.uploadId))) {
        this.say(`not waited for: an upload of ${upload.key} begun ${upload.initiated?.toISOString() ?? '?'} was never completed; abort it (aws s3api abort-multipart-upload --bucket ${this.name} --key '${upload.key}' --upload-id ${upload.uploadId}) or upload the file again`);
      }
      reported = new Set(abandoned.map((one) => one.uploadId));
      if (waitFor.length === 0) return waited;
      const names = waitFor.map((upload) => upload.key).join(', ');
      if (Date.now() - started > MAX_UPLOAD_WAIT_MS || mustStopWaiting(Date.now() + UPLOAD_POLL_MS, this.deadlineMs)) {
        const [first] = waitFor;
        throw new RunnerFailure(
          EXIT.migration,
          `the upload of ${names} to s3://${this.name} is still in progress after ${Math.round((Date.now() - started) / 1000)}s; nothing was run, so that no higher version is applied before it`,
          `let the upload finish (its upload event runs the migration), or abort it (aws s3api abort-multipart-upload --bucket ${this.name} --key '${first?.key ?? ''}' --upload-id ${first?.uploadId ?? ''}) and upload the file again`,
        );
      }
      if (!waited) this.say(`an upload of ${names} is still in progress (multipart); waiting for it before the pass starts`);
      waited = true;
      await sleep(UPLOAD_POLL_MS);
    }
  }

  async sync(listing: Listing, dir: string): Promise<void> {
    try {
      const result = await syncFiles(this.ports, this.name, listing.accepted, dir);
      this.say(`synced ${listing.accepted.length} file(s): ${result.downloaded} downloaded (${result.bytes} bytes), ${result.deleted} deleted`);
    } catch (error) {
      if (!(error instanceof DownloadFailed)) {
        const { name, message } = awsErrorOf(error);
        throw new RunnerFailure(EXIT.config, `cannot sync s3://${this.name}: ${name}: ${firstLine(message)}; nothing was run`, 'check the disk of the host (df -h) and the error above');
      }
      const { name, message } = awsErrorOf(error.cause);
      const version = error.versionId === null ? '' : ` (version ${error.versionId})`;
      throw new RunnerFailure(
        EXIT.config,
        `cannot download s3://${this.name}/${error.key}${version}: ${name}: ${firstLine(message)}; nothing was run`,
        DENIED.test(name)
          ? "check that the host's IAM role may read the bucket (s3:GetObject, s3:GetObjectVersion) and its KMS key"
          : `S3 failed past the runner's retries; run again (upload again, or aurora-flyway run ${this.database} migrate): the files already downloaded are kept`,
      );
    }
  }

  reportRejected(listing: Listing): void {
    for (const rejected of listing.rejected) this.say(`not run: ${rejected.key}: ${rejected.reason}`);
  }
}
