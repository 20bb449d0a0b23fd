// Least privilege, judged from the applied state the way AWS would judge it: for each role, the
// actions its policies grant, the actions its component really needed in the run (every recorded
// call, attributed to the role AWS would evaluate it for), and requests it must be refused
// (another secret, another instance, a foreign bucket, deleting history), each decided by the
// IAM policy simulator over the role's policies and the resource's policy.

import { AppliedIam, attribute, simulate, type NamedPolicy } from '../harness/iam-check';
import type { RecordedCall } from '../harness/call-recorder';
import type { DeclaredCall } from '../harness/iam-check';
import type { AuthorizationRequest } from '../harness/iam-requests';

/** Every action an Allow statement of the policies names (wildcards as written). */
export function grantedActions(policies: readonly NamedPolicy[]): string[] {
  const actions = new Set<string>();
  for (const { policy } of policies) {
    const statements = Array.isArray(policy.Statement) ? (policy.Statement as Record<string, unknown>[]) : [policy.Statement as Record<string, unknown>];
    for (const statement of statements.filter((candidate) => candidate.Effect === 'Allow')) {
      const named = statement.Action;
      for (const action of Array.isArray(named) ? named : [named]) if (typeof action === 'string') actions.add(action);
    }
  }
  return [...actions].sort();
}

/** The actions each principal's calls needed (what AWS evaluated for it). */
export function usedActions(iam: AppliedIam, recorded: readonly RecordedCall[], declared: readonly DeclaredCall[]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const call of attribute(iam, recorded, declared)) {
    const actions = used.get(call.principal) ?? new Set<string>();
    actions.add(call.request.action);
    used.set(call.principal, actions);
  }
  return used;
}

export interface Probe {
  /** Why the role must not be able to do it. */
  why: string;
  request: AuthorizationRequest;
}

export function probe(why: string, action: string, resource: string, context: Record<string, string> = {}): Probe {
  return { why, request: { operation: action, action, resource, context: { 'aws:SecureTransport': 'true', ...context } } };
}

/** AWS's decision on each probe for the role: "Allowed", "ImplicitlyDenied", ... */
export async function decideProbes(iam: AppliedIam, roleArn: string, probes: readonly Probe[]): Promise<{ probe: Probe; decision: string }[]> {
  return Promise.all(
    probes.map(async (one) => ({
      probe: one,
      decision: await simulate({
        principal: roleArn,
        account: iam.scope.account,
        request: one.request,
        identityPolicies: iam.identityPolicies(roleArn),
        resourcePolicy: one.request.resource === '*' ? undefined : iam.resourcePolicy(one.request.resource),
      }),
    })),
  );
}
