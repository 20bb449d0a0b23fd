import { duplicatedCreate, emulatorPolicy, lostRevoke, isMisjudgedByEmulator, listMultipartUploadsXml, versionsOfDeletedKeys } from '../../harness/emulator-quirks';

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

describe('objects deleted from a versioned bucket (moto answers 500 to deleting them once versioning is suspended)', () => {
  it('takes every version and delete marker of a key that has a delete marker, and leaves the other keys', () => {
    const listed = [
      { key: 'V1__kept.sql', versionId: 'k1', deleteMarker: false },
      { key: 'V3__broken.sql', versionId: 'b1', deleteMarker: false },
      { key: 'V3__broken.sql', versionId: 'm1', deleteMarker: true },
      // Deleted, then uploaded again: the marker is no longer the latest, and moto still cannot dispose of it.
      { key: 'V4__again.sql', versionId: 'a1', deleteMarker: false },
      { key: 'V4__again.sql', versionId: 'a2', deleteMarker: false },
      { key: 'V4__again.sql', versionId: 'm2', deleteMarker: true },
    ];
    expect(versionsOfDeletedKeys(listed)).toEqual([
      { Key: 'V3__broken.sql', VersionId: 'b1' },
      { Key: 'V3__broken.sql', VersionId: 'm1' },
      { Key: 'V4__again.sql', VersionId: 'a1' },
      { Key: 'V4__again.sql', VersionId: 'a2' },
      { Key: 'V4__again.sql', VersionId: 'm2' },
    ]);
  });

  it('takes nothing from a bucket without delete markers', () => {
    expect(versionsOfDeletedKeys([{ key: 'V1__a.sql', versionId: 'v1', deleteMarker: false }])).toEqual([]);
    expect(versionsOfDeletedKeys([])).toEqual([]);
  });
});

describe('a create the emulator made but whose answer the provider lost (its retry is then refused as a duplicate)', () => {
  const seen = [
    'Error: creating SSM Document (relmy-flyway): operation error SSM: CreateDocument, https response error StatusCode: 400, RequestID: U7Ye, DocumentAlreadyExists: The specified document already exists.',
    'Error: creating Route in Route Table (rtb-1) with destination (0.0.0.0/0): operation error EC2: CreateRoute, https response error StatusCode: 400, RequestID: x, api error RouteAlreadyExists: The route identified by 0.0.0.0/0 already exists.',
    'Error: creating VPC Security Group Rule: operation error EC2: AuthorizeSecurityGroupEgress, https response error StatusCode: 400, RequestID: H9I, api error InvalidPermission.Duplicate: the specified rule already exists',
    'Error: creating EC2 Internet Gateway: attaching EC2 Internet Gateway (igw-36286d20328a19559) to VPC (vpc-13380450009002d1a): operation error EC2: AttachInternetGateway, https response error StatusCode: 400, RequestID: oXSm, api error Resource.AlreadyAssociated: Resource igw-36286d20328a19559 is already associated.',
  ];

  it.each(seen)('is recognised in %s', (line) => {
    expect(duplicatedCreate(`\nPlan: 80 to add\n\n${line}\n\n  with module.pipeline.x,\n`)).toBe(line);
  });

  it('is not any other failure, nor "already exists" outside a create', () => {
    expect(duplicatedCreate('Error: creating SSM Document (x): api error ValidationException: bad content')).toBeUndefined();
    expect(duplicatedCreate('Error: reading S3 Bucket (b): NoSuchBucket\nthe bucket already exists elsewhere')).toBeUndefined();
    expect(duplicatedCreate('Error: Invalid value for variable\n\nA database key already exists.')).toBeUndefined();
  });

  it('knows the refused revoke of the egress rule, and nothing else, as the emulator quirk', () => {
    const refused = 'Error: deleting VPC Security Group Rule (sgr-99)\n\noperation error EC2: RevokeSecurityGroupEgress, https response error\nStatusCode: 400, api error\nInvalidPermission.NotFound: The specified rule does not exist in this\nsecurity group';
    expect(lostRevoke(refused)).toBe(true);
    expect(lostRevoke(refused.replace('InvalidPermission.NotFound', 'UnauthorizedOperation'))).toBe(false);
    expect(lostRevoke('operation error EC2: DeleteSecurityGroup, InvalidPermission.NotFound')).toBe(false);
  });
});
