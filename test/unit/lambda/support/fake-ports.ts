// Unit-level stand-ins for the AWS calls (the integration tests use the real SDK against moto).
// Records every request so tests can assert exactly what would have been sent.

import type { SendCommandCommandInput } from '@aws-sdk/client-ssm';
import type { Ports, Publication, TagRequest } from '../../../../lambda/src/aws';
import type { HostInvocation } from '../../../../lambda/src/host';
import { createLogger, type Logger } from '../../../../lambda/src/log';

export class FakePorts implements Ports {
  /** The module's bucket parameters: name -> database key. */
  readonly bucketParameters = new Map<string, string>([
    ['/myproj/flyway/buckets/myproj-users-123', 'users'],
    ['/myproj/flyway/buckets/myproj-products-123', 'products'],
  ]);
  /** Parameter names whose lookup fails (throttling, access denied). */
  readonly parameterErrors = new Map<string, Error>();
  readonly lookups: string[] = [];
  readonly sent: SendCommandCommandInput[] = [];
  readonly tags: TagRequest[] = [];
  readonly published: Publication[] = [];
  /** database key -> error that SendCommand throws for it */
  readonly sendErrors = new Map<string, Error>();
  /** object key -> error that PutObjectTagging throws for it */
  readonly tagErrors = new Map<string, Error>();
  publishError: Error | undefined;
  /** What each StartInstances call answers, in turn (the last one repeats): a state pair or an error. */
  startAnswers: ({ previous: string; current: string } | Error)[] = [{ previous: 'running', current: 'running' }];
  readonly starts: string[] = [];
  /** What ListCommandInvocations answers for the host. */
  invocations: HostInvocation[] = [];
  invocationsError: Error | undefined;
  readonly invocationQueries: { instanceId: string; after: Date }[] = [];
  private next = 0;

  async databaseOfBucket(parameterName: string): Promise<string | undefined> {
    this.lookups.push(parameterName);
    const error = this.parameterErrors.get(parameterName);
    if (error !== undefined) throw error;
    return this.bucketParameters.get(parameterName);
  }

  async sendCommand(input: SendCommandCommandInput): Promise<string> {
    const database = input.Parameters?.['DatabaseKey']?.[0] ?? '';
    const error = this.sendErrors.get(database);
    if (error !== undefined) throw error;
    this.sent.push(input);
    this.next += 1;
    return `00000000-0000-4000-8000-${String(this.next).padStart(12, '0')}`;
  }

  async tagObject(request: TagRequest): Promise<boolean> {
    const error = this.tagErrors.get(request.key);
    if (error !== undefined) throw error;
    this.tags.push(request);
    return true;
  }

  async publish(publication: Publication): Promise<void> {
    if (this.publishError !== undefined) throw this.publishError;
    this.published.push(publication);
  }

  async startInstance(instanceId: string): Promise<{ previous: string; current: string }> {
    const answer = this.startAnswers[Math.min(this.starts.length, this.startAnswers.length - 1)];
    this.starts.push(instanceId);
    if (answer === undefined) throw new Error('no StartInstances answer configured');
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async listInvocations(instanceId: string, after: Date): Promise<HostInvocation[]> {
    this.invocationQueries.push({ instanceId, after });
    if (this.invocationsError !== undefined) throw this.invocationsError;
    return this.invocations;
  }
}

export type LogLine = Record<string, unknown> & { level: string; message: string };

/** A logger whose lines are parsed back into objects (which also proves each is one JSON line). */
export function captureLogs(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger((line) => {
    if (line.includes('\n')) throw new Error(`log line contains a newline: ${line}`);
    lines.push(JSON.parse(line) as LogLine);
  });
  return { logger, lines };
}
