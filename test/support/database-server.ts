/** A throwaway database server started by the tests, with its admin (Aurora "master") login. */
export interface DatabaseServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The server process and its temp dir, for tests of the teardown itself. */
  pid: number;
  workDir: string;
  stop(): Promise<void>;
}
