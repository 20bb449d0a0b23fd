#!/usr/bin/env node
"use strict";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// client/src/main.ts
var main_exports = {};
__export(main_exports, {
  main: () => main
});
module.exports = __toCommonJS(main_exports);
var import_commander = require("commander");
var import_node_path3 = require("node:path");

// client/src/aws.ts
var import_client_cloudwatch_logs = require("@aws-sdk/client-cloudwatch-logs");
var import_client_lambda = require("@aws-sdk/client-lambda");
var import_client_s3 = require("@aws-sdk/client-s3");
var import_client_sqs = require("@aws-sdk/client-sqs");
var import_client_ssm = require("@aws-sdk/client-ssm");

// common/src/ec2-start.ts
var import_signature_v4 = require("@smithy/signature-v4");
var import_checksum = require("@smithy/core/checksum");
var import_retry = require("@smithy/core/retry");
var import_credential_provider_node = require("@aws-sdk/credential-provider-node");
var API_VERSION = "2016-11-15";
var REQUEST_TIMEOUT_MS = 1e4;
var Ec2Error = class extends Error {
  constructor(name, message, status) {
    super(message);
    this.name = name;
    this.status = status;
    this.$metadata = { httpStatusCode: status };
  }
  name;
  status;
  /** Where the SDK's error classification reads the status, as on the SDK's own errors. */
  $metadata;
};
var decodeXml = (text) => text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[entity] ?? "");
function element(xml, name) {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match === null ? void 0 : match[1];
}
function parseStartInstancesResponse(status, xml) {
  const error = element(xml, "Error");
  if (status >= 300 || error !== void 0) {
    const code = element(error ?? xml, "Code") ?? `HTTP${status}`;
    return new Ec2Error(decodeXml(code), decodeXml(element(error ?? xml, "Message") ?? `EC2 answered HTTP ${status}`), status);
  }
  const item = element(xml, "item") ?? "";
  const previous = element(element(item, "previousState") ?? "", "name");
  const current = element(element(item, "currentState") ?? "", "name");
  if (previous === void 0 || current === void 0) return new Ec2Error("UnreadableResponse", `StartInstances answered without instance states: ${xml.slice(0, 200)}`, status);
  return { previous, current };
}
function ec2Endpoint(env, region) {
  const configured = env.AWS_ENDPOINT_URL_EC2 ?? env.AWS_ENDPOINT_URL;
  if (configured !== void 0 && configured !== "") return configured.replace(/\/+$/, "");
  return `https://ec2.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`;
}
function retryErrorType(error) {
  if (typeof error !== "object" || error === null) return "CLIENT_ERROR";
  const sdkError = error;
  if ((0, import_retry.isThrottlingError)(sdkError)) return "THROTTLING";
  if ((0, import_retry.isTransientError)(sdkError) || isFetchNetworkError(sdkError)) return "TRANSIENT";
  if ((0, import_retry.isServerError)(sdkError)) return "SERVER_ERROR";
  return "CLIENT_ERROR";
}
var isFetchNetworkError = (error) => error.name === "TypeError" && error.message === "fetch failed";
function createStartInstances(env = process.env, { maxAttempts = import_retry.DEFAULT_MAX_ATTEMPTS, backoff } = {}) {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const endpoint = new URL(ec2Endpoint(env, region));
  const signer = new import_signature_v4.SignatureV4({ service: "ec2", region, credentials: (0, import_credential_provider_node.defaultProvider)(), sha256: import_checksum.Sha256 });
  const strategy = new import_retry.StandardRetryStrategy({ maxAttempts, backoff });
  return (instanceId) => withRetries(strategy, async () => {
    const body = new URLSearchParams({ Action: "StartInstances", Version: API_VERSION, "InstanceId.1": instanceId }).toString();
    const signed = await signer.sign({
      method: "POST",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...endpoint.port === "" ? {} : { port: Number(endpoint.port) },
      path: endpoint.pathname === "" ? "/" : endpoint.pathname,
      headers: { host: endpoint.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body
    });
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(endpoint, { method: "POST", headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const parsed = parseStartInstancesResponse(response.status, await response.text());
    if (parsed instanceof Ec2Error) throw parsed;
    return parsed;
  });
}
async function withRetries(strategy, attempt) {
  let token = await strategy.acquireInitialRetryToken("");
  for (; ; ) {
    try {
      const result = await attempt();
      strategy.recordSuccess(token);
      return result;
    } catch (error) {
      try {
        token = await strategy.refreshRetryTokenForRetry(token, { errorType: retryErrorType(error) });
      } catch {
        throw error;
      }
      const delay = token.getRetryDelay();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

// client/src/aws.ts
function awsClients(options) {
  const config = { ...options.region === void 0 ? {} : { region: options.region }, ...options.endpointUrl === void 0 ? {} : { endpoint: options.endpointUrl } };
  const clients = {
    // An emulator on an IP address serves buckets by path only.
    s3: new import_client_s3.S3Client({ ...config, forcePathStyle: options.endpointUrl !== void 0 }),
    ssm: new import_client_ssm.SSMClient(config),
    logs: new import_client_cloudwatch_logs.CloudWatchLogsClient(config),
    sqs: new import_client_sqs.SQSClient(config),
    lambda: new import_client_lambda.LambdaClient(config)
  };
  const endpoints = { ...process.env, ...options.region === void 0 ? {} : { AWS_REGION: options.region }, ...options.endpointUrl === void 0 ? {} : { AWS_ENDPOINT_URL_EC2: options.endpointUrl } };
  return {
    ...clients,
    startInstance: createStartInstances(endpoints),
    destroy: () => Object.values(clients).forEach((client) => client.destroy())
  };
}

// client/src/errors.ts
var EXIT = {
  ok: 0,
  /** The migration failed, or lint found errors. */
  failed: 1,
  /** Wrong usage: unknown option, missing argument. */
  usage: 2,
  /** The pipeline or the database could not be found, or AWS refused a call. */
  setup: 3,
  /** Waited longer than --timeout for the result. */
  timeout: 4,
  /** The upload was refused before anything was uploaded (a changed applied version). */
  refused: 5,
  /** A bug in the client (the stack trace is printed). */
  internal: 70
};
var ClientError = class extends Error {
  constructor(message, exitCode, todo) {
    super(message);
    this.exitCode = exitCode;
    this.todo = todo;
    this.name = "ClientError";
  }
  exitCode;
  todo;
};
var CREDENTIALS = ["CredentialsProviderError", "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId", "SignatureDoesNotMatch"];
var DENIED = ["AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation"];
function explainAwsError(error, doing) {
  if (!(error instanceof Error)) return void 0;
  if (CREDENTIALS.includes(error.name)) {
    return new ClientError(`no valid AWS credentials while ${doing} (${error.name}: ${error.message})`, EXIT.setup, "configure credentials (aws configure, AWS_PROFILE, or OIDC in CI) and try again");
  }
  const status = error.$metadata?.httpStatusCode;
  if (DENIED.includes(error.name) || status === 403) {
    return new ClientError(`AWS refused ${doing}: ${error.message}`, EXIT.setup, "ask for the permission named above on the pipeline's buckets, parameters and document");
  }
  if (error.name === "NoSuchBucket") return new ClientError(`the bucket does not exist while ${doing}`, EXIT.setup, "check --name-prefix and the region; terraform apply creates the buckets");
  if (/ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(error.message)) {
    return new ClientError(`could not reach AWS while ${doing}: ${error.message}`, EXIT.setup, "check the network, the region and --endpoint-url");
  }
  return void 0;
}
async function step(doing, work) {
  try {
    return await work();
  } catch (error) {
    throw explainAwsError(error, doing) ?? error;
  }
}

// client/src/lint/files.ts
var BYTE_ORDER_MARK = Buffer.from([239, 187, 191]);
function decodeFile(file2) {
  const decoded = file2.content.toString("utf8");
  const invalidAt = firstUndecodableByte(file2.content, decoded);
  if (invalidAt !== void 0) {
    return {
      findings: [{
        file: file2.name,
        line: lineOfByte(file2.content, invalidAt),
        severity: "error",
        rule: "encoding",
        message: `The file is not valid UTF-8 (byte ${invalidAt} starts an invalid sequence).`,
        fix: "Save the file as UTF-8, which Flyway reads it as."
      }]
    };
  }
  const findings = [];
  const hasByteOrderMark = file2.content.subarray(0, BYTE_ORDER_MARK.length).equals(BYTE_ORDER_MARK);
  if (hasByteOrderMark) {
    findings.push({
      file: file2.name,
      line: 1,
      severity: "warning",
      rule: "bom",
      message: "The file starts with a UTF-8 byte-order mark.",
      fix: "Save the file as UTF-8 without a byte-order mark, which some SQL tools read as part of the first statement."
    });
  }
  const text = hasByteOrderMark ? decoded.slice(1) : decoded;
  const mixedAt = firstLineEndingUnlikeTheFirst(text);
  if (mixedAt !== void 0) {
    findings.push({
      file: file2.name,
      line: mixedAt,
      severity: "warning",
      rule: "line-endings",
      message: "The file mixes CRLF and LF line endings.",
      fix: "Convert the file to one line ending, preferably LF, so editors and git do not rewrite parts of it."
    });
  }
  return { text, findings };
}
function emptyFileFinding(name) {
  return {
    file: name,
    severity: "error",
    rule: "empty",
    message: "The file has no SQL statement, only blanks or comments.",
    fix: "Add the statements the migration is for, or delete the file."
  };
}
function firstUndecodableByte(bytes, decoded) {
  const reencoded = Buffer.from(decoded, "utf8");
  if (reencoded.equals(bytes)) return void 0;
  let i = 0;
  while (i < bytes.length && bytes[i] === reencoded[i]) i += 1;
  return i;
}
function lineOfByte(bytes, offset) {
  let line = 1;
  for (let i = 0; i < offset; i += 1) if (bytes[i] === 10) line += 1;
  return line;
}
function firstLineEndingUnlikeTheFirst(text) {
  let firstIsCrlf;
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1), line += 1) {
    const isCrlf = i > 0 && text[i - 1] === "\r";
    if (firstIsCrlf === void 0) firstIsCrlf = isCrlf;
    else if (isCrlf !== firstIsCrlf) return line;
  }
  return void 0;
}

// client/src/lint/mysql.ts
var import_node_sql_parser = require("node-sql-parser");

// client/src/lint/mysql-effects.ts
var NAME = "(?:`[^`]*`|[\\w$]+)(?:\\s*\\.\\s*(?:`[^`]*`|[\\w$]+))?";
var ALTER_TABLE = new RegExp(`^ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE\\s+(${NAME})`, "id");
var RENAME_TABLE = new RegExp(`^RENAME\\s+TABLES?\\s+(${NAME})`, "id");
var CREATE_FULLTEXT = new RegExp(`^CREATE\\s+FULLTEXT\\s+INDEX\\s+${NAME}\\s+ON\\s+(${NAME})`, "id");
var CREATE_TABLE = new RegExp(`^CREATE\\s+(?:TEMPORARY\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(${NAME})`, "id");
var UPDATE = new RegExp(`^UPDATE\\s+(?:LOW_PRIORITY\\s+|IGNORE\\s+)*(${NAME})`, "id");
var DELETE = new RegExp(`^DELETE\\s+(?:LOW_PRIORITY\\s+|QUICK\\s+|IGNORE\\s+)*FROM\\s+(${NAME})`, "id");
var LOCK_TABLES = new RegExp(`^LOCK\\s+TABLES?\\s+(${NAME})`, "id");
var OPTIMIZE = new RegExp(`^OPTIMIZE\\s+(?:NO_WRITE_TO_BINLOG\\s+|LOCAL\\s+)?TABLES?\\s+(${NAME})`, "id");
var DDL = /^(?:CREATE|ALTER|DROP|RENAME|TRUNCATE)\b/i;
var NOT_A_COLUMN = "(?!INDEX\\b|KEY\\b|UNIQUE\\b|PRIMARY\\b|FULLTEXT\\b|SPATIAL\\b|CONSTRAINT\\b|FOREIGN\\b|CHECK\\b|PARTITION\\b)";
function mysqlShapeEffects(shape, text) {
  const effects = [];
  const name = (match, group, base2 = 0) => {
    const [start, end] = match.indices?.[group] ?? [0, 0];
    return text.slice(base2 + start, base2 + end).replace(/`/g, "").replace(/\s*\.\s*/g, ".");
  };
  if (DDL.test(shape)) effects.push({ kind: "ddl" });
  const created = CREATE_TABLE.exec(shape);
  if (created) effects.push({ kind: "create-table", table: name(created, 1) });
  const update = UPDATE.exec(shape);
  if (update) effects.push({ kind: "dml", operation: "UPDATE", table: name(update, 1) });
  const deleted = DELETE.exec(shape);
  if (deleted) effects.push({ kind: "dml", operation: "DELETE", table: name(deleted, 1) });
  const locked = LOCK_TABLES.exec(shape);
  if (locked) effects.push({ kind: "lock-table", table: name(locked, 1) });
  const optimize = OPTIMIZE.exec(shape);
  if (optimize) effects.push({ kind: "rewrite", table: name(optimize, 1), operation: "optimize" });
  const renameTable = RENAME_TABLE.exec(shape);
  if (renameTable) effects.push({ kind: "rename", object: "table", name: name(renameTable, 1) });
  const createFulltext = CREATE_FULLTEXT.exec(shape);
  if (createFulltext) effects.push({ kind: "fulltext-index", table: name(createFulltext, 1) });
  const alter = ALTER_TABLE.exec(shape);
  if (alter === null) return effects;
  const table2 = name(alter, 1);
  const base = alter[0].length;
  const clauses = shape.slice(base);
  if (/\bALGORITHM\s*=?\s*COPY\b/i.test(clauses)) effects.push({ kind: "alter-clause", table: table2, clause: "ALGORITHM=COPY" });
  const lock = /\bLOCK\s*=?\s*(SHARED|EXCLUSIVE)\b/i.exec(clauses);
  if (lock) effects.push({ kind: "alter-clause", table: table2, clause: lock[1].toUpperCase() === "SHARED" ? "LOCK=SHARED" : "LOCK=EXCLUSIVE" });
  if (/(?:^|,)\s*ENGINE\s*=?\s*\w+/i.test(clauses)) effects.push({ kind: "rewrite", table: table2, operation: "engine" });
  if (/(?:^|,)\s*FORCE\b/i.test(clauses)) effects.push({ kind: "rewrite", table: table2, operation: "force" });
  if (/\bCONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\b/i.test(clauses)) effects.push({ kind: "rewrite", table: table2, operation: "convert" });
  if (/\bADD\s+(?:CONSTRAINT\s+(?:\S+\s+)?)?PRIMARY\s+KEY\b/i.test(clauses)) effects.push({ kind: "add-primary-key", table: table2 });
  if (/\bADD\s+FULLTEXT\b/i.test(clauses)) effects.push({ kind: "fulltext-index", table: table2 });
  if (/(?:^|,)\s*RENAME\s+(?:TO\s+|AS\s+)?(?!COLUMN\b|INDEX\b|KEY\b)\S/i.test(clauses)) effects.push({ kind: "rename", object: "table", name: table2 });
  const renameColumn = /\bRENAME\s+COLUMN\s+(`[^`]*`|\w+)/di.exec(clauses);
  if (renameColumn) effects.push({ kind: "rename", object: "column", name: `${table2}.${name(renameColumn, 1, base)}` });
  const change = /\bCHANGE\s+(?:COLUMN\s+)?(`[^`]*`|\w+)\s+(`[^`]*`|\w+)/di.exec(clauses);
  if (change && name(change, 1, base).toLowerCase() !== name(change, 2, base).toLowerCase()) {
    effects.push({ kind: "rename", object: "column", name: `${table2}.${name(change, 1, base)}` });
  }
  for (const added of clauses.matchAll(new RegExp(`\\bADD\\s+(?:COLUMN\\s+)?${NOT_A_COLUMN}(\`[^\`]*\`|\\w+)\\s`, "dgi"))) {
    const definition = untilTopLevelComma(clauses, (added.index ?? 0) + added[0].length);
    effects.push({
      kind: "add-column",
      table: table2,
      column: name(added, 1, base),
      autoIncrement: /\bAUTO_INCREMENT\b/i.test(definition),
      notNull: /\bNOT\s+NULL\b/i.test(definition),
      hasDefault: /\bDEFAULT\b/i.test(definition) || /\bAS\s*\(/i.test(definition)
    });
  }
  return effects;
}
function untilTopLevelComma(clauses, from) {
  let depth = 0;
  for (let i = from; i < clauses.length; i += 1) {
    if (clauses[i] === "(") depth += 1;
    else if (clauses[i] === ")") depth -= 1;
    else if (clauses[i] === "," && depth === 0) return clauses.slice(from, i);
  }
  return clauses.slice(from);
}

// client/src/lint/mysql-parser-gaps.ts
var NAME2 = "(?:[^\\s`]|`[^`]*`)+";
var UNSUPPORTED = [
  // Stored programs and server objects, including compound BEGIN ... END bodies.
  new RegExp(`^(?:CREATE|ALTER|DROP)\\s+(?:OR\\s+REPLACE\\s+)?(?:DEFINER\\s*=\\s*${NAME2}\\s+)?(?:SQL\\s+SECURITY\\s+\\w+\\s+)?(?:AGGREGATE\\s+)?(?:PROCEDURE|FUNCTION|EVENT|SEQUENCE|TRIGGER|PACKAGE|SERVER|ROLE|USER|TABLESPACE|LOGFILE)\\b`, "i"),
  // Session, administration and prepared-statement commands.
  /^(?:SET\s+(?:NAMES|CHARACTER\s+SET|CHARSET|PASSWORD|ROLE|DEFAULT\s+ROLE|STATEMENT)|FLUSH|PREPARE|EXECUTE|DEALLOCATE|SIGNAL|RESIGNAL|DO|HANDLER|INSTALL|UNINSTALL|XA|OPTIMIZE|ANALYZE|CHECK|CHECKSUM|REPAIR|GRANT|REVOKE|RENAME\s+USER|PURGE|RESET|KILL|BINLOG)\b/i,
  // ALTER TABLE clauses: column defaults and visibility, charset conversion, index renames, IF [NOT] EXISTS.
  new RegExp(`\\bALTER\\s+(?:COLUMN\\s+)?${NAME2}\\s+(?:SET|DROP)\\s+(?:DEFAULT|NOT\\s+NULL|VISIBLE|INVISIBLE)\\b`, "i"),
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
  /\bDOUBLE\s+PRECISION\b|\bBOOL\b|\bREAL\b|\bINET[46]\b/i
];
function isKnownParserGap(shape) {
  const statement = shape.trim();
  return UNSUPPORTED.some((pattern) => pattern.test(statement));
}

// client/src/lint/mysql-statements.ts
var DELIMITER_COMMAND = /DELIMITER[ \t]+(\S+)[^\n]*/iy;
function splitMysqlStatements(text) {
  const shape = text.split("");
  const statements = [];
  let delimiter = ";";
  let start;
  const blank = (from, to) => {
    for (let j = from; j < to; j += 1) if (shape[j] !== "\n") shape[j] = " ";
  };
  const finish = (end) => {
    if (start !== void 0) statements.push({ text: text.slice(start, end), offset: start, shape: shape.slice(start, end).join("") });
    start = void 0;
  };
  let i = 0;
  while (i < text.length) {
    DELIMITER_COMMAND.lastIndex = i;
    const command = start === void 0 ? DELIMITER_COMMAND.exec(text) : null;
    if (command !== null) {
      delimiter = command[1];
      i = DELIMITER_COMMAND.lastIndex;
    } else if (isLineCommentAt(text, i)) {
      const end = endOfLine(text, i);
      blank(i, end);
      i = end;
    } else if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      const end = close < 0 ? text.length : close + 2;
      blank(i, end);
      i = end;
    } else if (text.startsWith(delimiter, i)) {
      finish(i);
      i += delimiter.length;
    } else if (text[i] === "'" || text[i] === '"' || text[i] === "`") {
      start ??= i;
      const end = endOfQuoted(text, i);
      blank(i + 1, end - 1);
      i = end;
    } else {
      if (!/\s/.test(text[i])) start ??= i;
      i += 1;
    }
  }
  finish(text.length);
  return statements;
}
function isLineCommentAt(text, i) {
  if (text[i] === "#") return true;
  return text.startsWith("--", i) && (i + 2 >= text.length || /\s/.test(text[i + 2]));
}
function endOfLine(text, from) {
  const newline = text.indexOf("\n", from);
  return newline < 0 ? text.length : newline;
}
function endOfQuoted(text, from) {
  const quote = text[from];
  let i = from + 1;
  while (i < text.length) {
    if (text[i] === "\\" && quote !== "`") i += 2;
    else if (text[i] === quote && text[i + 1] === quote) i += 2;
    else if (text[i] === quote) return i + 1;
    else i += 1;
  }
  return text.length;
}

// client/src/lint/placeholders.ts
var PLACEHOLDER = /\$\{[^}\r\n]*\}/g;
var IDENTIFIER_STAND_IN = /flyway_placeholder_(\d+)_/g;
function parseWithStandIns(text, parse) {
  const asNumbers = /* @__PURE__ */ new Set();
  const firstFailureAt = /* @__PURE__ */ new Map();
  for (; ; ) {
    const candidate = standIns(text, asNumbers);
    const attempt = parse(candidate);
    if (attempt.ok) return attempt;
    const culprit = attempt.offset === void 0 ? void 0 : candidate.placeholderAt(attempt.offset);
    if (!firstFailureAt.has(culprit)) firstFailureAt.set(culprit, { ...attempt, message: candidate.restore(attempt.message) });
    if (culprit === void 0 || asNumbers.has(culprit)) return firstFailureAt.get(culprit) ?? attempt;
    asNumbers.add(culprit);
  }
}
function standIns(text, asNumbers) {
  const placeholders = [];
  const spans = [];
  let replaced = "";
  let copiedUpTo = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const index = placeholders.length;
    const standIn = asNumbers.has(index) ? "1" : `flyway_placeholder_${index}_`;
    replaced += text.slice(copiedUpTo, match.index);
    spans.push({ start: replaced.length, end: replaced.length + standIn.length });
    replaced += standIn;
    placeholders.push(match[0]);
    copiedUpTo = match.index + match[0].length;
  }
  replaced += text.slice(copiedUpTo);
  return {
    text: replaced,
    restore: (name) => name.replace(IDENTIFIER_STAND_IN, (standIn, n) => placeholders[Number(n)] ?? standIn),
    placeholderAt: (offset) => {
      const index = spans.findIndex(({ start, end }) => offset >= start && offset < end);
      return index < 0 ? void 0 : index;
    }
  };
}

// client/src/lint/statements.ts
function isConcurrent(effect) {
  return effect.kind === "concurrent" || effect.kind === "create-index" && effect.concurrently;
}
function isNonTransactional(effect) {
  return isConcurrent(effect) || effect.kind === "non-transactional";
}
function renameIn(effect, rename) {
  switch (effect.kind) {
    case "drop":
      return { ...effect, name: rename(effect.name) };
    case "column-type":
      return { ...effect, table: rename(effect.table), column: rename(effect.column) };
    case "add-column":
      return { ...effect, table: rename(effect.table), column: rename(effect.column) };
    case "rename":
      return { ...effect, name: rename(effect.name) };
    case "truncate":
    case "create-table":
    case "create-index":
    case "rewrite":
    case "dml":
    case "lock-table":
    case "alter-clause":
    case "add-primary-key":
    case "fulltext-index":
      return { ...effect, table: rename(effect.table) };
    default:
      return effect;
  }
}
function sameTable(a, b) {
  const [schemaA, tableA] = splitQualified(a.toLowerCase());
  const [schemaB, tableB] = splitQualified(b.toLowerCase());
  return tableA === tableB && (schemaA === void 0 || schemaB === void 0 || schemaA === schemaB);
}
function splitQualified(name) {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? [void 0, name] : [name.slice(0, dot), name.slice(dot + 1)];
}

// client/src/lint/text.ts
function lineLocator(text) {
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = low + high + 1 >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}
function byteToCharOffset(text) {
  if (Buffer.byteLength(text, "utf8") === text.length) return (byteOffset) => byteOffset;
  let byte = 0;
  let char = 0;
  return (byteOffset) => {
    if (byteOffset < byte) [byte, char] = [0, 0];
    while (byte < byteOffset && char < text.length) {
      const codePoint = text.codePointAt(char) ?? 0;
      byte += codePoint < 128 ? 1 : codePoint < 2048 ? 2 : codePoint < 65536 ? 3 : 4;
      char += codePoint >= 65536 ? 2 : 1;
    }
    return char;
  };
}

// client/src/lint/mysql.ts
var GRAMMARS = ["MariaDB", "MySQL"];
var EXPECTED_LIMIT = 120;
var parser = new import_node_sql_parser.Parser();
function parseMysql(text) {
  const lineOf = lineLocator(text);
  const statements = [];
  const syntaxErrors = [];
  for (const piece of splitMysqlStatements(text)) {
    const line = lineOf(piece.offset);
    const parsed = astify(piece.text);
    const fromShape = mysqlShapeEffects(piece.shape, piece.text);
    if (parsed.ok) {
      statements.push({ line, effects: [...parsed.value, ...fromShape] });
      continue;
    }
    statements.push({ line, effects: fromShape });
    if (!isKnownParserGap(piece.shape)) {
      syntaxErrors.push({ line: line + (parsed.line ?? 1) - 1, message: parsed.message });
    }
  }
  return { statements, syntaxErrors };
}
function astify(statement) {
  return parseWithStandIns(statement, (candidate) => {
    const failures = [];
    for (const database of GRAMMARS) {
      try {
        const tree = parser.astify(candidate.text, { database });
        const effects = (Array.isArray(tree) ? tree : [tree]).flatMap(effectsOf);
        return { ok: true, value: effects.map((effect) => renameIn(effect, candidate.restore)) };
      } catch (error) {
        failures.push(failure(error));
      }
    }
    return failures.reduce((furthest, next) => (next.offset ?? -1) > (furthest.offset ?? -1) ? next : furthest);
  });
}
function failure(error) {
  const start = field(field(error, "location"), "start");
  const line = field(start, "line");
  const offset = field(start, "offset");
  return {
    ok: false,
    message: shortened(error instanceof Error ? error.message : String(error)),
    ...typeof line === "number" ? { line } : {},
    ...typeof offset === "number" ? { offset } : {}
  };
}
function shortened(message) {
  const parts = /^Expected (.*) but (.*) found\.$/s.exec(message);
  if (parts === null || parts[1].length <= EXPECTED_LIMIT) return message;
  return `Expected ${parts[1].slice(0, EXPECTED_LIMIT)}... but ${parts[2]} found.`;
}
function effectsOf(tree) {
  const type = field(tree, "type");
  const keyword = field(tree, "keyword");
  if (type === "drop" && (keyword === "table" || keyword === "database" || keyword === "schema")) {
    return [{ kind: "drop", object: keyword, name: tableNames(field(tree, "name")) }];
  }
  if (type === "truncate") return [{ kind: "truncate", table: tableNames(field(tree, "name")) }];
  if (type === "alter") {
    const table2 = tableNames(field(tree, "table"));
    const actions = field(tree, "expr");
    return (Array.isArray(actions) ? actions : []).flatMap((action) => {
      if (field(action, "resource") !== "column") return [];
      const kind = field(action, "action");
      if (kind === "drop") return [{ kind: "drop", object: "column", name: `${table2}.${columnName(field(action, "column"))}` }];
      if (kind === "modify") return [{ kind: "column-type", table: table2, column: columnName(field(action, "column")) }];
      if (kind === "change") return [{ kind: "column-type", table: table2, column: columnName(field(action, "old_column")) }];
      return [];
    });
  }
  return [];
}
function tableNames(names) {
  if (typeof names === "string") return names;
  if (!Array.isArray(names)) return "";
  return names.map((name) => [field(name, "db"), field(name, "table")].filter((part) => typeof part === "string").join(".")).join(", ");
}
function columnName(reference) {
  const column = field(reference, "column");
  if (typeof column === "string") return column;
  const value = field(field(column, "expr"), "value");
  return typeof value === "string" ? value : "";
}
function field(value, key) {
  return typeof value === "object" && value !== null ? value[key] : void 0;
}

// common/src/flyway-name.ts
var SQL_SUFFIX = ".sql";
var ANY_CASE_SQL_SUFFIX = /\.[sS][qQ][lL]$/;
var SEPARATOR = "__";
var VERSION_PATTERN = /^\d+([._]\d+)*$/;
var MEANINGFUL_DESCRIPTION = /[^_\s]/;
var CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
var CALLBACK_EVENTS = [
  "beforeMigrate",
  "beforeRepeatables",
  "beforeEachMigrate",
  "beforeEachMigrateStatement",
  "afterEachMigrateStatement",
  "afterEachMigrateStatementError",
  "afterEachMigrate",
  "afterEachMigrateError",
  "afterMigrate",
  "afterMigrateApplied",
  "afterVersioned",
  "afterMigrateError",
  "beforeUndo",
  "beforeEachUndo",
  "beforeEachUndoStatement",
  "afterEachUndoStatement",
  "afterEachUndoStatementError",
  "afterEachUndo",
  "afterEachUndoError",
  "afterUndo",
  "afterUndoError",
  "beforeClean",
  "afterClean",
  "afterCleanError",
  "beforeInfo",
  "afterInfo",
  "afterInfoError",
  "beforeValidate",
  "afterValidate",
  "afterValidateError",
  "beforeBaseline",
  "afterBaseline",
  "afterBaselineError",
  "beforeRepair",
  "afterRepair",
  "afterRepairError",
  "createSchema",
  "beforeCreateSchema",
  "beforeConnect",
  "afterConnect"
];
var REASONS = {
  "lowercase-prefix": "lowercase prefix: use uppercase V for versioned or R for repeatable migrations",
  "undo-migration": "undo migrations with prefix U are not supported: write a new versioned migration instead",
  "unknown-prefix": "not a Flyway migration name: use V1__description.sql or R__description.sql",
  "missing-separator": "missing double underscore __ separator: use V1__description.sql or R__description.sql",
  "missing-version": "missing version after V: use for example V1__description.sql or V1.2__description.sql",
  "invalid-version": "invalid version: use numbers separated by . or _ such as V1.2__ or V1_2__",
  "missing-description": "missing description after __: use for example V1__create_table.sql",
  "repeatable-with-version": "repeatable migrations have no version: use R__description.sql",
  "unsafe-key": "key unusable as a file path: no control characters - no empty or . or .. folder names - no leading /",
  // Flyway's default sqlMigrationSuffixes is `.sql`. Checked with the Flyway 10.21.0 CLI (OSS, the
  // module's default) on H2, one folder with V1__a.sql, V2__b.SQL and V3__c.Sql: `info` lists all
  // three as pending and `migrate` applies all three, R__v.SQL runs as a repeatable and
  // afterMigrate.SQL as a callback, so this Flyway matches the suffix in any case. It is rejected
  // here anyway, never ignored: S3 keys and Linux file names are case-sensitive and macOS or
  // Windows checkouts are not, so V1__a.sql and V1__a.SQL can be two objects of one bucket, which
  // Flyway refuses together ("Found more than one migration with version 1", also checked), and
  // `aws s3 sync --include '*.sql'` on Linux skips the .SQL one. One spelling, the documented one.
  "suffix-case": "upper-case or mixed-case suffix: rename the file to end in lower-case .sql - the Flyway default sqlMigrationSuffixes - which this pipeline requires exactly so that a name means one file on every file system"
};
function basenameOf(key) {
  return key.slice(key.lastIndexOf("/") + 1);
}
function reject(basename, code) {
  return { kind: "rejected", basename, code, reason: REASONS[code] };
}
function isSafePath(key) {
  if (CONTROL_CHARACTER.test(key) || key.startsWith("/")) return false;
  return key.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}
function callbackEvent(stem) {
  const separatorAt = stem.indexOf(SEPARATOR);
  const event = separatorAt < 0 ? stem : stem.slice(0, separatorAt);
  return CALLBACK_EVENTS.includes(event) ? event : void 0;
}
function isSqlKey(key) {
  return ANY_CASE_SQL_SUFFIX.test(basenameOf(key));
}
function classifyKey(key) {
  const basename = basenameOf(key);
  if (!isSqlKey(key)) {
    return { kind: "ignored", reason: `not a ${SQL_SUFFIX} file` };
  }
  if (!isSafePath(key)) return reject(basename, "unsafe-key");
  if (!basename.endsWith(SQL_SUFFIX)) return reject(basename, "suffix-case");
  const stem = basename.slice(0, -SQL_SUFFIX.length);
  const prefix = stem.charAt(0);
  const rest = stem.slice(1);
  const separatorAt = rest.indexOf(SEPARATOR);
  const description = separatorAt < 0 ? "" : rest.slice(separatorAt + SEPARATOR.length);
  const event = callbackEvent(stem);
  if (event !== void 0) return { kind: "callback", basename, event };
  if (prefix === "V") {
    if (separatorAt < 0) return reject(basename, "missing-separator");
    const version = rest.slice(0, separatorAt);
    if (version === "") return reject(basename, "missing-version");
    if (!VERSION_PATTERN.test(version)) return reject(basename, "invalid-version");
    if (!MEANINGFUL_DESCRIPTION.test(description)) return reject(basename, "missing-description");
    return { kind: "versioned", basename, version, description };
  }
  if (prefix === "R") {
    if (separatorAt < 0) return reject(basename, "missing-separator");
    if (separatorAt > 0) return reject(basename, "repeatable-with-version");
    if (!MEANINGFUL_DESCRIPTION.test(description)) return reject(basename, "missing-description");
    return { kind: "repeatable", basename, description };
  }
  if (prefix === "v" || prefix === "r") return reject(basename, "lowercase-prefix");
  if (prefix === "U") return reject(basename, "undo-migration");
  return reject(basename, "unknown-prefix");
}

// common/src/version.ts
function versionParts(version) {
  const parts = version.split(/[._]/).map((part) => BigInt(part));
  while (parts.length > 1 && parts[parts.length - 1] === 0n) parts.pop();
  return parts;
}
function normalizeVersion(version) {
  return versionParts(version).join(".");
}
function compareVersions(a, b) {
  const left = versionParts(a);
  const right = versionParts(b);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const x = left[i] ?? 0n;
    const y = right[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
function maxVersion(versions) {
  let best;
  for (const version of versions) if (best === void 0 || compareVersions(version, best) > 0) best = version;
  return best;
}

// common/src/migration-order.ts
var FLYWAY_KINDS = { versioned: 0, repeatable: 1, callback: 2, rejected: 3, ignored: 4 };
var UPLOAD_KINDS = { callback: 0, versioned: 1, repeatable: 2, rejected: 3, ignored: 4 };
function ordered(items, nameOf, kinds) {
  const ranked = items.map((item) => ({ item, name: nameOf(item), classification: classifyKey(nameOf(item)) }));
  return ranked.sort((a, b) => {
    const byKind = kinds[a.classification.kind] - kinds[b.classification.kind];
    if (byKind !== 0) return byKind;
    if (a.classification.kind === "versioned" && b.classification.kind === "versioned") {
      const byVersion = compareVersions(a.classification.version, b.classification.version);
      if (byVersion !== 0) return byVersion;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  }).map(({ item }) => item);
}
function flywayOrder(files) {
  return ordered(files, (file2) => file2.name, FLYWAY_KINDS);
}
function uploadOrder(names) {
  return ordered(names, (name) => name, UPLOAD_KINDS);
}

// client/src/lint/names.ts
var EXPECTED_NAMES = "Name it V<version>__<description>.sql for a versioned migration or R__<description>.sql for a repeatable one.";
function isSqlFile(name) {
  return classifyKey(name).kind !== "ignored";
}
function nameFindings(names) {
  const findings = [];
  const classified = names.map((name) => ({ name, classification: classifyKey(name) }));
  for (const { name, classification } of classified) {
    if (classification.kind === "rejected") {
      if (classification.code === "suffix-case") {
        const message = `The module rejects this file, although Flyway itself would run it: ${classification.reason}.`;
        findings.push({ file: name, severity: "error", rule: "name", message, fix: suffixCaseFix(name) });
        continue;
      }
      findings.push({ file: name, severity: "error", rule: "name", message: `Flyway would not run this file: ${classification.reason}.`, fix: EXPECTED_NAMES });
    } else if (classification.kind === "callback") {
      findings.push({
        file: name,
        severity: "warning",
        rule: "callback",
        message: `This is a Flyway ${classification.event} callback, which only runs when the database enables callbacks.`,
        fix: "Set callbacks = true for the database if it should run, or name it V<version>__<description>.sql if it is a migration."
      });
    }
  }
  findings.push(...duplicates(classified, versionKey, "duplicate-version", (key, others) => ({
    message: `Version ${key} is also used by ${others}.`,
    fix: "Give each versioned migration its own version; Flyway refuses to migrate while two files share one."
  })));
  findings.push(...duplicates(classified, repeatableKey, "duplicate-description", (key, others) => ({
    message: `The repeatable description "${key}" is also used by ${others}.`,
    fix: "Give each repeatable migration its own description; Flyway refuses to migrate while two files share one."
  })));
  return findings;
}
function suffixCaseFix(name) {
  const renamed = `${name.slice(0, -SQL_SUFFIX.length)}${SQL_SUFFIX}`;
  const after = classifyKey(renamed);
  if (after.kind !== "rejected") return `Rename it to ${renamed}.`;
  return `Rename it to end in ${SQL_SUFFIX} and fix the name too: ${renamed} would be rejected for ${after.reason}. ${EXPECTED_NAMES}`;
}
function duplicates(files, keyOf, rule, text) {
  const groups = /* @__PURE__ */ new Map();
  files.forEach(({ classification }, index) => {
    const key = keyOf(classification);
    if (key !== void 0) groups.set(key, [...groups.get(key) ?? [], index]);
  });
  const findings = [];
  for (const [key, members] of groups) {
    if (members.length < 2) continue;
    for (const member of members) {
      const others = members.filter((other) => other !== member).map((other) => files[other].name).join(", ");
      findings.push({ file: files[member].name, severity: "error", rule, ...text(key, others) });
    }
  }
  return findings;
}
function versionKey(c) {
  return c.kind === "versioned" ? normalizeVersion(c.version) : void 0;
}
function repeatableKey(c) {
  return c.kind === "repeatable" ? c.description.replace(/_/g, " ") : void 0;
}

// client/src/lint/postgresql.ts
var import_libpg_query = require("libpg-query");
async function parsePostgresql(text) {
  if (text.trim() === "") return { statements: [], syntaxErrors: [] };
  await (0, import_libpg_query.loadModule)();
  const parsed = parseWithStandIns(text, (candidate) => {
    let rawStatements;
    try {
      rawStatements = (0, import_libpg_query.parseSync)(candidate.text).stmts ?? [];
    } catch (error) {
      return syntaxFailure(candidate.text, error);
    }
    const statements = statementsOf(candidate.text, rawStatements);
    return {
      ok: true,
      value: { text: candidate.text, statements: statements.map(({ line, effects }) => ({ line, effects: effects.map((effect) => renameIn(effect, candidate.restore)) })) }
    };
  });
  if (parsed.ok) return { statements: parsed.value.statements, syntaxErrors: [], parsedText: parsed.value.text };
  return { statements: [], syntaxErrors: [parsed.line === void 0 ? { message: parsed.message } : { line: parsed.line, message: parsed.message }] };
}
function syntaxFailure(text, error) {
  const details = typeof error === "object" && error !== null ? error.sqlDetails : void 0;
  if (details === void 0) throw error;
  const message = typeof details.message === "string" ? details.message : String(error);
  if (typeof details.cursorPosition !== "number") return { ok: false, message };
  const offset = Array.from(text).slice(0, details.cursorPosition).join("").length;
  return { ok: false, offset, line: lineLocator(text)(offset), message };
}
function statementsOf(text, rawStatements) {
  const charOffset = byteToCharOffset(text);
  const lineOf = lineLocator(text);
  return rawStatements.map((raw) => ({
    // Protobuf JSON leaves out a zero location, and locations are UTF-8 byte offsets.
    line: lineOf(firstCodeCharacter(text, charOffset(raw.stmt_location ?? 0))),
    effects: raw.stmt === void 0 ? [] : effectsOf2(raw.stmt)
  }));
}
function effectsOf2(node) {
  if ("CreateStmt" in node) return [{ kind: "create-table", table: relationName(node.CreateStmt.relation) }];
  if ("CreateTableAsStmt" in node && node.CreateTableAsStmt.objtype === "OBJECT_TABLE") {
    return [{ kind: "create-table", table: relationName(node.CreateTableAsStmt.into?.rel) }];
  }
  if ("IndexStmt" in node) {
    return [{ kind: "create-index", table: relationName(node.IndexStmt.relation), concurrently: node.IndexStmt.concurrent === true }];
  }
  if ("DropStmt" in node) {
    const { removeType, objects = [], concurrent } = node.DropStmt;
    const name = objects.map(objectName).join(", ");
    if (removeType === "OBJECT_TABLE") return [{ kind: "drop", object: "table", name }];
    if (removeType === "OBJECT_SCHEMA") return [{ kind: "drop", object: "schema", name }];
    if (removeType === "OBJECT_INDEX" && concurrent === true) return [{ kind: "concurrent", operation: "DROP INDEX CONCURRENTLY" }];
    return [];
  }
  if ("DropdbStmt" in node) return [{ kind: "drop", object: "database", name: node.DropdbStmt.dbname ?? "" }, { kind: "non-transactional", operation: "DROP DATABASE" }];
  if ("TruncateStmt" in node) {
    const tables = (node.TruncateStmt.relations ?? []).map((relation) => "RangeVar" in relation ? relationName(relation.RangeVar) : "");
    return [{ kind: "truncate", table: tables.join(", ") }];
  }
  if ("AlterTableStmt" in node && node.AlterTableStmt.objtype === "OBJECT_TABLE") {
    const table2 = relationName(node.AlterTableStmt.relation);
    return (node.AlterTableStmt.cmds ?? []).flatMap((command) => "AlterTableCmd" in command ? alterTableEffects(table2, command.AlterTableCmd) : []);
  }
  if ("ReindexStmt" in node) {
    const concurrently = (node.ReindexStmt.params ?? []).some((param) => "DefElem" in param && param.DefElem.defname === "concurrently");
    return concurrently ? [{ kind: "concurrent", operation: "REINDEX CONCURRENTLY" }] : [];
  }
  if ("VacuumStmt" in node) return vacuumEffects(node.VacuumStmt);
  if ("ClusterStmt" in node) return [{ kind: "rewrite", table: relationName(node.ClusterStmt.relation), operation: "cluster" }];
  if ("UpdateStmt" in node) return [{ kind: "dml", operation: "UPDATE", table: relationName(node.UpdateStmt.relation) }];
  if ("DeleteStmt" in node) return [{ kind: "dml", operation: "DELETE", table: relationName(node.DeleteStmt.relation) }];
  if ("LockStmt" in node) {
    return (node.LockStmt.relations ?? []).map((relation) => ({ kind: "lock-table", table: "RangeVar" in relation ? relationName(relation.RangeVar) : "" }));
  }
  if ("CreatedbStmt" in node) return [{ kind: "non-transactional", operation: "CREATE DATABASE" }];
  if ("CreateTableSpaceStmt" in node) return [{ kind: "non-transactional", operation: "CREATE TABLESPACE" }];
  if ("DropTableSpaceStmt" in node) return [{ kind: "non-transactional", operation: "DROP TABLESPACE" }];
  if ("AlterSystemStmt" in node) return [{ kind: "non-transactional", operation: "ALTER SYSTEM" }];
  if ("TransactionStmt" in node) {
    const kind = node.TransactionStmt.kind;
    return kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START" ? [{ kind: "transaction-control" }] : [];
  }
  return [];
}
var AUTO_INCREMENT_TYPES = /* @__PURE__ */ new Set(["serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"]);
function alterTableEffects(table2, command) {
  const column = command.name ?? "";
  if (command.subtype === "AT_DropColumn") return [{ kind: "drop", object: "column", name: `${table2}.${column}` }];
  if (command.subtype === "AT_AlterColumnType") return [{ kind: "column-type", table: table2, column }];
  if (command.subtype === "AT_AddColumn" && command.def !== void 0 && "ColumnDef" in command.def) {
    const definition = command.def.ColumnDef;
    const typeName = (definition.typeName?.names ?? []).map(objectName).pop() ?? "";
    const constraints = (definition.constraints ?? []).flatMap((constraint) => "Constraint" in constraint ? [constraint.Constraint.contype] : []);
    return [{
      kind: "add-column",
      table: table2,
      column: definition.colname ?? "",
      autoIncrement: AUTO_INCREMENT_TYPES.has(typeName.toLowerCase()) || constraints.includes("CONSTR_IDENTITY"),
      notNull: definition.is_not_null === true || constraints.includes("CONSTR_NOTNULL"),
      hasDefault: constraints.includes("CONSTR_DEFAULT")
    }];
  }
  return [];
}
function vacuumEffects(vacuum) {
  const operation = vacuum.is_vacuumcmd === false ? "ANALYZE" : "VACUUM";
  const effects = operation === "VACUUM" ? [{ kind: "non-transactional", operation }] : [];
  const full = (vacuum.options ?? []).some((option) => "DefElem" in option && option.DefElem.defname === "full");
  if (full) {
    const tables = (vacuum.rels ?? []).map((rel) => "VacuumRelation" in rel ? relationName(rel.VacuumRelation.relation) : "");
    effects.push({ kind: "rewrite", table: tables.join(", ") || "(every table)", operation: "vacuum-full" });
  }
  return effects;
}
function relationName(relation) {
  return [relation?.schemaname, relation?.relname].filter((part) => part !== void 0).join(".");
}
function objectName(node) {
  if ("String" in node) return node.String.sval ?? "";
  if ("List" in node) return (node.List.items ?? []).map(objectName).join(".");
  return "";
}
function firstCodeCharacter(text, offset) {
  let i = offset;
  while (i < text.length) {
    if (/\s/.test(text[i])) i += 1;
    else if (text.startsWith("--", i)) i = endOfLine2(text, i);
    else if (text.startsWith("/*", i)) i = endOfBlockComment(text, i);
    else break;
  }
  return i;
}
function endOfLine2(text, from) {
  const newline = text.indexOf("\n", from);
  return newline < 0 ? text.length : newline + 1;
}
function endOfBlockComment(text, from) {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    if (text.startsWith("/*", i)) [depth, i] = [depth + 1, i + 2];
    else if (text.startsWith("*/", i)) [depth, i] = [depth - 1, i + 2];
    else i += 1;
    if (depth === 0) return i;
  }
  return text.length;
}

// client/src/lint/risks.ts
var LATER_DROP = "Keep it until no code uses it, take a backup, then drop it in a later release.";
var NEW_COLUMN = "Add a new column, backfill it in batches, switch the code to it, then drop the old column.";
var BATCHES = "Backfill in batches from the application or a job (a few thousand rows per transaction), not in a schema migration.";
function riskFindings(filesInOrder, engine) {
  const findings = [];
  const withFulltext = /* @__PURE__ */ new Set();
  for (const { name, parsed } of filesInOrder) {
    const warn = (line, risk) => findings.push({ file: name, line, severity: "warning", ...risk });
    const createdHere = [];
    for (const statement of parsed.statements) {
      for (const effect of statement.effects) {
        const isNew = "table" in effect && createdHere.some((table2) => sameTable(table2, effect.table));
        const risk = isNew ? void 0 : riskOf(effect, engine, withFulltext);
        if (risk !== void 0) warn(statement.line, risk);
        if (effect.kind === "create-table") createdHere.push(effect.table);
        if (effect.kind === "fulltext-index") withFulltext.add(effect.table.toLowerCase());
      }
    }
    const fileRisks = engine === "postgresql" ? transactionRisks(parsed.statements) : oneDdlPerMigration(parsed.statements);
    for (const risk of fileRisks) warn(risk.line, risk);
  }
  return findings;
}
function riskOf(effect, engine, withFulltext) {
  switch (effect.kind) {
    case "drop":
      return {
        rule: "drop",
        message: {
          table: `DROP TABLE ${effect.name} deletes the table and all its rows.`,
          column: `DROP COLUMN ${effect.name} deletes the column's data and breaks code that still reads it.`,
          schema: `DROP SCHEMA ${effect.name} deletes the schema and everything in it.`,
          database: `DROP DATABASE ${effect.name} deletes the whole database.`
        }[effect.object],
        fix: effect.object === "column" ? "Keep the old column until no code reads it, then drop it in a later release." : LATER_DROP
      };
    case "truncate":
      return { rule: "truncate", message: `TRUNCATE ${effect.table} deletes every row at once, under an exclusive lock.`, fix: "Take a backup first, or delete only the rows meant with DELETE ... WHERE, in batches." };
    case "column-type":
      return {
        rule: "column-type",
        message: engine === "postgresql" ? `Changing the type of ${effect.table}.${effect.column} rewrites the table under an exclusive lock.` : `Redefining ${effect.table}.${effect.column} with MODIFY or CHANGE COLUMN can copy the whole table while blocking writes.`,
        fix: NEW_COLUMN
      };
    case "create-index":
      if (engine !== "postgresql" || effect.concurrently) return void 0;
      return {
        rule: "index-without-concurrently",
        message: `CREATE INDEX on the existing table ${effect.table} blocks writes to it while the index builds.`,
        fix: "Use CREATE INDEX CONCURRENTLY, in a migration of its own."
      };
    case "rewrite":
      return rewriteRisk(effect);
    case "add-column":
      return addColumnRisk(effect, engine);
    case "dml":
      return {
        rule: "backfill",
        message: `${effect.operation} of the existing table ${effect.table} runs as one transaction that locks every row it touches until the migration ends.`,
        fix: BATCHES
      };
    case "lock-table":
      return {
        rule: "lock-table",
        message: `LOCK TABLE ${effect.table} blocks its readers and writers until the migration ends.`,
        fix: "Remove the explicit lock: each statement takes the lock it needs, for as short as it can."
      };
    case "alter-clause":
      return effect.clause === "ALGORITHM=COPY" ? { rule: "algorithm-copy", message: `ALGORITHM=COPY copies ${effect.table} row by row and blocks writes until the copy ends.`, fix: "Leave ALGORITHM out (or ask for INPLACE or INSTANT, which MySQL refuses rather than copy); for a change that must copy, use an online schema change tool (gh-ost, pt-online-schema-change)." } : { rule: "blocking-lock-clause", message: `${effect.clause} blocks ${effect.clause === "LOCK=SHARED" ? "writes to" : "reads and writes of"} ${effect.table} until the ALTER ends.`, fix: "Leave LOCK out or use LOCK=NONE, which MySQL refuses rather than block." };
    case "add-primary-key":
      return { rule: "add-primary-key", message: `Adding a primary key to ${effect.table} rebuilds the table (InnoDB clusters rows by it).`, fix: "Create the table with its primary key; on a large live table use an online schema change tool." };
    case "fulltext-index":
      if (withFulltext.has(effect.table.toLowerCase())) return void 0;
      return { rule: "fulltext-index", message: `The first FULLTEXT index of ${effect.table} rebuilds the table and blocks writes while it builds.`, fix: "Add it while the table is small, in a migration of its own, at a quiet hour." };
    case "rename":
      if (engine !== "mysql") return void 0;
      return {
        rule: "rename",
        message: `Renaming the ${effect.object} ${effect.name} breaks the code that still uses the old name.`,
        fix: effect.object === "column" ? "Add the new column, write both, switch the code, then drop the old one." : "Create the new table (or a view with the new name), switch the code, then drop the old one."
      };
    default:
      return void 0;
  }
}
function rewriteRisk(effect) {
  switch (effect.operation) {
    case "vacuum-full":
      return { rule: "vacuum-full", message: `VACUUM FULL ${effect.table} rewrites the table under ACCESS EXCLUSIVE: no reads or writes until it ends.`, fix: "Use plain VACUUM (no lock on reads and writes), or pg_repack to reclaim space online." };
    case "cluster":
      return { rule: "cluster", message: `CLUSTER ${effect.table} rewrites the table under ACCESS EXCLUSIVE: no reads or writes until it ends.`, fix: "Use pg_repack --order-by to reorder online, or leave the order to new rows." };
    default: {
      const what = { engine: "ENGINE=", force: "FORCE", convert: "CONVERT TO CHARACTER SET", optimize: "OPTIMIZE TABLE" }[effect.operation];
      return { rule: "table-rebuild", message: `${what} rebuilds ${effect.table}${effect.operation === "convert" ? ", copying every row and blocking writes" : ""}.`, fix: "Do it at a quiet hour with an online schema change tool (gh-ost, pt-online-schema-change), not from a migration." };
    }
  }
}
function addColumnRisk(effect, engine) {
  if (effect.autoIncrement && engine === "postgresql") {
    return {
      rule: "add-auto-increment-column",
      message: `Adding the serial or identity column ${effect.table}.${effect.column} fills every existing row, rewriting the table under ACCESS EXCLUSIVE.`,
      fix: "Add a plain nullable bigint column, fill it in batches from a sequence, then attach the default."
    };
  }
  if (engine === "mysql" && effect.notNull && !effect.hasDefault && !effect.autoIncrement) {
    return {
      rule: "not-null-without-default",
      message: `The NOT NULL column ${effect.table}.${effect.column} has no default: inserts of the code that runs now fail, and strict mode refuses existing rows.`,
      fix: "Give it a DEFAULT, or add it nullable, backfill it, then make it NOT NULL."
    };
  }
  return void 0;
}
function transactionRisks(statements) {
  const outside = statements.filter((statement) => statement.effects.some(isNonTransactional));
  const others = statements.length - outside.length;
  if (outside.length === 0 || others === 0) return [];
  const opensTransaction = statements.some((statement) => statement.effects.some((effect) => effect.kind === "transaction-control"));
  return outside.map((statement) => {
    const operation = operationOf(statement);
    return opensTransaction && statement.effects.some(isConcurrent) ? { line: statement.line, rule: "concurrently-in-transaction", message: `PostgreSQL refuses ${operation} inside a transaction block, and the file opens a transaction with BEGIN or START TRANSACTION.`, fix: "Put the CONCURRENTLY statement alone in a migration of its own, without BEGIN or COMMIT." } : {
      line: statement.line,
      rule: "non-transactional-mix",
      message: `${operation} cannot run in a transaction, and the file has ${others} other statement${others === 1 ? "" : "s"}: Flyway refuses a migration that mixes both (or, with mixed = true, leaves it half-applied when a later statement fails).`,
      fix: `Put ${operation} alone in a migration of its own.`
    };
  });
}
function operationOf(statement) {
  for (const effect of statement.effects) {
    if (effect.kind === "concurrent" || effect.kind === "non-transactional") return effect.operation;
    if (effect.kind === "create-index" && effect.concurrently) return "CREATE INDEX CONCURRENTLY";
  }
  return "CONCURRENTLY";
}
function oneDdlPerMigration(statements) {
  const ddl = statements.filter((statement) => statement.effects.some((effect) => effect.kind === "ddl"));
  if (ddl.length < 2) return [];
  return [{
    line: ddl[1].line,
    rule: "one-ddl-per-migration",
    message: `The file holds ${ddl.length} DDL statements, and MySQL commits each at once: if a later one fails, the earlier ones stay applied and Flyway records the migration as failed.`,
    fix: "Give each DDL statement a migration of its own, so a failure leaves nothing half-applied."
  }];
}

// client/src/lint/rules.ts
var BOTH = ["postgresql", "mysql"];
var PG = ["postgresql"];
var MY = ["mysql"];
var file = (id, severity, summary2) => ({ id, engines: BOTH, kind: "file", severity, by: "aurora-flyway", summary: summary2 });
var ours = (id, engines, summary2, coveredBy) => ({
  id,
  engines,
  kind: "hazard",
  severity: "warning",
  by: "aurora-flyway",
  summary: summary2,
  ...coveredBy === void 0 ? {} : { coveredBy }
});
var squawk = (id, summary2, fix) => ({ id, engines: PG, kind: "hazard", severity: "warning", by: "squawk", summary: summary2, fix });
var squawkStyle = (id, summary2) => ({ id, engines: PG, kind: "style", severity: "warning", by: "squawk", summary: summary2 });
var squawkOff = (id, summary2) => ({ id, engines: PG, kind: "off", severity: "warning", by: "squawk", summary: summary2 });
var RULES = [
  file("name", "error", "a file name Flyway (or the module) would not run"),
  file("callback", "warning", "a Flyway SQL callback, which runs only when the database enables callbacks"),
  file("duplicate-version", "error", "two files claim one version (V1, V01, V1.0)"),
  file("duplicate-description", "error", "two repeatable migrations share one description"),
  file("empty", "error", "a file without any statement"),
  file("encoding", "error", "a file that is not UTF-8"),
  file("bom", "warning", "a UTF-8 byte-order mark"),
  file("line-endings", "warning", "mixed CRLF and LF line endings"),
  file("syntax", "error", "a statement the engine's parser rejects"),
  { id: "squawk-unavailable", engines: PG, kind: "file", severity: "warning", by: "aurora-flyway", summary: "squawk could not run, so its PostgreSQL lock rules were not checked" },
  // PostgreSQL, squawk's safety rules (squawk-cli 2.66).
  squawk("adding-field-with-default", "a column with a volatile default, or a generated or identity column, rewrites the table", "Add the column without the default (or as a plain column), then fill it in batches and set the default afterwards."),
  squawk("adding-foreign-key-constraint", "a foreign key checks every row while both tables are locked against writes", "Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration."),
  squawk("adding-not-nullable-field", "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE", "Add a CHECK (column IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL."),
  squawk("adding-required-field", "a NOT NULL column without a default fails on a table with rows and breaks inserts of running code", "Give the column a default, or add it nullable and backfill it first."),
  squawk("adding-serial-primary-key-field", "adding a primary key builds its index under ACCESS EXCLUSIVE", "Build a unique index CONCURRENTLY first, then ADD PRIMARY KEY USING INDEX."),
  squawk("ban-alter-domain-with-add-constraint", "a domain constraint checks every column of the domain under lock", "Use a table CHECK constraint (NOT VALID, then VALIDATE) instead."),
  squawk("ban-concurrent-index-creation-in-transaction", "CONCURRENTLY inside a transaction block fails", "Put the CONCURRENTLY statement alone in a migration of its own, without BEGIN or COMMIT."),
  squawk("ban-create-domain-with-constraint", "domain constraints cannot be added or changed online later", "Use table CHECK constraints instead."),
  squawk("ban-drop-column", "DROP COLUMN deletes data and breaks code that still reads it", "Keep the old column until no code reads it, then drop it in a later release."),
  squawk("ban-drop-database", "DROP DATABASE deletes the whole database", "Drop databases by hand, never from a migration."),
  squawk("ban-drop-not-null", "code that reads the column may not expect NULL", "Make sure every reader handles NULL before dropping the constraint."),
  squawk("ban-drop-table", "DROP TABLE deletes the table and its rows", "Keep it until no code uses it, take a backup, then drop it in a later release."),
  squawk("ban-truncate-cascade", "TRUNCATE ... CASCADE empties every table that references it too", "Truncate the tables you mean by name, without CASCADE."),
  squawk("ban-uncommitted-transaction", "a BEGIN without COMMIT leaves the migration open", "Remove BEGIN: Flyway runs each migration in a transaction of its own."),
  squawk("changing-column-type", "a type change rewrites the table and its indexes under ACCESS EXCLUSIVE", "Add a new column, backfill it in batches, switch the code to it, then drop the old column."),
  squawk("constraint-missing-not-valid", "a new constraint checks every row while writes wait", "Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration."),
  squawk("disallowed-unique-constraint", "a UNIQUE constraint builds its index under ACCESS EXCLUSIVE", "Build a unique index CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX."),
  squawk("identifier-too-long", "PostgreSQL silently truncates names longer than 63 bytes", "Shorten the name to 63 bytes."),
  squawk("renaming-column", "renaming a column breaks code that uses the old name", "Add the new column, write both, switch the code, then drop the old one."),
  squawk("renaming-table", "renaming a table breaks code that uses the old name", "Create a view with the old name while the code moves, or rename in a release that switches the code."),
  squawk("require-concurrent-index-creation", "CREATE INDEX without CONCURRENTLY blocks writes while it builds", "Use CREATE INDEX CONCURRENTLY, alone in a migration of its own."),
  squawk("require-concurrent-index-deletion", "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table", "Use DROP INDEX CONCURRENTLY, alone in a migration of its own."),
  squawk("require-concurrent-partition-detach", "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent", "Use DETACH PARTITION ... CONCURRENTLY, alone in a migration of its own."),
  squawk("require-concurrent-reindex", "REINDEX without CONCURRENTLY blocks writes (and reads through the index)", "Use REINDEX ... CONCURRENTLY, alone in a migration of its own."),
  squawk("transaction-nesting", "BEGIN or COMMIT inside a migration Flyway already runs in a transaction", "Remove BEGIN and COMMIT: Flyway runs each migration in a transaction of its own."),
  squawk("ban-duplicate-column-assignments", "an UPDATE that assigns one column twice", "Assign each column once."),
  squawkStyle("prefer-bigint-over-int", "int ids run out; bigint does not"),
  squawkStyle("prefer-bigint-over-smallint", "smallint ids run out; bigint does not"),
  squawkStyle("prefer-identity", "identity columns instead of serial"),
  squawkStyle("prefer-text-field", "text with a CHECK instead of varchar(n)"),
  squawkStyle("prefer-timestamp-tz", "timestamptz instead of timestamp"),
  squawkStyle("ban-char-field", "text instead of char(n)"),
  squawkStyle("prefer-robust-stmts", "IF [NOT] EXISTS so a half-run migration can be re-run"),
  squawkStyle("require-enum-value-ordering", "ALTER TYPE ... ADD VALUE with BEFORE or AFTER"),
  squawkOff("require-timeout-settings", "the runner sets lock_timeout and statement_timeout on every migration session"),
  squawkOff("require-lock-timeout", "the runner sets lock_timeout on every migration session"),
  squawkOff("require-statement-timeout", "the runner sets statement_timeout on every migration session"),
  // PostgreSQL, what squawk lacks, and what is about Flyway (ours).
  ours("drop", BOTH, "DROP TABLE, COLUMN, SCHEMA or DATABASE deletes data", ["ban-drop-table", "ban-drop-column", "ban-drop-database"]),
  ours("truncate", BOTH, "TRUNCATE deletes every row under an exclusive lock"),
  ours("column-type", BOTH, "changing a column type rewrites or copies the table", ["changing-column-type"]),
  ours("index-without-concurrently", PG, "CREATE INDEX on an existing table blocks writes while it builds", ["require-concurrent-index-creation"]),
  ours("vacuum-full", PG, "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE"),
  ours("cluster", PG, "CLUSTER rewrites the table under ACCESS EXCLUSIVE"),
  ours("add-auto-increment-column", PG, "a serial or identity column fills every row, rewriting the table", ["adding-field-with-default"]),
  ours("backfill", BOTH, "UPDATE or DELETE of existing rows in a schema migration holds row locks for the whole migration"),
  ours("lock-table", BOTH, "an explicit LOCK TABLE blocks readers and writers until the migration ends"),
  ours("concurrently-in-transaction", PG, "CONCURRENTLY in a file that opens a transaction fails", ["ban-concurrent-index-creation-in-transaction"]),
  ours("non-transactional-mix", PG, "a statement that cannot run in a transaction shares its file with others: Flyway refuses the migration"),
  // MySQL and Aurora MySQL (ours).
  ours("algorithm-copy", MY, "ALGORITHM=COPY copies the table and blocks writes"),
  ours("blocking-lock-clause", MY, "LOCK=SHARED or LOCK=EXCLUSIVE blocks writes (or reads) for the whole ALTER"),
  ours("table-rebuild", MY, "ENGINE=, FORCE, CONVERT TO CHARACTER SET or OPTIMIZE TABLE rebuilds the table"),
  ours("add-primary-key", MY, "adding a primary key rebuilds the table (its clustered index)"),
  ours("fulltext-index", MY, "the first FULLTEXT index of a table rebuilds it and blocks writes"),
  ours("rename", MY, "renaming a table or column breaks code that uses the old name"),
  ours("not-null-without-default", MY, "a NOT NULL column without a default breaks inserts of running code"),
  ours("one-ddl-per-migration", MY, "MySQL commits each DDL statement: a failure half-applies the file and needs a repair")
];
var BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));
function ruleById(id) {
  return BY_ID.get(id);
}
function squawkExclusions(style) {
  return RULES.filter((rule) => rule.by === "squawk" && (rule.kind === "off" || rule.kind === "style" && !style)).map((rule) => rule.id);
}
function rulesTable() {
  return RULES.map((rule) => [
    rule.id,
    rule.engines.join(", "),
    rule.kind === "style" ? "style (--style)" : rule.kind === "off" ? "off (moot here)" : rule.kind,
    rule.severity,
    rule.by,
    rule.summary
  ]);
}

// client/src/lint/silence.ts
var IGNORE = /^\s*(?:--|#)\s*aurora-flyway-ignore:\s*([A-Za-z0-9_, -]+?)\s*$/;
function applySilences(findings, texts) {
  const ignores = /* @__PURE__ */ new Map();
  const notes = [];
  for (const [file2, text] of texts) {
    const lines2 = /* @__PURE__ */ new Map();
    text.split("\n").forEach((line, index) => {
      const match = IGNORE.exec(line.replace(/\r$/, ""));
      if (match === null) return;
      const rules = match[1].split(/[\s,]+/).filter((rule) => rule !== "");
      for (const rule of rules) {
        const known = ruleById(rule);
        if (known === void 0) notes.push(`${file2}:${index + 1}: aurora-flyway-ignore names ${rule}, which is no rule (see aurora-flyway lint --rules)`);
        else if (known.kind === "file") notes.push(`${file2}:${index + 1}: ${rule} cannot be silenced (the file would fail or be refused)`);
      }
      lines2.set(index + 2, new Set(rules));
    });
    ignores.set(file2, lines2);
  }
  const kept = [];
  const silenced = [];
  for (const finding of findings) {
    const kind = ruleById(finding.rule)?.kind;
    const named = finding.line === void 0 ? void 0 : ignores.get(finding.file)?.get(finding.line);
    if (named?.has(finding.rule) === true && (kind === "hazard" || kind === "style")) silenced.push(finding);
    else kept.push(finding);
  }
  return { kept, silenced, notes };
}

// client/src/lint/squawk.ts
var import_node_child_process = require("node:child_process");
var import_node_fs = require("node:fs");
var import_node_os = require("node:os");
var import_node_path = require("node:path");
var SquawkUnavailable = class extends Error {
};
function squawkBinary(env = process.env) {
  if (env.AURORA_FLYWAY_SQUAWK) return env.AURORA_FLYWAY_SQUAWK;
  const platformPackage = `@squawk-cli/${process.platform}-${process.arch}`;
  try {
    return require.resolve(`${platformPackage}/bin/${process.platform === "win32" ? "squawk.exe" : "squawk"}`);
  } catch {
    throw new SquawkUnavailable(`${platformPackage} is not installed (squawk-cli ships no binary for this platform, or optional dependencies were skipped)`);
  }
}
var runSquawk = async (files, { postgresVersion, exclude }) => {
  if (files.length === 0) return [];
  const binary = squawkBinary();
  const dir = (0, import_node_fs.mkdtempSync)((0, import_node_path.join)((0, import_node_os.tmpdir)(), "aurora-flyway-squawk-"));
  try {
    const paths = files.map((file2, index) => {
      const path = (0, import_node_path.join)(dir, `${index}.sql`);
      (0, import_node_fs.writeFileSync)(path, file2.text);
      return path;
    });
    const args = ["--reporter", "json", `--pg-version=${postgresVersion}`, ...exclude.length > 0 ? [`--exclude=${exclude.join(",")}`] : [], ...paths];
    const stdout = await new Promise((resolve, reject2) => {
      (0, import_node_child_process.execFile)(binary, args, { maxBuffer: 64 * 1024 * 1024, timeout: 12e4 }, (error, out, err) => {
        if (out.trim().startsWith("[")) resolve(out);
        else reject2(new SquawkUnavailable(`squawk failed: ${(err || error?.message || "no output").trim().split("\n")[0]}`));
      });
    });
    const byPath = new Map(paths.map((path, index) => [path, files[index]]));
    return JSON.parse(stdout).flatMap((violation) => {
      const file2 = byPath.get(violation.file ?? "");
      if (file2 === void 0 || violation.rule_name === void 0) return [];
      return [{
        file: file2.name,
        // squawk's JSON lines are 0-based.
        line: (violation.line ?? 0) + 1,
        rule: violation.rule_name,
        message: violation.message ?? "",
        ...violation.help ? { help: violation.help } : {}
      }];
    });
  } catch (error) {
    if (error instanceof SquawkUnavailable) throw error;
    throw new SquawkUnavailable(`squawk could not run: ${error.message}`);
  } finally {
    (0, import_node_fs.rmSync)(dir, { recursive: true, force: true });
  }
};

// client/src/lint/squawk-findings.ts
function squawkFindings(violations, files) {
  const byName = new Map(files.map((file2) => [file2.name, file2]));
  return violations.flatMap((violation) => {
    const rule = ruleById(violation.rule);
    if (violation.rule === "syntax-error" || rule?.kind === "off") return [];
    const file2 = byName.get(violation.file);
    const line = file2 === void 0 ? violation.line : statementLineOf(file2, violation.line);
    if (violation.rule === "require-concurrent-index-creation" && file2 !== void 0 && indexesTableCreatedEarlier(file2, line)) return [];
    return [{
      file: violation.file,
      line,
      severity: rule?.severity ?? "warning",
      rule: violation.rule,
      message: sentence(violation.message),
      fix: sentence(rule?.fix ?? violation.help ?? "See squawk's documentation of this rule.")
    }];
  });
}
function withoutCovered(ours2, squawk2) {
  const reported = new Set(squawk2.map((finding) => `${finding.file}\0${finding.line}\0${finding.rule}`));
  return ours2.filter((finding) => !(ruleById(finding.rule)?.coveredBy ?? []).some((id) => reported.has(`${finding.file}\0${finding.line}\0${id}`)));
}
function statementLineOf(file2, line) {
  let start = line;
  for (const statement of file2.parsed.statements) {
    if (statement.line <= line) start = statement.line;
    else break;
  }
  return start;
}
function indexesTableCreatedEarlier(file2, line) {
  const created = [];
  for (const statement of file2.parsed.statements) {
    for (const effect of statement.effects) {
      if (statement.line === line && effect.kind === "create-index" && created.some((table2) => sameTable(table2, effect.table))) return true;
      if (effect.kind === "create-table") created.push(effect.table);
    }
  }
  return false;
}
function sentence(text) {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

// client/src/lint/index.ts
var DEFAULT_POSTGRES_VERSION = "16";
async function lintFiles(files, options) {
  const sqlFiles = files.filter((file2) => isSqlFile(file2.name));
  const findings = nameFindings(sqlFiles.map((file2) => file2.name));
  const parsedFiles = [];
  const texts = /* @__PURE__ */ new Map();
  for (const file2 of flywayOrder(sqlFiles)) {
    const decoded = decodeFile(file2);
    findings.push(...decoded.findings);
    if (decoded.text === void 0) continue;
    texts.set(file2.name, decoded.text);
    const parsed = await parseSql(decoded.text, options.engine);
    findings.push(...parsed.syntaxErrors.map((problem) => syntaxFinding(file2.name, problem, options.engine)));
    if (parsed.syntaxErrors.length === 0 && parsed.statements.length === 0) findings.push(emptyFileFinding(file2.name));
    parsedFiles.push({ name: file2.name, parsed });
  }
  const toCheck = parsedFiles.filter((file2) => !(options.applied ?? []).includes(file2.name));
  let hazards = riskFindings(toCheck, options.engine);
  if (options.engine === "postgresql") {
    const fromSquawk = await squawkHazards(toCheck, options);
    hazards = [...fromSquawk, ...withoutCovered(hazards, fromSquawk)];
  }
  const { kept, silenced, notes } = applySilences([...findings, ...hazards], texts);
  const graded = options.strict === true ? kept.map((finding) => ({ ...finding, severity: "error" })) : kept;
  const result = { findings: sortByFileThenLine(graded), silenced: sortByFileThenLine(silenced), notes };
  return options.applied === void 0 ? result : asApplied(result, options.applied);
}
function asApplied(result, applied) {
  const done = new Set(applied);
  const isHazard = (finding) => ["hazard", "style"].includes(ruleById(finding.rule)?.kind ?? "");
  const kept = (findings) => findings.filter((finding) => !(done.has(finding.file) && isHazard(finding)));
  const listed = [...done].sort();
  return {
    findings: kept(result.findings),
    silenced: kept(result.silenced),
    notes: [...result.notes, ...listed.length > 0 ? [`${listed.length} file(s) already in the bucket count as applied and are not checked for hazards: ${listed.join(", ")}`] : []]
  };
}
async function squawkHazards(files, options) {
  const inputs = files.flatMap((file2) => file2.parsed.parsedText === void 0 ? [] : [{ name: file2.name, text: file2.parsed.parsedText }]);
  try {
    const violations = await (options.squawk ?? runSquawk)(inputs, { postgresVersion: options.postgresVersion ?? DEFAULT_POSTGRES_VERSION, exclude: squawkExclusions(options.style === true) });
    return squawkFindings(violations, files);
  } catch (error) {
    return [{
      file: "",
      severity: "warning",
      rule: "squawk-unavailable",
      message: `squawk could not run (${error.message}), so only this tool's own PostgreSQL rules were checked.`,
      fix: "Install squawk-cli with its optional platform package (npm install --include=optional), or point AURORA_FLYWAY_SQUAWK at a squawk binary."
    }];
  }
}
function parseSql(text, engine) {
  return engine === "postgresql" ? parsePostgresql(text) : Promise.resolve(parseMysql(text));
}
function syntaxFinding(file2, problem, engine) {
  const [verdict, database] = engine === "postgresql" ? ["The PostgreSQL parser reports", "PostgreSQL"] : ["Neither node-sql-parser's MariaDB nor its MySQL grammar accepts the statement", "MySQL or MariaDB"];
  return {
    file: file2,
    ...problem.line === void 0 ? {} : { line: problem.line },
    severity: "error",
    rule: "syntax",
    message: `${verdict}: ${problem.message.replace(/\.$/, "")}.`,
    fix: `Correct the statement so that ${database} accepts it; Flyway would stop the migration there.`
  };
}
function sortByFileThenLine(findings) {
  return [...findings].sort((a, b) => {
    if (a.file !== b.file) return a.file < b.file ? -1 : 1;
    return (a.line ?? 0) - (b.line ?? 0);
  });
}

// client/src/lint-report.ts
function formatFinding(finding) {
  const where = `${finding.file || "(files)"}${finding.line === void 0 ? "" : `:${finding.line}`}`;
  return `${where}: ${finding.severity} [${finding.rule}] ${finding.message} ${finding.fix}`;
}
async function lintAndReport(files, options, reporter) {
  reporter.progress(`linting ${files.length} file(s) as ${options.engine}`);
  return reportLint(await lintFiles(files, options), files.length, reporter);
}
function hasErrors(result) {
  return result.findings.some((finding) => finding.severity === "error");
}
function reportLint(result, fileCount, reporter) {
  for (const finding of result.findings) reporter.note(formatFinding(finding));
  for (const finding of result.silenced) reporter.note(`${finding.file}:${finding.line ?? "-"}: silenced [${finding.rule}] by its aurora-flyway-ignore comment`);
  for (const note of result.notes) reporter.note(`note: ${note}`);
  const errors = result.findings.filter((finding) => finding.severity === "error").length;
  if (errors > 0) {
    throw new ClientError(`lint found ${errors} error(s) in ${fileCount} file(s); nothing was uploaded`, EXIT.failed, "fix the files named above (--strict also counts warnings)");
  }
  return result;
}
function lintSummary(files, result) {
  const silenced = result.silenced.length > 0 ? `, ${result.silenced.length} silenced` : "";
  return `lint: ${files} file(s), ${result.findings.length} warning(s)${silenced}, no errors`;
}

// client/src/local-files.ts
var import_node_fs2 = require("node:fs");
var import_node_path2 = require("node:path");
function readMigrationFolder(dir) {
  let names;
  try {
    names = (0, import_node_fs2.readdirSync)(dir);
  } catch (error) {
    throw new ClientError(`cannot read the folder ${dir}: ${error.message}`, EXIT.usage, "pass the folder that holds the V<version>__<description>.sql files");
  }
  return names.filter((name) => isSqlKey(name) && (0, import_node_fs2.statSync)((0, import_node_path2.join)(dir, name)).isFile()).sort().map((name) => ({ name, content: (0, import_node_fs2.readFileSync)((0, import_node_path2.join)(dir, name)) }));
}

// client/src/logs.ts
var import_client_ssm3 = require("@aws-sdk/client-ssm");

// client/src/follow.ts
var import_client_cloudwatch_logs2 = require("@aws-sdk/client-cloudwatch-logs");
var import_client_s32 = require("@aws-sdk/client-s3");
var import_client_ssm2 = require("@aws-sdk/client-ssm");

// common/src/outcome.ts
var OUTCOME_KEY = ".flyway/outcome.json";
function coversVersions(record, versions) {
  const seen = new Set(record.objects.map((object) => `${object.key}\0${object.version_id ?? ""}`));
  return versions.every((version) => seen.has(`${version.key}\0${version.versionId ?? ""}`));
}
var bareEtag = (etag) => etag.replace(/"/g, "");
function coversContent(record, objects) {
  const seen = new Set(record.objects.map((object) => `${object.key}\0${bareEtag(object.etag)}`));
  return objects.every((object) => seen.has(`${object.key}\0${bareEtag(object.etag)}`));
}
function selectOutcome(since, uploaded) {
  return since.find((record) => record.action === "migrate" && coversVersions(record, uploaded));
}
function recordOfRequest(since, requestedAt) {
  return since.find((record) => record.action === "migrate" && (record.requests ?? []).includes(requestedAt));
}

// client/src/follow.ts
var COMMAND_ID_TAG = "flyway-command-id";
var REJECTED_TAG = "flyway-rejected";
var FINAL_STATUSES = ["Success", "Failed", "TimedOut", "Cancelled", "Undeliverable", "Terminated"];
var sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function readOutcome(s3, bucket) {
  return step(`reading s3://${bucket}/${OUTCOME_KEY}`, async () => {
    try {
      const object = await s3.send(new import_client_s32.GetObjectCommand({ Bucket: bucket, Key: OUTCOME_KEY }));
      return JSON.parse(await object.Body?.transformToString("utf8") ?? "");
    } catch (error) {
      if (error instanceof Error && (error.name === "NoSuchKey" || error.name === "NotFound")) return void 0;
      throw error;
    }
  });
}
async function triggerVerdict(s3, bucket, key, versionId) {
  const tags = await step(`reading the tags of s3://${bucket}/${key}`, () => s3.send(new import_client_s32.GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId })));
  const value = (name) => tags.TagSet?.find((tag) => tag.Key === name)?.Value;
  const commandId = value(COMMAND_ID_TAG);
  const rejected = value(REJECTED_TAG);
  return { ...commandId === void 0 ? {} : { commandId }, ...rejected === void 0 ? {} : { rejected } };
}
async function commandState(ssm, commandId, instanceId) {
  return step(`reading command ${commandId}`, async () => {
    try {
      const invocation = await ssm.send(new import_client_ssm2.GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      const status = invocation.Status ?? "Pending";
      return {
        status,
        final: FINAL_STATUSES.includes(status),
        stdout: invocation.StandardOutputContent ?? "",
        stderr: invocation.StandardErrorContent ?? "",
        responseCode: invocation.ResponseCode ?? -1
      };
    } catch (error) {
      if (error instanceof Error && error.name === "InvocationDoesNotExist") return void 0;
      throw error;
    }
  });
}
async function commandOutput(logs, group, commandId, stream = "stdout") {
  const streams = await step(`listing the log streams of command ${commandId}`, () => logs.send(new import_client_cloudwatch_logs2.DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: `${commandId}/` })));
  const names = (streams.logStreams ?? []).map((candidate) => candidate.logStreamName ?? "").filter((name) => name.endsWith(`/${stream}`));
  if (names.length === 0) return void 0;
  const parts = [];
  for (const name of names) {
    let token;
    for (; ; ) {
      const page = await step(`reading ${group} ${name}`, () => logs.send(new import_client_cloudwatch_logs2.GetLogEventsCommand({ logGroupName: group, logStreamName: name, startFromHead: true, nextToken: token })));
      parts.push(...(page.events ?? []).map((event) => event.message ?? ""));
      if (page.nextForwardToken === void 0 || page.nextForwardToken === token || (page.events ?? []).length === 0) break;
      token = page.nextForwardToken;
    }
  }
  return parts.join("");
}
function flywayErrorLines(output) {
  const lines2 = output.split("\n");
  const start = lines2.findIndex((line) => /^(ERROR|Caused by|SQL State|Error Code|Message|Location|Line|Statement)\b/.test(line.trim()));
  if (start < 0) return [];
  return lines2.slice(start).filter((line) => line.trim() !== "" && !line.startsWith("{")).slice(0, 30);
}

// client/src/logs.ts
async function commandsOf(aws, pipeline, database) {
  const commands = [];
  let token;
  do {
    const page = await step(
      "listing the pipeline's commands",
      () => aws.ssm.send(new import_client_ssm3.ListCommandsCommand({ InstanceId: pipeline.instanceId, Filters: [{ key: "DocumentName", value: pipeline.documentName }], NextToken: token }))
    );
    commands.push(...page.Commands ?? []);
    token = page.NextToken === "" ? void 0 : page.NextToken;
  } while (token !== void 0);
  return commands.filter((command) => command.DocumentName === pipeline.documentName && command.Parameters?.DatabaseKey?.[0] === database.key).sort((a, b) => (b.RequestedDateTime?.getTime() ?? 0) - (a.RequestedDateTime?.getTime() ?? 0));
}
async function showLogs(aws, pipeline, database, options, reporter) {
  const shown = /* @__PURE__ */ new Map();
  for (; ; ) {
    const latest = (await commandsOf(aws, pipeline, database)).slice(0, options.limit).reverse();
    for (const command of latest) {
      const id = command.CommandId ?? "";
      const output = await commandOutput(aws.logs, pipeline.commandLogGroup, id) ?? "";
      const already = shown.get(id);
      if (already === void 0) reporter.line(`=== command ${id} (${command.Parameters?.Action?.[0] ?? "?"}, requested ${command.RequestedDateTime?.toISOString() ?? "?"}) ===`);
      if (already === void 0 && output === "") reporter.line("(no output yet)");
      const fresh = output.slice(already ?? 0);
      if (fresh !== "") reporter.line(fresh.trimEnd());
      shown.set(id, output.length);
    }
    if (!options.follow) return;
    await sleep(options.pollMs ?? 2e3);
  }
}

// client/src/output.ts
function createReporter({ json, tty, stdout, stderr, now = Date.now }) {
  const started = now();
  let last = "";
  let open = false;
  const close = () => {
    if (open) stderr("\n");
    open = false;
  };
  return {
    progress(line) {
      if (tty) {
        stderr(`\r\x1B[K${line} (${Math.round((now() - started) / 1e3)} s)`);
        open = true;
      } else if (line !== last) {
        stderr(`${line}
`);
      }
      last = line;
    },
    line(text) {
      close();
      if (!json) stdout(`${text}
`);
    },
    note(text) {
      close();
      stderr(`${text}
`);
    },
    result(value) {
      close();
      if (json) stdout(`${JSON.stringify(value, null, 2)}
`);
    },
    done: close
  };
}
function table(header, rows) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const format = (row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd();
  return [format(header), ...rows.map(format)];
}

// client/src/pipeline.ts
var import_node_child_process2 = require("node:child_process");
var import_node_util = require("node:util");
var import_client_ssm4 = require("@aws-sdk/client-ssm");
function configPrefixOf(namePrefix) {
  return `/${namePrefix}/flyway`;
}
function tenantsOf(db) {
  if (db.tenants === void 0) return void 0;
  return db.tenants.map((tenant) => {
    const cluster = db.clusters?.[tenant.cluster];
    return { tenant: tenant.tenant, database: tenant.database, cluster: tenant.cluster, engine: cluster?.engine ?? "postgresql", ...cluster?.engine_version === void 0 ? {} : { engineVersion: cluster.engine_version } };
  });
}
function pipelineOf(configPrefix, pipelineJson, databaseJsons) {
  const pipeline = JSON.parse(pipelineJson);
  const databases = databaseJsons.map((json) => JSON.parse(json)).map((db) => {
    const tenants = tenantsOf(db);
    const engineVersion = tenants !== void 0 ? tenants[0]?.engineVersion : db.cluster === void 0 ? pipeline.engine_version : db.engine_version;
    return {
      key: db.key,
      bucket: db.bucket,
      engine: tenants?.[0]?.engine ?? db.engine,
      name: db.database ?? db.key,
      callbacks: db.flyway?.callbacks === true,
      cluster: tenants?.[0]?.cluster ?? db.cluster ?? "default",
      ...engineVersion === void 0 ? {} : { engineVersion },
      ...tenants === void 0 ? {} : { tenants }
    };
  }).sort((a, b) => a.key.localeCompare(b.key));
  return {
    configPrefix,
    namePrefix: pipeline.name_prefix,
    engine: pipeline.engine,
    ...pipeline.engine_version === void 0 ? {} : { engineVersion: pipeline.engine_version },
    documentName: pipeline.document_name,
    instanceId: pipeline.instance_id,
    commandLogGroup: pipeline.command_log_group,
    failureQueueUrl: pipeline.failure_queue_url,
    triggerFunctionName: pipeline.trigger_function_name,
    hostSleeps: pipeline.host_sleeps === true,
    databases
  };
}
async function readPipeline(ssm, configPrefix) {
  const pipelineJson = await step(`reading ${configPrefix}/pipeline from Parameter Store`, async () => {
    try {
      return (await ssm.send(new import_client_ssm4.GetParameterCommand({ Name: `${configPrefix}/pipeline` }))).Parameter?.Value ?? "";
    } catch (error) {
      if (error instanceof Error && error.name === "ParameterNotFound") {
        throw new ClientError(
          `no pipeline at ${configPrefix} in this account and region`,
          EXIT.setup,
          "check --name-prefix (the module's name_prefix) and the region (AWS_REGION or --region), or pass --terraform-dir"
        );
      }
      throw error;
    }
  });
  const databases = [];
  let nextToken;
  do {
    const page = await step(`listing ${configPrefix}/databases`, () => ssm.send(new import_client_ssm4.GetParametersByPathCommand({ Path: `${configPrefix}/databases`, NextToken: nextToken })));
    databases.push(...(page.Parameters ?? []).map((parameter) => parameter.Value ?? "{}"));
    nextToken = page.NextToken;
  } while (nextToken !== void 0 && nextToken !== "");
  return pipelineOf(configPrefix, pipelineJson, databases);
}
async function configPrefixFromTerraform(dir) {
  try {
    const { stdout } = await (0, import_node_util.promisify)(import_node_child_process2.execFile)("terraform", ["output", "-json"], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    const outputs = JSON.parse(stdout);
    const direct = outputs.config_prefix?.value;
    const nested = Object.values(outputs).map((output) => output.value?.config_prefix).find((value) => typeof value === "string");
    const prefix = typeof direct === "string" ? direct : nested;
    if (typeof prefix !== "string") throw new Error("it has no config_prefix output");
    return prefix;
  } catch (error) {
    throw new ClientError(`could not read the pipeline from terraform output in ${dir}: ${error.message}`, EXIT.setup, "run terraform apply there first, or pass --name-prefix");
  }
}
function databaseOf(pipeline, key) {
  const database = pipeline.databases.find((candidate) => candidate.key === key);
  if (database === void 0) {
    const known = pipeline.databases.map((candidate) => candidate.key).join(", ") || "none";
    throw new ClientError(`the pipeline ${pipeline.namePrefix} has no database ${key} (it has: ${known})`, EXIT.setup, "add it to the module's databases and terraform apply, or pick one of those");
  }
  return database;
}

// client/src/push.ts
var import_node_crypto = require("node:crypto");
var import_client_s34 = require("@aws-sdk/client-s3");

// client/src/outcome-history.ts
var import_client_s33 = require("@aws-sdk/client-s3");
var OutcomeHistory = class {
  constructor(s3, bucket) {
    this.s3 = s3;
    this.bucket = bucket;
  }
  s3;
  bucket;
  records = /* @__PURE__ */ new Map();
  /** The record's version ids, newest first, up to (not including) `stopAt`. */
  async versionIds(stopAt, limit = Number.POSITIVE_INFINITY) {
    const ids = [];
    let keyMarker;
    let versionIdMarker;
    do {
      const page = await step(
        `listing the outcome records of s3://${this.bucket}`,
        () => this.s3.send(new import_client_s33.ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: OUTCOME_KEY, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }))
      );
      for (const version of page.Versions ?? []) {
        if (version.Key !== OUTCOME_KEY || version.VersionId === void 0) continue;
        if (version.VersionId === stopAt) return ids;
        ids.push(version.VersionId);
        if (ids.length >= limit) return ids;
      }
      keyMarker = page.IsTruncated === true ? page.NextKeyMarker : void 0;
      versionIdMarker = page.IsTruncated === true ? page.NextVersionIdMarker : void 0;
    } while (keyMarker !== void 0);
    return ids;
  }
  async read(versionId) {
    const cached = this.records.get(versionId);
    if (cached !== void 0) return cached;
    const record = await step(`reading s3://${this.bucket}/${OUTCOME_KEY} (version ${versionId})`, async () => {
      const object = await this.s3.send(new import_client_s33.GetObjectCommand({ Bucket: this.bucket, Key: OUTCOME_KEY, VersionId: versionId }));
      return JSON.parse(await object.Body?.transformToString("utf8") ?? "");
    });
    this.records.set(versionId, record);
    return record;
  }
  /** The version id of the newest record now (undefined: none yet); records after it are "since" it. */
  async newestVersionId() {
    return (await this.versionIds(void 0, 1))[0];
  }
  /** The records written after the version `after` (all when undefined), oldest first. */
  async since(after) {
    const ids = await this.versionIds(after);
    const records = [];
    for (const id of ids.reverse()) records.push(await this.read(id));
    return records;
  }
  /** The newest record that satisfies `wanted`, reading back from the newest (undefined: none). */
  async newest(wanted) {
    for (const id of await this.versionIds()) {
      const record = await this.read(id);
      if (wanted(record)) return record;
    }
    return void 0;
  }
};

// common/src/runner-rules.ts
var CALLBACKS_OFF_REASON = "SQL callback, and callbacks are off for this database: set callbacks = true for it in the module, or delete the object";
var FIX = "delete or rename the object";
function runnerVerdict(key, options) {
  const classification = classifyKey(key);
  switch (classification.kind) {
    case "ignored":
      return { run: false, ignored: true, reason: classification.reason };
    case "rejected":
      return { run: false, ignored: false, reason: `${classification.reason}; ${FIX}` };
    case "callback":
      return options.callbacks ? { run: true, classification } : { run: false, ignored: false, reason: CALLBACKS_OFF_REASON };
    default:
      return { run: true, classification };
  }
}

// client/src/push-plan.ts
async function planPush(local, remote, allowModify) {
  const files = [];
  for (const file2 of local) {
    const existing = remote.get(file2.name);
    if (existing === void 0) {
      files.push({ name: file2.name, action: "upload-new" });
      continue;
    }
    if (await existing.sameAs(file2.content)) {
      files.push({ name: file2.name, action: "unchanged" });
      continue;
    }
    const versioned = classifyKey(file2.name).kind === "versioned";
    files.push({ name: file2.name, action: versioned && !allowModify ? "refused-modified" : "upload-changed" });
  }
  return {
    files,
    refused: files.filter((file2) => file2.action === "refused-modified").map((file2) => file2.name),
    uploads: files.filter((file2) => file2.action === "upload-new" || file2.action === "upload-changed").map((file2) => file2.name)
  };
}
function runnerRefusals(uploads, remoteKeys, options) {
  const refusals = [];
  const claimed = /* @__PURE__ */ new Map();
  for (const key of remoteKeys) {
    const classification = classifyKey(key);
    if (classification.kind === "versioned") claimed.set(normalizeVersion(classification.version), key);
  }
  for (const name of uploads) {
    const verdict = runnerVerdict(name, options);
    if (!verdict.run) {
      refusals.push({ name, reason: verdict.reason });
      continue;
    }
    if (verdict.classification.kind !== "versioned") continue;
    const holder = claimed.get(normalizeVersion(verdict.classification.version));
    if (holder !== void 0 && holder !== name) refusals.push({ name, reason: `version ${verdict.classification.version} is already claimed by ${holder} in the bucket, and the runner stops a pass for two files with one version: delete one of them or give this one the next version` });
  }
  return refusals;
}

// client/src/run.ts
var import_client_ssm5 = require("@aws-sdk/client-ssm");

// common/src/runner-output.ts
function lines(stdout) {
  return stdout.split("\n").map((line) => line.replace(/\r$/, ""));
}
function parseRunnerSummary(stdout) {
  const last = lines(stdout).filter((line) => line.trim() !== "").pop();
  if (last === void 0) return void 0;
  try {
    const parsed = JSON.parse(last);
    if (typeof parsed === "object" && parsed !== null && "status" in parsed && "database" in parsed) return parsed;
  } catch {
  }
  return void 0;
}

// client/src/wait-outcome.ts
var FAILED_COMMAND_GRACE_MS = 5e3;
async function waitForOutcome(aws, pipeline, database, history, spec, reporter) {
  const deadline = Date.now() + spec.timeoutSeconds * 1e3;
  let commandId = spec.commandId;
  let finishedCommandAt;
  for (; ; ) {
    const outcome = spec.judge(await history.since(spec.baseline));
    if (outcome !== void 0) return { outcome, ...commandId === void 0 ? {} : { commandId } };
    if (commandId === void 0 && spec.follow !== void 0) {
      const verdict = await triggerVerdict(aws.s3, database.bucket, spec.follow.key, spec.follow.versionId ?? void 0);
      if (verdict.rejected !== void 0) throw new ClientError(`the trigger rejected ${spec.follow.key}: ${verdict.rejected}`, EXIT.failed, "rename the file to a valid Flyway name and push again");
      commandId = verdict.commandId;
      reporter.progress(commandId === void 0 ? `waiting for the trigger to pick up ${spec.follow.key}` : `command ${commandId} sent to ${pipeline.instanceId}`);
    }
    if (commandId !== void 0) {
      const state = await commandState(aws.ssm, commandId, pipeline.instanceId);
      reporter.progress(`command ${commandId}: ${state?.status ?? "Pending"}`);
      if (state?.final === true && state.status !== "Success") {
        finishedCommandAt ??= Date.now();
        if (Date.now() - finishedCommandAt > FAILED_COMMAND_GRACE_MS) {
          const output = await commandOutput(aws.logs, pipeline.commandLogGroup, commandId).catch(() => void 0) ?? state.stdout;
          throw new ClientError(
            `command ${commandId} ended ${state.status} without recording a result for ${spec.what}:
${output.split("\n").slice(-15).join("\n")}`,
            EXIT.failed,
            "read the output above (the host or the database may be unreachable, or the outcome record could not be written), fix the cause, then push again or run `aurora-flyway run <database> migrate`"
          );
        }
      }
    }
    if (Date.now() > deadline) {
      throw new ClientError(`no result for ${database.key} after ${spec.timeoutSeconds} s${commandId === void 0 ? "" : ` (command ${commandId})`}`, EXIT.timeout, "the run may still finish: check `aurora-flyway status` and `aurora-flyway logs`, or raise --timeout");
    }
    await sleep(spec.pollMs ?? 1e3);
  }
}

// common/src/host-start.ts
var START_WAIT_BOUND_MS = 4e4;
var START_RETRY_PAUSE_MS = 5e3;
var NOT_STARTABLE = "IncorrectInstanceState";
function decideHost(answer, instanceId, elapsedMs, boundMs = START_WAIT_BOUND_MS) {
  if (answer.kind === "state") {
    if (answer.previous === "running") return { kind: "send", host: "running" };
    if (answer.previous === "pending") return { kind: "send", host: "booting" };
    if (answer.previous === "stopped") return { kind: "send", host: "started" };
    if (answer.previous === "stopping") return retryOrFail(`the host ${instanceId} is stopping`, instanceId, elapsedMs, boundMs);
    return {
      kind: "fail",
      reason: `the host ${instanceId} is ${answer.previous}`,
      advice: `A ${answer.previous} instance cannot take commands: run terraform apply, which replaces it, then re-drive the event (aurora-flyway replay).`
    };
  }
  if (answer.errorName === NOT_STARTABLE) return retryOrFail(`the host ${instanceId} cannot be started yet (${answer.errorMessage})`, instanceId, elapsedMs, boundMs);
  return {
    kind: "fail",
    reason: `StartInstances on ${instanceId} failed: ${answer.errorName}: ${answer.errorMessage}`,
    advice: startAdvice(answer.errorName, instanceId)
  };
}
function retryOrFail(reason, instanceId, elapsedMs, boundMs) {
  if (elapsedMs + START_RETRY_PAUSE_MS <= boundMs) return { kind: "wait", reason };
  return {
    kind: "fail",
    reason: `${reason}, still after ${Math.round(elapsedMs / 1e3)} s`,
    advice: `Lambda retries the event in a minute or two, when the host has stopped and can be started. If ${instanceId} is terminated, run terraform apply to replace it, then re-drive the event from the on-failure queue (aurora-flyway replay).`
  };
}
function startAdvice(errorName, instanceId) {
  switch (errorName) {
    case "UnauthorizedOperation":
    case "AccessDeniedException":
      return `The function's role may not start ${instanceId} (ec2:StartInstances); re-apply the Terraform module.`;
    case "InvalidInstanceID.NotFound":
    case "InvalidInstanceID.Malformed":
      return `The instance ${instanceId} does not exist; re-apply the Terraform module, which creates the host and configures the function.`;
    case "IncorrectSpotRequestState":
    case "InsufficientInstanceCapacity":
      return "EC2 cannot start the instance right now; Lambda retries the event. If this persists, change instance_type.";
    default:
      return "Check the function's network access to EC2 and the error above; Lambda retries the event.";
  }
}
var realClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
};
async function bringHostUp(instanceId, start, onWait, clock = realClock) {
  const began = clock.now();
  for (; ; ) {
    let answer;
    try {
      answer = { kind: "state", ...await start(instanceId) };
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: "UnknownError", message: String(error) };
      const code = error.code;
      answer = { kind: "refused", errorName: typeof code === "string" && name === "Error" ? code : name, errorMessage: message };
    }
    const decision = decideHost(answer, instanceId, clock.now() - began);
    if (decision.kind !== "wait") return { decision, answer };
    onWait(decision.reason);
    await clock.sleep(START_RETRY_PAUSE_MS);
  }
}

// client/src/run.ts
var ACTIONS = ["info", "validate", "repair", "migrate"];
async function followCommand(aws, pipeline, commandId, timeoutSeconds, reporter, pollMs = 2e3) {
  const deadline = Date.now() + timeoutSeconds * 1e3;
  for (; ; ) {
    const state = await commandState(aws.ssm, commandId, pipeline.instanceId);
    reporter.progress(`command ${commandId}: ${state?.status ?? "Pending"}`);
    if (state?.final === true) return state;
    if (Date.now() > deadline) throw new ClientError(`command ${commandId} has not ended after ${timeoutSeconds} s`, EXIT.timeout, "follow it with `aurora-flyway logs <database> --follow`, or raise --timeout");
    await sleep(pollMs);
  }
}
async function wakeHost(aws, pipeline, reporter) {
  if (!pipeline.hostSleeps) return;
  const { decision } = await bringHostUp(pipeline.instanceId, (id) => aws.startInstance(id), (reason) => reporter.progress(`${reason}; waiting to start it`));
  if (decision.kind === "fail") throw new ClientError(decision.reason, EXIT.setup, decision.advice);
  if (decision.host === "started") reporter.progress(`the host ${pipeline.instanceId} was asleep; started it (the command runs once it is up, in a minute or two)`);
  if (decision.host === "booting") reporter.progress(`the host ${pipeline.instanceId} is booting; the command runs once it is up`);
}
async function sendCommand(aws, pipeline, database, action, requestedAt, comment) {
  const sent = await step(
    `sending ${action} for ${database.key} to ${pipeline.instanceId}`,
    () => aws.ssm.send(
      new import_client_ssm5.SendCommandCommand({
        DocumentName: pipeline.documentName,
        InstanceIds: [pipeline.instanceId],
        Parameters: { DatabaseKey: [database.key], Action: [action], RequestedAt: [requestedAt] },
        Comment: comment,
        CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: pipeline.commandLogGroup }
      })
    )
  );
  const commandId = sent.Command?.CommandId;
  if (commandId === void 0) throw new Error("SendCommand returned no command id");
  return commandId;
}
async function runAction(aws, pipeline, database, action, timeoutSeconds, reporter) {
  const deadline = Date.now() + timeoutSeconds * 1e3;
  await wakeHost(aws, pipeline, reporter);
  const history = new OutcomeHistory(aws.s3, database.bucket);
  const baseline = action === "migrate" ? await history.newestVersionId() : void 0;
  const requestedAt = (/* @__PURE__ */ new Date()).toISOString();
  const commandId = await sendCommand(aws, pipeline, database, action, requestedAt, `aurora-flyway run ${database.key} ${action}`);
  reporter.progress(`command ${commandId} sent`);
  const state = await followCommand(aws, pipeline, commandId, timeoutSeconds, reporter);
  const output = await commandOutput(aws.logs, pipeline.commandLogGroup, commandId).catch(() => void 0) ?? state.stdout;
  for (const line of output.trimEnd().split("\n")) reporter.line(line);
  if (state.stderr.trim() !== "") reporter.note(state.stderr.trimEnd());
  const summary2 = parseRunnerSummary(output) ?? null;
  const result = { database: database.key, action, commandId, status: state.status, summary: summary2 };
  if (action !== "migrate" || summary2?.status !== "queued") return result;
  reporter.line(`${database.key}: handed to the active run; waiting for the pass that runs this request`);
  const { outcome } = await waitForOutcome(aws, pipeline, database, history, {
    baseline,
    judge: (since) => recordOfRequest(since, requestedAt),
    timeoutSeconds: Math.max(1, Math.round((deadline - Date.now()) / 1e3)),
    what: `the request of ${database.key}`
  }, reporter);
  reporter.line(describeOutcome(outcome, []));
  if (outcome.status === "failed") await reportFailure(aws, pipeline, outcome, void 0, reporter);
  return { ...result, outcome };
}

