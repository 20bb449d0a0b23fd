// The one EC2 call the trigger makes, without the SDK's EC2 client: EC2's documented answers are
// parsed, and the request is a signed Query POST that a local server receives and answers. Brief
// faults (throttling, 5xx, a dropped connection) are retried as the SDK retries its own calls.

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStartInstances, Ec2Error, ec2Endpoint, parseStartInstancesResponse, retryErrorType } from '../../../common/src/ec2-start';

// The example answer of the EC2 API reference (StartInstances).
const STARTED = `<StartInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <instancesSet>
    <item>
      <instanceId>i-1234567890abcdef0</instanceId>
      <currentState>
          <code>0</code>
          <name>pending</name>
      </currentState>
      <previousState>
          <code>80</code>
          <name>stopped</name>
      </previousState>
    </item>
  </instancesSet>
</StartInstancesResponse>`;
const NOT_STARTABLE = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>IncorrectInstanceState</Code><Message>The instance &apos;i-1234567890abcdef0&apos; is not in a state from which it can be started.</Message></Error></Errors><RequestID>a1b2</RequestID></Response>`;

describe('StartInstances over the EC2 Query API', () => {
  it('reads the states of a documented answer, and errors by their code', () => {
    expect(parseStartInstancesResponse(200, STARTED)).toEqual({ previous: 'stopped', current: 'pending' });
    const refused = parseStartInstancesResponse(400, NOT_STARTABLE);
    expect(refused).toBeInstanceOf(Ec2Error);
    expect(refused).toMatchObject({ name: 'IncorrectInstanceState', message: "The instance 'i-1234567890abcdef0' is not in a state from which it can be started.", status: 400 });
    expect(parseStartInstancesResponse(503, 'Service Unavailable')).toMatchObject({ name: 'HTTP503' });
    expect(parseStartInstancesResponse(200, '<StartInstancesResponse/>')).toMatchObject({ name: 'UnreadableResponse' });
  });

  it('uses the SDK endpoint variables first, else the region\'s endpoint', () => {
    expect(ec2Endpoint({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000/' }, 'eu-west-1')).toBe('http://127.0.0.1:5000');
    expect(ec2Endpoint({ AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_EC2: 'http://b' }, 'eu-west-1')).toBe('http://b');
    expect(ec2Endpoint({}, 'eu-west-1')).toBe('https://ec2.eu-west-1.amazonaws.com');
    expect(ec2Endpoint({}, 'cn-north-1')).toBe('https://ec2.cn-north-1.amazonaws.com.cn');
  });

  it('sends one SigV4-signed form POST and throws EC2\'s error with its code', async () => {
    const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
    let answer = { status: 200, body: STARTED };
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        requests.push({ headers: request.headers, body });
        response.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const env = {
        AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
      };
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        const start = createStartInstances(env);
        await expect(start('i-1234567890abcdef0')).resolves.toEqual({ previous: 'stopped', current: 'pending' });
        answer = { status: 400, body: NOT_STARTABLE };
        await expect(start('i-1234567890abcdef0')).rejects.toMatchObject({ name: 'IncorrectInstanceState' });
      } finally {
        process.env = saved;
      }
      const [first] = requests;
      expect(first?.body).toBe('Action=StartInstances&Version=2016-11-15&InstanceId.1=i-1234567890abcdef0');
      expect(first?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ec2\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
    } finally {
      server.close();
    }
  });
});

const UNAVAILABLE = { status: 503, body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>Unavailable</Code><Message>The server is overloaded and can\'t handle the request.</Message></Error></Errors><RequestID>c3d4</RequestID></Response>' };
// Classified by its code alone, whatever the status.
const THROTTLED = { status: 400, body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>e5f6</RequestID></Response>' };
const OK = { status: 200, body: STARTED };
const REFUSED = { status: 400, body: NOT_STARTABLE };
/** The connection is closed without an answer. */
const DROPPED = 'dropped' as const;

/** A local EC2 that gives the scripted answers in turn (the last one from then on), and the SDK's backoff, recorded instead of waited. */
async function scriptedEc2(script: readonly ({ status: number; body: string } | typeof DROPPED)[], run: (start: (instanceId: string) => Promise<{ previous: string; current: string }>, backoff: { bases: number[]; waits: number[] }) => Promise<void>): Promise<number> {
  let requests = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const answer = script[Math.min(requests, script.length - 1)];
      requests += 1;
      if (answer === DROPPED || answer === undefined) request.socket.destroy();
      else response.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = { AWS_ENDPOINT_URL_EC2: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const recorded = { bases: [] as number[], waits: [] as number[] };
  try {
    const backoff = {
      setDelayBase: (base: number) => void recorded.bases.push(base),
      computeNextBackoffDelay: (attempt: number) => {
        recorded.waits.push(attempt);
        return 0;
      },
    };
    await run(createStartInstances(env, { backoff }), recorded);
  } finally {
    process.env = saved;
    server.closeAllConnections();
    server.close();
  }
  return requests;
}

describe('StartInstances retries brief faults like the SDK (standard mode, 3 attempts)', () => {
  const started = { previous: 'stopped', current: 'pending' };

  it('succeeds on the third attempt after EC2 answered 503 twice', async () => {
    const requests = await scriptedEc2([UNAVAILABLE, UNAVAILABLE, OK], async (start, backoff) => {
      await expect(start('i-1234567890abcdef0')).resolves.toEqual(started);
      expect(backoff.waits).toEqual([0, 1]);
    });
    expect(requests).toBe(3);
  });

  it('retries throttling (RequestLimitExceeded) with the SDK\'s longer throttling backoff', async () => {
    const requests = await scriptedEc2([THROTTLED, OK, UNAVAILABLE, OK], async (start, backoff) => {
      await expect(start('i-1234567890abcdef0')).resolves.toEqual(started);
      // A second call, after a 503, for the base delay of a transient error.
      await expect(start('i-1234567890abcdef0')).resolves.toEqual(started);
      const [throttling = 0, transient = 0] = backoff.bases;
      expect(throttling).toBeGreaterThan(transient);
    });
    expect(requests).toBe(4);
  });

  it('retries a connection closed without an answer', async () => {
    const requests = await scriptedEc2([DROPPED, OK], async (start) => {
      await expect(start('i-1234567890abcdef0')).resolves.toEqual(started);
    });
    expect(requests).toBe(2);
  });

  it('does not retry EC2\'s refusal (IncorrectInstanceState): it is thrown at once, for decideHost', async () => {
    const requests = await scriptedEc2([REFUSED, OK], async (start) => {
      await expect(start('i-1234567890abcdef0')).rejects.toMatchObject({ name: 'IncorrectInstanceState', status: 400 });
    });
    expect(requests).toBe(1);
  });

  it('throws EC2\'s error after 3 attempts that all answered 503', async () => {
    const requests = await scriptedEc2([UNAVAILABLE], async (start) => {
      await expect(start('i-1234567890abcdef0')).rejects.toMatchObject({ name: 'Unavailable', status: 503 });
    });
    expect(requests).toBe(3);
  });

  it('classifies errors as the SDK\'s retry middleware does (pure)', () => {
    const ec2 = (code: string, status: number) => new Ec2Error(code, 'from EC2', status);
    const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });
    expect(retryErrorType(ec2('RequestLimitExceeded', 503))).toBe('THROTTLING');
    expect(retryErrorType(ec2('Throttling', 400))).toBe('THROTTLING');
    expect(retryErrorType(ec2('Unavailable', 503))).toBe('TRANSIENT');
    expect(retryErrorType(ec2('InternalError', 500))).toBe('TRANSIENT');
    expect(retryErrorType(ec2('HTTP501', 501))).toBe('SERVER_ERROR');
    expect(retryErrorType(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe('TRANSIENT');
    expect(retryErrorType(fetchFailed(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })))).toBe('TRANSIENT');
    expect(retryErrorType(fetchFailed(Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' })))).toBe('TRANSIENT');
    for (const code of ['IncorrectInstanceState', 'UnauthorizedOperation', 'InvalidInstanceID.NotFound', 'UnreadableResponse']) expect(retryErrorType(ec2(code, code === 'UnreadableResponse' ? 200 : 400))).toBe('CLIENT_ERROR');
    expect(retryErrorType(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }))).toBe('CLIENT_ERROR');
    expect(retryErrorType('a string')).toBe('CLIENT_ERROR');
  });
});
