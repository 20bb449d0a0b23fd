import { compareVersions, maxVersion, normalizeVersion } from '../../../common/src/version';

describe('Flyway versions', () => {
  it.each([
    ['1', '1'],
    ['01', '1'],
    ['1.0', '1'],
    ['1_2', '1.2'],
    ['1.2.0.0', '1.2'],
    ['2026.11.21.0500', '2026.11.21.500'],
    ['20261121050000', '20261121050000'],
  ])('normalises %s to %s', (version, normal) => {
    expect(normalizeVersion(version)).toBe(normal);
  });

  it('orders part by part as numbers, not as text', () => {
    const sorted = ['10', '2', '1.10', '1.9', '1_1', '1', '0.9'].sort(compareVersions);
    expect(sorted).toEqual(['0.9', '1', '1_1', '1.9', '1.10', '2', '10']);
    expect(compareVersions('1.0', '1')).toBe(0);
    expect(compareVersions('99999999999999999999', '99999999999999999998')).toBe(1);
  });

  it('finds the highest version', () => {
    expect(maxVersion(['3', '10', '9.9'])).toBe('10');
    expect(maxVersion([])).toBeUndefined();
  });
});
