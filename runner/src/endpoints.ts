// Which endpoint a database's login may go to. The module's document names every cluster the
// host serves (endpoint and the secret of its login); a database's settings parameter must name
// one of them with that very secret, so that a changed parameter can neither send a login to an
// endpoint the module did not configure nor send one cluster's login to another cluster. Pure.

import { parseEndpoint, type DbTarget, type Endpoint } from './args';

export interface SettingsTarget {
  host: string;
  port: number;
  secretId: string;
}

const text = (endpoint: Endpoint) => `${endpoint.host}:${endpoint.port}`;

/** Undefined when the settings name a cluster of the document (or the document names none); else what is wrong. */
export function unconfiguredTarget(settings: SettingsTarget, targets: readonly DbTarget[]): string | undefined {
  if (targets.length === 0) return undefined;
  const sameEndpoint = targets.filter((target) => target.host === settings.host && target.port === settings.port);
  if (sameEndpoint.length === 0) {
    return `names the database endpoint ${text(settings)}, but the module's document names ${targets.map(text).join(', ')}; the login is not sent to an endpoint the module did not configure`;
  }
  if (sameEndpoint.some((target) => target.secretId === undefined || target.secretId === settings.secretId)) return undefined;
  return `names the secret ${settings.secretId} for ${text(settings)}, but the module's document pairs that endpoint with ${sameEndpoint.map((target) => target.secretId).join(', ')}; one cluster's login is not sent to another`;
}

/** TEST ONLY (FLYWAY_RUNNER_DB_ENDPOINT): one endpoint for every cluster, or one per cluster endpoint. */
export interface EndpointOverride {
  every?: Endpoint;
  byCluster: ReadonlyMap<string, Endpoint>;
}

/** "host:port", or a comma list of "<cluster host:port>=<host:port>"; undefined when malformed. */
export function parseEndpointOverride(value: string): EndpointOverride | undefined {
  if (!value.includes('=')) {
    const every = parseEndpoint(value);
    return every === undefined ? undefined : { every, byCluster: new Map() };
  }
  const byCluster = new Map<string, Endpoint>();
  for (const entry of value.split(',')) {
    const [from, to, ...rest] = entry.split('=');
    const cluster = parseEndpoint(from ?? '');
    const local = parseEndpoint(to ?? '');
    if (cluster === undefined || local === undefined || rest.length > 0) return undefined;
    byCluster.set(text(cluster), local);
  }
  return { byCluster };
}

/** Where the override sends a connection to `endpoint`; undefined: nowhere else. */
export function overriddenEndpoint(override: EndpointOverride | undefined, endpoint: Endpoint): Endpoint | undefined {
  if (override === undefined) return undefined;
  return override.byCluster.get(text(endpoint)) ?? override.every;
}
