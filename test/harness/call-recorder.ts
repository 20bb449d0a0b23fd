// A recording HTTP proxy in front of the emulator: the trigger, the runner and the agent the
// harness plays talk to AWS through it, each with access keys of its own, so that every call can
// afterwards be checked against the IAM policy of the role that would make it on AWS
// (iam-check.ts). It forwards every request unchanged and keeps what authorization depends on:
// who signed it, for which service, the operation and its resource-naming parameters.

import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  /** The access key id that signed the request (Authorization header or presigned query). */
  accessKeyId: string;
  /** The signing name of the credential scope: s3, ssm, logs, secretsmanager, sns, sqs, kms, ... */
  service: string;
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Lower-case request headers that name the operation or its parameters. */
  headers: Record<string, string>;
  /** The request body for RPC protocols (JSON and query); empty for S3 (object bodies). */
  body: string;
  status: number;
  /** The object version an S3 PutObject created. */
  versionId?: string;
  /** The response body for RPC protocols (it names resources the request named by id only). */
  responseBody: string;
}

export interface CallRecorder {
  /** The endpoint to give the callers instead of the emulator's. */
  endpoint: string;
  calls: RecordedCall[];
  stop(): Promise<void>;
}

/** A request as it arrived, before it is answered. */
export type IncomingCall = Omit<RecordedCall, 'status' | 'responseBody'>;

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RecorderHooks {
  /** Answers a call in the emulator's place (what AWS does that the emulator does not); undefined forwards it. */
  answer?(call: IncomingCall): Promise<Answer | undefined>;
  /** Sees every call once it is answered (S3 notifications, commands the harness must run). */
  observe?(call: RecordedCall): void;
}

const KEPT_REQUEST_HEADERS = ['host', 'content-type', 'x-amz-target', 'x-amz-tagging', 'x-amz-copy-source'];
/** RPC answers are small; S3 object bodies are neither needed nor kept. */
const MAX_KEPT_BODY = 256 * 1024;

function pick(headers: IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}

/** The signer of a SigV4 request: access key id and service from the credential scope. */
export function signerOf(url: string, authorization: string | undefined): { accessKeyId: string; service: string } | undefined {
  const credential = /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1] ?? new URL(url, 'http://local').searchParams.get('X-Amz-Credential') ?? undefined;
  if (credential === undefined) return undefined;
  const [accessKeyId, , , service] = decodeURIComponent(credential).split('/');
  return accessKeyId === undefined || service === undefined ? undefined : { accessKeyId, service };
}

export async function startCallRecorder(target: string, hooks: RecorderHooks = {}): Promise<CallRecorder> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const finish = (call: RecordedCall) => {
    calls.push(call);
    hooks.observe?.(call);
  };
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const signer = signerOf(url, req.headers.authorization);
    const keepBody = signer !== undefined && signer.service !== 's3';
    const requestChunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => requestChunks.push(chunk));
    req.on('end', () => {
      const requestBody = Buffer.concat(requestChunks);
      const incoming: IncomingCall | undefined =
        signer === undefined
          ? undefined
          : { ...signer, method: req.method ?? 'GET', url, headers: pick(req.headers, KEPT_REQUEST_HEADERS), body: keepBody ? requestBody.toString('utf8') : '' };
      void (async () => {
        const answer = incoming === undefined ? undefined : await hooks.answer?.(incoming).catch((error: Error) => ({ status: 500, headers: { 'content-type': 'text/plain' }, body: `harness: ${error.message}` }));
        if (answer !== undefined && incoming !== undefined) {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
          finish({ ...incoming, status: answer.status, responseBody: answer.body });
          return;
        }
        const forward = httpRequest({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: url, headers: req.headers }, (response) => {
          res.writeHead(response.statusCode ?? 502, response.headers);
          const responseChunks: Buffer[] = [];
          let responseSize = 0;
          // Error answers are kept for every service: they say why a call failed.
          const keepResponse = keepBody || (response.statusCode ?? 0) >= 400;
          response.on('data', (chunk: Buffer) => {
            if (keepResponse && responseSize < MAX_KEPT_BODY) responseChunks.push(chunk);
            responseSize += chunk.length;
            res.write(chunk);
          });
          response.on('end', () => {
            res.end();
            if (incoming !== undefined) finish({ ...incoming, status: response.statusCode ?? 0, responseBody: Buffer.concat(responseChunks).toString('utf8'), ...versionOf(response.headers) });
          });
        });
        forward.on('error', (error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`the call recorder could not reach the emulator: ${error.message}`);
        });
        forward.end(requestBody);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** S3 names the version a PutObject created in a header only. */
function versionOf(headers: IncomingHttpHeaders): { versionId?: string } {
  const version = headers['x-amz-version-id'];
  return typeof version === 'string' ? { versionId: version } : {};
}

/** The request of the SendCommand call that created a command (its answer names the command id). */
export function sendCommandRequest(calls: readonly RecordedCall[], commandId: string): Record<string, unknown> | undefined {
  const call = calls.find((candidate) => candidate.headers['x-amz-target']?.endsWith('.SendCommand') === true && candidate.responseBody.includes(commandId));
  if (call === undefined) return undefined;
  const answered = (JSON.parse(call.responseBody) as { Command?: { CommandId?: string } }).Command?.CommandId;
  return answered === commandId ? (JSON.parse(call.body) as Record<string, unknown>) : undefined;
}
