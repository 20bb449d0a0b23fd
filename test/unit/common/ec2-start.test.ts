// The one EC2 call the trigger makes, without the SDK's EC2 client: EC2's documented answers are
// parsed, and the request is a signed Query POST that a local server receives and answers.

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStartInstances, Ec2Error, ec2Endpoint, parseStartInstancesResponse } from '../../../common/src/ec2-start';

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
