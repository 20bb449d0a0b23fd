// One JSON object per line on stdout. Lambda ships stdout to CloudWatch as-is, so each line
// stays machine-readable (Logs Insights can filter on `database`, `commandId`, ...), unlike
// console.log, which the runtime prefixes with a timestamp and request id.

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type FieldValue = string | number | boolean | undefined | readonly string[];
export type Fields = Readonly<Record<string, FieldValue>>;

export interface Logger {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line (e.g. the request id). */
  child(fields: Fields): Logger;
}

export type Sink = (line: string) => void;

const stdoutSink: Sink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(sink: Sink = stdoutSink, base: Fields = {}): Logger {
  const write = (level: Level, message: string, fields: Fields = {}): void => {
    // level and message first, so a person scanning raw lines reads them first; JSON.stringify
    // drops undefined fields, so optional ones (versionId) simply do not appear.
    sink(JSON.stringify({ level, message, ...base, ...fields }));
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger(sink, { ...base, ...fields }),
  };
}
