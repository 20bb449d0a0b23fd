import { flywayOrder, uploadOrder } from '../../../common/src/migration-order';

describe('uploadOrder (push uploads one file after another in it)', () => {
  it('puts versions in Flyway\'s numeric order, not name order (V2 before V10)', () => {
    const names = Array.from({ length: 12 }, (_, i) => `V${i + 1}__step.sql`).sort();
    expect(names.slice(0, 4)).toEqual(['V10__step.sql', 'V11__step.sql', 'V12__step.sql', 'V1__step.sql']);
    expect(uploadOrder(names)).toEqual(Array.from({ length: 12 }, (_, i) => `V${i + 1}__step.sql`));
  });

  it('orders dotted and underscored versions as Flyway does, callbacks first and repeatables last', () => {
    expect(uploadOrder(['R__views.sql', 'V1.10__c.sql', 'V1_2__b.sql', 'afterMigrate.sql', 'V1.1__a.sql', 'R__a_grants.sql', 'V2__d.sql'])).toEqual([
      'afterMigrate.sql',
      'V1.1__a.sql',
      'V1_2__b.sql',
      'V1.10__c.sql',
      'V2__d.sql',
      'R__a_grants.sql',
      'R__views.sql',
    ]);
  });

  it('keeps versions of the same value in name order and misnamed files last', () => {
    expect(uploadOrder(['v3__lower.sql', 'V01__b.sql', 'V1__a.sql'])).toEqual(['V01__b.sql', 'V1__a.sql', 'v3__lower.sql']);
  });
});

describe('flywayOrder (the linter reads files in it)', () => {
  it('is versioned by version, then repeatables, then callbacks', () => {
    expect(flywayOrder([{ name: 'afterMigrate.sql' }, { name: 'R__v.sql' }, { name: 'V10__b.sql' }, { name: 'V9__a.sql' }]).map((file) => file.name)).toEqual([
      'V9__a.sql',
      'V10__b.sql',
      'R__v.sql',
      'afterMigrate.sql',
    ]);
  });
});