// client/src/tenants.ts
function groupVersion(record) {
  return maxVersion(record.objects.map((object) => classifyKey(object.key)).flatMap((file2) => file2.kind === "versioned" ? [file2.version] : []));
}
var seconds = (ms) => `${(ms / 1e3).toFixed(1)} s`;
function tenantTable(tenants) {
  return table(
    ["TENANT", "STATUS", "VERSIONS", "APPLIED", "DURATION"],
    tenants.map((tenant) => [
      tenant.tenant,
      tenant.status === "not_started" ? "not started" : tenant.status,
      tenant.status === "not_started" ? "" : `${tenant.schema_version_before ?? "none"} -> ${tenant.schema_version ?? "none"}`,
      String(tenant.migrations_applied),
      tenant.status === "not_started" ? "" : seconds(tenant.duration_ms)
    ])
  );
}
function unmigratedLine(tenants) {
  const failed = tenants.filter((tenant) => tenant.status === "failed").map((tenant) => tenant.tenant);
  const notStarted = tenants.filter((tenant) => tenant.status === "not_started").map((tenant) => tenant.tenant);
  if (failed.length === 0 && notStarted.length === 0) return void 0;
  return [failed.length > 0 ? `failed: ${failed.join(", ")}` : "", notStarted.length > 0 ? `not started: ${notStarted.join(", ")}` : ""].filter((part) => part !== "").join("; ");
}
function tenantStatuses(tenants, record) {
  const newest = record === void 0 ? void 0 : groupVersion(record);
  return tenants.map((tenant) => {
    const seen = record?.tenants?.find((candidate) => candidate.tenant === tenant.tenant);
    const base = { tenant: tenant.tenant, database: tenant.database, cluster: tenant.cluster };
    if (seen === void 0) return { ...base, status: "never", version: "none", behind: record === void 0 ? "no pass yet" : "added after the last pass: the next run migrates it" };
    const version = seen.schema_version ?? "none";
    const below = newest !== void 0 && (seen.schema_version === null || compareVersions(seen.schema_version, newest) < 0);
    return { ...base, status: seen.status === "not_started" ? "not started" : seen.status, version, behind: below ? `behind ${newest}` : "" };
  });
}
function tenantStatusTable(statuses) {
  return table(
    ["TENANT", "DATABASE", "CLUSTER", "STATUS", "SCHEMA VERSION", "BEHIND"],
    statuses.map((status) => [status.tenant, status.database, status.cluster, status.status, status.version, status.behind])
  );
}

