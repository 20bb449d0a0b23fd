import { masterLoginSql, sqlString } from '../../harness/master-login';

describe('master login SQL', () => {
  it('quotes passwords for each engine', () => {
    expect(sqlString("it's", 'postgresql')).toBe("'it''s'");
    expect(sqlString('a\\b', 'postgresql')).toBe("'a\\b'");
    expect(sqlString("it's a\\b", 'mysql')).toBe("'it\\'s a\\\\b'");
  });

  it('creates the secret\'s user when missing and sets its password (PostgreSQL)', () => {
    const sql = masterLoginSql({ username: 'admin', password: "p'w" }, 'postgresql');
    expect(sql).toContain(`CREATE ROLE "admin" LOGIN CREATEDB CREATEROLE`);
    expect(sql).toContain(`ALTER ROLE "admin" PASSWORD 'p''w';`);
  });

  it('creates the secret\'s user with the master user\'s privileges (MySQL)', () => {
    const sql = masterLoginSql({ username: 'flyway_admin', password: 'pw' }, 'mysql');
    expect(sql).toContain("CREATE USER IF NOT EXISTS 'flyway_admin'@'%';");
    expect(sql).toContain("ALTER USER 'flyway_admin'@'%' IDENTIFIED BY 'pw';");
    expect(sql).toContain("GRANT ALL PRIVILEGES ON *.* TO 'flyway_admin'@'%' WITH GRANT OPTION;");
  });

  it('refuses a user name that is no identifier', () => {
    expect(() => masterLoginSql({ username: 'x"; DROP', password: 'pw' }, 'postgresql')).toThrow(/not a valid user name/);
  });
});
