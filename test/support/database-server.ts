/** A throwaway database server started by the tests, with its admin (Aurora "master") login. */
export interface DatabaseServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /**
   * The PEM certificate of the throwaway CA that signed the server's TLS certificate (for
   * IP:127.0.0.1 and DNS:localhost): trust it to connect with full verification, as clients of
   * Aurora trust the RDS CA bundle. Plain (non-TLS) connections are accepted too.
   */
  caFile: string;
  /** The server process and its temp dir, for tests of the teardown itself. */
  pid: number;
  workDir: string;
  stop(): Promise<void>;
}
