// node-sql-parser's MySQL and MariaDB grammars cover the common DDL and DML but not everything
// the servers accept. A statement that fails to parse and matches one of these patterns is
// valid SQL the parser does not know (found by trying each against node-sql-parser 5.4), so it
// is left unchecked rather than reported as a syntax error. Patterns run on the statement's
// shape (comments and quoted text blanked), so quoted words cannot match them.

// A name, possibly `quoted` (blanked inside, so it may contain spaces), e.g. the definer `u`@`%`.
const NAME = '(?:[^\\s`]|`[^`]*`)+';

const UNSUPPORTED: readonly RegExp[] = [
  // Stored programs and server objects, including compound BEGIN ... END bodies.
  new RegExp(`^(?:CREATE|ALTER|DROP)\\s+(?:OR\\s+REPLACE\\s+)?(?:DEFINER\\s*=\\s*${NAME}\\s+)?(?:SQL\\s+SECURITY\\s+\\w+\\s+)?(?:AGGREGATE\\s+)?(?:PROCEDURE|FUNCTION|EVENT|SEQUENCE|TRIGGER|PACKAGE|SERVER|ROLE|USER|TABLESPACE|LOGFILE)\\b`, 'i'),
  // Session, administration and prepared-statement commands.
  /^(?:SET\s+(?:NAMES|CHARACTER\s+SET|CHARSET|PASSWORD|ROLE|DEFAULT\s+ROLE|STATEMENT)|FLUSH|PREPARE|EXECUTE|DEALLOCATE|SIGNAL|RESIGNAL|DO|HANDLER|INSTALL|UNINSTALL|XA|OPTIMIZE|ANALYZE|CHECK|CHECKSUM|REPAIR|GRANT|REVOKE|RENAME\s+USER|PURGE|RESET|KILL|BINLOG)\b/i,
  // ALTER TABLE clauses: column defaults and visibility, charset conversion, index renames, IF [NOT] EXISTS.
  new RegExp(`\\bALTER\\s+(?:COLUMN\\s+)?${NAME}\\s+(?:SET|DROP)\\s+(?:DEFAULT|NOT\\s+NULL|VISIBLE|INVISIBLE)\\b`, 'i'),
  /\bCONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\b/i,
  /\bRENAME\s+(?:INDEX|KEY)\b/i,
  /\b(?:DROP|ADD|MODIFY|CHANGE)\s+(?:COLUMN\s+|INDEX\s+|KEY\s+)?IF\s+(?:NOT\s+)?EXISTS\b/i,
  /^DROP\s+INDEX\s+IF\s+EXISTS\b/i,
  // DROP TABLE ... CASCADE / RESTRICT, which MySQL accepts and ignores.
  /^DROP\s+(?:TEMPORARY\s+)?TABLES?\b.*\b(?:CASCADE|RESTRICT)\s*$/is,
  // Partitioning, system-versioned tables.
  /\bPARTITION\s+BY\b|\b(?:ADD|DROP|REORGANIZE|TRUNCATE|COALESCE|EXCHANGE)\s+PARTITION\b/i,
  /\bSYSTEM\s+VERSIONING\b/i,
  // Column types the grammars lack.
  /\bDOUBLE\s+PRECISION\b|\bBOOL\b|\bREAL\b|\bINET[46]\b/i,
];

export function isKnownParserGap(shape: string): boolean {
  const statement = shape.trim();
  return UNSUPPORTED.some((pattern) => pattern.test(statement));
}
