import { mergeTag, toTagValue } from '../../../lambda/src/tags';

describe('mergeTag', () => {
  it('keeps the uploader\'s own tags and replaces only ours', () => {
    expect(mergeTag([{ Key: 'team', Value: 'data' }, { Key: 'flyway-command-id', Value: 'old' }], { Key: 'flyway-command-id', Value: 'new' })).toEqual([
      { Key: 'team', Value: 'data' },
      { Key: 'flyway-command-id', Value: 'new' },
    ]);
    expect(mergeTag([], { Key: 'flyway-rejected', Value: 'x' })).toEqual([{ Key: 'flyway-rejected', Value: 'x' }]);
  });

  it('refuses to drop one of ten tags to make room', () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(mergeTag(ten, { Key: 'flyway-command-id', Value: 'c' })).toBeUndefined();
    expect(mergeTag([...ten.slice(0, 9), { Key: 'flyway-command-id', Value: 'old' }], { Key: 'flyway-command-id', Value: 'c' })).toHaveLength(10);
  });

  it('keeps tag values in S3\'s charset', () => {
    expect(toTagValue('a,b;c')).toBe('a_b_c');
  });
});