// client/src/push.ts
var md5 = (content) => (0, import_node_crypto.createHash)("md5").update(content).digest("hex");
async function remoteObjects(aws, bucket) {
  const objects = /* @__PURE__ */ new Map();
  let token;
  do {
    const page = await step(`listing s3://${bucket}`, () => aws.s3.send(new import_client_s34.ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", ContinuationToken: token })));
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? "";
      const etag = (object.ETag ?? "").replace(/"/g, "");
      objects.set(key, {
        key,
        etag,
        async sameAs(content) {
          if (/^[0-9a-f]{32}$/.test(etag) && etag === md5(content)) return true;
          const body = await step(`reading s3://${bucket}/${key}`, () => aws.s3.send(new import_client_s34.GetObjectCommand({ Bucket: bucket, Key: key })));
          return Buffer.from(await body.Body?.transformToByteArray() ?? []).equals(content);
        }
      });
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : void 0;
  } while (token !== void 0);
  return objects;
}
async function upload(aws, bucket, file2) {
  const put = await step(
    `uploading ${file2.name} to s3://${bucket}`,
    () => aws.s3.send(new import_client_s34.PutObjectCommand({ Bucket: bucket, Key: file2.name, Body: file2.content, ContentType: "text/plain; charset=utf-8" }))
  );
  return { key: file2.name, versionId: put.VersionId ?? null };
}
function appliedVersions(outcome, pushed) {
  if (outcome.schema_version === null) return [];
  const after = outcome.schema_version;
  const before = outcome.schema_version_before;
  return pushed.map((key) => classifyKey(key)).flatMap((file2) => file2.kind === "versioned" ? [file2.version] : []).filter((version) => (before === null || compareVersions(version, before) > 0) && compareVersions(version, after) <= 0).sort(compareVersions).map((version) => `V${version}`);
}
function describeOutcome(outcome, pushed) {
  const seconds3 = ((new Date(outcome.finished_at).getTime() - new Date(outcome.started_at).getTime()) / 1e3).toFixed(1);
  const versions = `schema version ${outcome.schema_version_before ?? "none"} -> ${outcome.schema_version ?? "none"}`;
  const applied = appliedVersions(outcome, pushed);
  const which = applied.length === 0 ? "" : ` (${applied.join(", ")})`;
  return `${outcome.database}: ${outcome.status === "success" ? "migrated" : "FAILED"}, ${outcome.migrations_applied} migration(s) applied${which}, ${versions}, in ${seconds3} s`;
}
function reportTenants(outcome, reporter) {
  if (outcome.tenants === void 0) return;
  for (const line of tenantTable(outcome.tenants)) reporter.line(`  ${line}`);
  const unmigrated = unmigratedLine(outcome.tenants);
  if (unmigrated !== void 0) reporter.line(`tenants not migrated: ${unmigrated}`);
}
async function reportFailure(aws, pipeline, outcome, commandId, reporter) {
  if (outcome.reason !== null) reporter.line(`reason: ${outcome.reason}`);
  let lines2 = outcome.flyway_error ?? [];
  if (lines2.length === 0 && commandId !== void 0) {
    const output = await commandOutput(aws.logs, pipeline.commandLogGroup, commandId).catch(() => void 0) ?? (await commandState(aws.ssm, commandId, pipeline.instanceId))?.stdout ?? "";
    lines2 = flywayErrorLines(output);
  }
  for (const line of lines2) reporter.line(`  ${line}`);
}
async function push(aws, pipeline, database, options, reporter) {
  const files = readMigrationFolder(options.dir);
  if (files.length === 0) throw new ClientError(`no .sql files in ${options.dir}`, EXIT.usage, "pass the folder that holds the migrations");
  const targets = database.tenants ?? [database];
  const engines = [...new Map(targets.map((target) => [target.engine, target])).values()];
  let linted;
  for (const target of engines) {
    reporter.progress(`linting ${files.length} file(s) as ${target.engine}`);
    const result = await lintFiles(files, {
      engine: target.engine,
      strict: options.strict,
      style: options.style === true,
      // The version of the database's own cluster: an existing cluster may run another than the module's.
      ...target.engine === "postgresql" && target.engineVersion !== void 0 ? { postgresVersion: target.engineVersion.split(".")[0] } : {}
    });
    if (hasErrors(result)) reportLint(result, files.length, reporter);
    linted ??= result;
  }
  if (linted === void 0) throw new Error("no engine to lint for");
  reporter.progress(`comparing ${files.length} file(s) with s3://${database.bucket}`);
  const remote = await remoteObjects(aws, database.bucket);
  const plan = await planPush(files, remote, options.allowModify);
  const unchanged = plan.files.filter((file2) => file2.action === "unchanged").map((file2) => file2.name);
  reportLint(asApplied(linted, unchanged), files.length, reporter);
  for (const file2 of plan.files) reporter.line(`${file2.action.padEnd(16)} ${file2.name}`);
  if (plan.refused.length > 0) {
    throw new ClientError(
      `refused: ${plan.refused.join(", ")} differ(s) from the version already in s3://${database.bucket}; nothing was uploaded`,
      EXIT.refused,
      "Flyway stores each applied migration's checksum and fails when the file changes: put the change into a new V<next>__... file. Only if that version never reached the database, use --allow-modify"
    );
  }
  const refusals = runnerRefusals(plan.uploads, [...remote.keys()], { callbacks: database.callbacks });
  if (refusals.length > 0) {
    throw new ClientError(
      `refused: the runner would not run ${refusals.map((refusal) => `${refusal.name} (${refusal.reason})`).join("; ")}; nothing was uploaded`,
      EXIT.failed,
      "fix or remove the file(s) named above, then push again"
    );
  }
  const base = { database: database.key, unchanged };
  if (options.dryRun) return { ...base, uploaded: [], status: "dry-run" };
  const history = new OutcomeHistory(aws.s3, database.bucket);
  if (plan.uploads.length === 0) return nothingNew(aws, pipeline, database, history, remote, files, options, reporter, base);
  const baseline = await history.newestVersionId();
  const uploaded = [];
  for (const name of uploadOrder(plan.uploads)) {
    reporter.progress(`uploading ${name}`);
    uploaded.push(await upload(aws, database.bucket, files.find((file2) => file2.name === name)));
  }
  reporter.line(`uploaded ${uploaded.length} file(s) to s3://${database.bucket}`);
  if (!options.wait) return { ...base, uploaded, status: "uploaded" };
  const { outcome, commandId } = await waitForOutcome(aws, pipeline, database, history, {
    baseline,
    judge: (since) => selectOutcome(since, uploaded),
    ...uploaded.length === 0 ? {} : { follow: uploaded[uploaded.length - 1] },
    timeoutSeconds: options.timeoutSeconds,
    ...options.pollMs === void 0 ? {} : { pollMs: options.pollMs },
    what: `the uploads to ${database.key}`
  }, reporter);
  reporter.line(describeOutcome(outcome, uploaded.map((file2) => file2.key)));
  reportTenants(outcome, reporter);
  if (outcome.status === "failed") await reportFailure(aws, pipeline, outcome, commandId, reporter);
  return { ...base, uploaded, outcome, ...commandId === void 0 ? {} : { commandId }, status: outcome.status };
}
async function nothingNew(aws, pipeline, database, history, remote, files, options, reporter, base) {
  const contents = files.map((file2) => ({ key: file2.name, etag: remote.get(file2.name)?.etag ?? "" }));
  let outcome = await history.newest((record) => record.action === "migrate");
  let commandId;
  if (outcome === void 0 || !coversContent(outcome, contents)) {
    reporter.line(`nothing to upload: s3://${database.bucket} already holds these files; waiting for the pass that migrates them`);
    const newestKey = uploadOrder(files.map((file2) => file2.name)).pop();
    ({ outcome, commandId } = await waitForOutcome(aws, pipeline, database, history, {
      baseline: await history.newestVersionId(),
      judge: (since) => since.find((record) => record.action === "migrate" && coversContent(record, contents)),
      follow: { key: newestKey, versionId: null },
      timeoutSeconds: options.timeoutSeconds,
      ...options.pollMs === void 0 ? {} : { pollMs: options.pollMs },
      what: `the files of ${database.key}`
    }, reporter));
  }
  if (outcome.status === "success") {
    reporter.line(`nothing new to push: ${database.key} is migrated to these files (schema version ${outcome.schema_version ?? "none"}, pass of ${outcome.finished_at})`);
    return { ...base, uploaded: [], outcome, status: "nothing-to-do" };
  }
  reporter.line(`nothing new to push, but the last pass on these files failed: ${describeOutcome(outcome, [])}`);
  reportTenants(outcome, reporter);
  if (database.tenants !== void 0 && options.wait) return rerunGroup(aws, pipeline, database, history, options, reporter, base);
  await reportFailure(aws, pipeline, outcome, commandId, reporter);
  return { ...base, uploaded: [], outcome, ...commandId === void 0 ? {} : { commandId }, status: "failed" };
}
async function rerunGroup(aws, pipeline, database, history, options, reporter, base) {
  reporter.line(`running the group ${database.key} again: tenants already migrated are not migrated twice`);
  await wakeHost(aws, pipeline, reporter);
  const baseline = await history.newestVersionId();
  const requestedAt = (/* @__PURE__ */ new Date()).toISOString();
  const commandId = await sendCommand(aws, pipeline, database, "migrate", requestedAt, `aurora-flyway push ${database.key} (the group again)`);
  reporter.progress(`command ${commandId} sent`);
  const { outcome } = await waitForOutcome(aws, pipeline, database, history, {
    baseline,
    judge: (since) => recordOfRequest(since, requestedAt),
    timeoutSeconds: options.timeoutSeconds,
    ...options.pollMs === void 0 ? {} : { pollMs: options.pollMs },
    what: `the group ${database.key}`
  }, reporter);
  reporter.line(describeOutcome(outcome, []));
  reportTenants(outcome, reporter);
  if (outcome.status === "failed") await reportFailure(aws, pipeline, outcome, commandId, reporter);
  return { ...base, uploaded: [], outcome, commandId, status: outcome.status === "success" ? "success" : "failed" };
}

// client/src/replay.ts
var import_client_lambda2 = require("@aws-sdk/client-lambda");
var import_client_sqs2 = require("@aws-sdk/client-sqs");
var VISIBILITY_TIMEOUT_S = 120;
async function replay(aws, pipeline, reporter, maxMessages = 100) {
  const results = [];
  const failed = /* @__PURE__ */ new Map();
  const succeeded = /* @__PURE__ */ new Set();
  try {
    while (results.length < maxMessages) {
      const received = await step(
        `reading ${pipeline.failureQueueUrl}`,
        () => aws.sqs.send(new import_client_sqs2.ReceiveMessageCommand({ QueueUrl: pipeline.failureQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: VISIBILITY_TIMEOUT_S, WaitTimeSeconds: 1 }))
      );
      const fresh = [];
      for (const message of received.Messages ?? []) {
        const messageId = message.MessageId ?? "";
        if (failed.has(messageId)) failed.set(messageId, message.ReceiptHandle);
        else if (succeeded.has(messageId)) await deleteMessage(aws, pipeline, message);
        else fresh.push(message);
      }
      if (fresh.length === 0) break;
      for (const message of fresh) {
        const result = await redrive(aws, pipeline, reporter, message);
        results.push(result);
        if (result.ok) succeeded.add(result.messageId);
        else failed.set(result.messageId, message.ReceiptHandle);
      }
    }
  } finally {
    await returnToQueue(aws, pipeline, reporter, failed);
  }
  reporter.line(results.length === 0 ? "the failure queue is empty: nothing to replay" : summary(results));
  return results;
}
async function redrive(aws, pipeline, reporter, message) {
  const messageId = message.MessageId ?? "";
  const record = JSON.parse(message.Body ?? "{}");
  const event = record.requestPayload ?? record;
  reporter.progress(`re-driving message ${messageId} (${record.requestContext?.condition ?? "failed event"})`);
  const invoked = await step(
    `invoking ${pipeline.triggerFunctionName}`,
    () => aws.lambda.send(new import_client_lambda2.InvokeCommand({ FunctionName: pipeline.triggerFunctionName, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify(event)) }))
  );
  const payload = invoked.Payload === void 0 ? "null" : Buffer.from(invoked.Payload).toString("utf8");
  if (invoked.FunctionError !== void 0) {
    const error = JSON.parse(payload).errorMessage ?? payload;
    reporter.line(`message ${messageId}: failed again, kept in the queue: ${error}`);
    return { messageId, ok: false, commands: [], error };
  }
  const commands = (JSON.parse(payload)?.commands ?? []).map(({ database, commandId }) => ({ database, commandId }));
  await deleteMessage(aws, pipeline, message);
  reporter.line(`message ${messageId}: re-driven, ${commands.map((c) => `${c.database} -> command ${c.commandId}`).join(", ") || "no command needed"}; deleted from the queue`);
  return { messageId, ok: true, commands };
}
async function deleteMessage(aws, pipeline, message) {
  await step("deleting the re-driven message", () => aws.sqs.send(new import_client_sqs2.DeleteMessageCommand({ QueueUrl: pipeline.failureQueueUrl, ReceiptHandle: message.ReceiptHandle })));
}
async function returnToQueue(aws, pipeline, reporter, failed) {
  for (const [messageId, receiptHandle] of failed) {
    try {
      await step("returning the message to the queue", () => aws.sqs.send(new import_client_sqs2.ChangeMessageVisibilityCommand({ QueueUrl: pipeline.failureQueueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 })));
    } catch (error) {
      reporter.note(`message ${messageId}: could not make it visible again now (${error.message}); it is back in the queue within ${VISIBILITY_TIMEOUT_S} s`);
    }
  }
}
function summary(results) {
  const failedAgain = results.filter((result) => !result.ok).map((result) => result.messageId);
  const outcome = failedAgain.length === 0 ? "none failed" : `${failedAgain.length} failed again and kept in the queue: ${failedAgain.join(", ")}`;
  return `replay: ${results.length} message(s) re-driven, ${outcome}`;
}

// client/src/status.ts
async function readStatuses(aws, databases) {
  return Promise.all(databases.map(async (db) => ({ database: db.key, bucket: db.bucket, outcome: await readOutcome(aws.s3, db.bucket) ?? null })));
}
function statusTable(statuses) {
  return table(
    ["DATABASE", "LAST PASS", "ACTION", "STATUS", "SCHEMA VERSION", "APPLIED", "REASON"],
    statuses.map(
      ({ database, outcome }) => outcome === null ? [database, "never", "", "", "", "", ""] : [database, outcome.finished_at, outcome.action, outcome.status, outcome.schema_version ?? "none", String(outcome.migrations_applied), outcome.reason ?? ""]
    )
  );
}

// client/src/main.ts
var EXIT_CODES = `Exit codes:
  0   success
  1   the migration or the run failed, or lint found errors
  2   wrong usage
  3   the pipeline, the database or AWS credentials were not found, or AWS refused a call
  4   no result within --timeout (the run may still finish)
  5   push refused a change to an already uploaded version (nothing was uploaded)
  70  a bug in aurora-flyway (please report it with the output)`;
var seconds2 = (value) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new ClientError(`--timeout must be a whole number of seconds, not ${value}`, EXIT.usage);
  return parsed;
};
async function main(argv, io) {
  let exitCode = EXIT.ok;
  const program = new import_commander.Command("aurora-flyway").description("Upload versioned SQL to an Aurora Flyway pipeline and get the database's answer.").addOption(new import_commander.Option("--name-prefix <prefix>", "the pipeline's name_prefix").env("AURORA_FLYWAY_NAME_PREFIX")).option("--terraform-dir <dir>", "read the pipeline from `terraform output` in this directory instead").option("--region <region>", "AWS region (default: the SDK's: AWS_REGION, the profile)").addOption(new import_commander.Option("--endpoint-url <url>", "AWS endpoint for every service, e.g. a local emulator (S3 then path-style)").env("AWS_ENDPOINT_URL")).option("--json", "print the result as JSON on stdout", false).addHelpText("after", `
${EXIT_CODES}`).configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).exitOverride();
  let aws;
  const globals = () => program.opts();
  const reporter = () => createReporter({ json: globals().json, tty: io.isTty, stdout: io.stdout, stderr: io.stderr });
  const connect = () => aws ??= awsClients({ ...globals().region === void 0 ? {} : { region: globals().region }, ...globals().endpointUrl === void 0 ? {} : { endpointUrl: globals().endpointUrl } });
  const pipeline = async () => {
    const { namePrefix, terraformDir } = globals();
    if (namePrefix === void 0 && terraformDir === void 0) {
      throw new ClientError("which pipeline? neither --name-prefix nor --terraform-dir is given", EXIT.usage, "pass --name-prefix <the module's name_prefix> (or set AURORA_FLYWAY_NAME_PREFIX), or --terraform-dir <dir>");
    }
    const prefix = namePrefix !== void 0 ? configPrefixOf(namePrefix) : await configPrefixFromTerraform(terraformDir);
    return readPipeline(connect().ssm, prefix);
  };
  program.command("lint").description("check migration files offline: names, duplicate versions, encoding, SQL syntax, lock and data hazards (squawk's rules on PostgreSQL)").argument("[dir]", "folder of .sql files", ".").addOption(new import_commander.Option("--engine <engine>", "SQL dialect").choices(["postgresql", "mysql"]).default("postgresql")).option("--strict", "treat warnings as errors", false).option("--style", "also the style rules (bigint, text, timestamptz, ...), off by default", false).option("--pg-version <version>", "the PostgreSQL version the migrations run on (squawk's rules depend on it)", DEFAULT_POSTGRES_VERSION).option("--rules", "list every rule with its engines, kind, severity and what it is about, and exit", false).action(async (dir, options) => {
    const out = reporter();
    if (options.rules) {
      for (const line of table(["rule", "engines", "kind", "severity", "by", "about"], rulesTable())) out.line(line);
      out.line("Silence a hazard for one statement with a comment on the line before it: -- aurora-flyway-ignore: <rule>[, <rule>]");
      out.result(RULES);
      return;
    }
    const files = readMigrationFolder(dir);
    const result = await lintAndReport(files, { engine: options.engine, strict: options.strict, style: options.style, postgresVersion: options.pgVersion }, out);
    out.line(lintSummary(files.length, result));
    out.result({ files: files.length, ...result });
  });
  program.command("push").description("lint, upload new migrations to the database's bucket, and wait for the database's result").argument("<database>", "database key (as in the module's databases)").argument("[dir]", "folder of .sql files (default: migrations/<database>)").option("--allow-modify", "upload changed versions of already uploaded V files (only for versions that never reached the database)", false).option("--dry-run", "show what would be uploaded, upload nothing", false).option("--no-wait", "return after the upload").option("--timeout <seconds>", "give up waiting after this long", "900").option("--strict", "treat lint warnings as errors", false).option("--style", "lint with the style rules too", false).action(async (key, dir, options) => {
    const out = reporter();
    const found = await pipeline();
    const result = await push(connect(), found, databaseOf(found, key), { dir: dir ?? (0, import_node_path3.join)("migrations", key), allowModify: options.allowModify, dryRun: options.dryRun, wait: options.wait, timeoutSeconds: seconds2(options.timeout), strict: options.strict, style: options.style }, out);
    out.result(result);
    if (result.status === "failed") exitCode = EXIT.failed;
  });
  program.command("run").description("run a Flyway action for a database on the host and follow it").argument("<database>", "database key").addArgument(new import_commander.Argument("<action>", "what Flyway does").choices(ACTIONS)).option("--timeout <seconds>", "give up waiting after this long", "900").action(async (key, action, options) => {
    const out = reporter();
    const found = await pipeline();
    const result = await runAction(connect(), found, databaseOf(found, key), action, seconds2(options.timeout), out);
    out.line(`${key} ${action}: command ${result.commandId} ${result.status}${result.summary === null ? "" : `, runner ${result.summary.status}`}`);
    out.result(result);
    if (result.status !== "Success" || result.summary?.status === "failed" || result.outcome?.status === "failed") exitCode = EXIT.failed;
  });
  program.command("status").description("each database's last pass: status and schema version").argument("[database]", "only this database").action(async (key) => {
    const out = reporter();
    const found = await pipeline();
    const statuses = await readStatuses(connect(), key === void 0 ? found.databases : [databaseOf(found, key)]);
    for (const line of statusTable(statuses)) out.line(line);
    const group = key === void 0 ? void 0 : databaseOf(found, key).tenants;
    if (group !== void 0) {
      const tenants = tenantStatuses(group, statuses[0]?.outcome ?? void 0);
      out.line("");
      for (const line of tenantStatusTable(tenants)) out.line(line);
      const behind = tenants.filter((tenant) => tenant.behind !== "").map((tenant) => tenant.tenant);
      out.line(behind.length === 0 ? `all ${tenants.length} tenant(s) at the group's version` : `behind: ${behind.join(", ")}`);
      out.result({ statuses, tenants });
      return;
    }
    out.result(statuses);
  });
  program.command("logs").description("the runner's output of the database's latest runs").argument("<database>", "database key").option("--follow", "keep printing new output until interrupted", false).option("--limit <count>", "how many of the latest runs", "3").action(async (key, options) => {
    const found = await pipeline();
    await showLogs(connect(), found, databaseOf(found, key), { limit: Number(options.limit), follow: options.follow }, reporter());
  });
  program.command("replay").description("re-drive upload events the trigger gave up on (its on-failure queue), once their cause is fixed").action(async () => {
    const out = reporter();
    const results = await replay(connect(), await pipeline(), out);
    out.result(results);
    if (results.some((result) => !result.ok)) exitCode = EXIT.failed;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof import_commander.CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof ClientError) {
      io.stderr(`
aurora-flyway: ${error.message}
${error.todo === void 0 ? "" : `what to do: ${error.todo}
`}`);
      return error.exitCode;
    }
    const status = error.$metadata?.httpStatusCode;
    io.stderr(`
aurora-flyway: unexpected error (a bug; please report it):
${status === void 0 ? "" : `HTTP ${status}: `}${error.stack ?? String(error)}
`);
    return EXIT.internal;
  } finally {
    aws?.destroy();
  }
}
if (require.main === module) {
  void main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: process.stderr.isTTY === true
  }).then((code) => {
    process.exitCode = code;
  });
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  main
});
