import { emulatorPolicy, isMisjudgedByEmulator, listMultipartUploadsXml } from '../../harness/emulator-quirks';

// The module's bucket policy (modules/database-bucket), as the emulator returns it.
const TLS_ONLY = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: ['arn:aws:s3:::b/*', 'arn:aws:s3:::b'],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const ALLOW_READ = { Sid: 'AllowRead', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };

describe('emulator bucket policy', () => {
  it('spots Deny statements with conditions the emulator treats as always true', () => {
    expect(isMisjudgedByEmulator(TLS_ONLY)).toBe(true);
    expect(isMisjudgedByEmulator({ ...TLS_ONLY, Condition: { StringEquals: { 'aws:username': 'x' } } })).toBe(false);
    expect(isMisjudgedByEmulator({ ...TLS_ONLY, Effect: 'Allow' })).toBe(false);
    expect(isMisjudgedByEmulator(ALLOW_READ)).toBe(false);
  });

  it('removes only those statements, and the whole policy when nothing else is in it', () => {
    expect(emulatorPolicy(JSON.stringify({ Version: '2012-10-17', Statement: [TLS_ONLY] }))).toEqual({ policy: undefined, removed: ['DenyInsecureTransport'] });
    const mixed = emulatorPolicy(JSON.stringify({ Version: '2012-10-17', Statement: [TLS_ONLY, ALLOW_READ] }));
    expect(mixed.removed).toEqual(['DenyInsecureTransport']);
    expect(JSON.parse(mixed.policy ?? '')).toEqual({ Version: '2012-10-17', Statement: [ALLOW_READ] });
  });

  it('leaves a policy the emulator judges correctly as it is', () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: ALLOW_READ });
    expect(emulatorPolicy(policy)).toEqual({ policy, removed: [] });
  });
});

describe('ListMultipartUploads as S3 answers it (moto reports one fixed Initiated for every upload)', () => {
  it('lists each upload with its key (XML-escaped), id and the time it began', () => {
    const xml = listMultipartUploadsXml('b', [{ key: 'V1__a&b<c>.sql', uploadId: 'u1', initiated: new Date('2026-12-02T06:00:00.000Z') }]);
    expect(xml).toContain('<Bucket>b</Bucket>');
    expect(xml).toContain('<Upload><Key>V1__a&amp;b&lt;c&gt;.sql</Key><UploadId>u1</UploadId><StorageClass>STANDARD</StorageClass><Initiated>2026-12-02T06:00:00.000Z</Initiated></Upload>');
    expect(xml).toContain('<IsTruncated>false</IsTruncated>');
    expect(listMultipartUploadsXml('b', [])).not.toContain('<Upload>');
  });
});
