// The customer managed keys a Terraform state or plan holds, as AWS sees them: an aws_kms_key, or
// the AWS::KMS::Key a CloudFormation stack holds (the module's own key outlives `terraform
// destroy` that way: main.tf, aws_cloudformation_stack.kms_key). Pure: reads resource values only.

import type { ShownResource } from '../support/terraform';

export interface StateKey {
  address: string;
  /** Unknown in a plan until the key exists. */
  arn: string | undefined;
  /** The key policy as JSON text (a stack holds it as an object in its template). */
  policy: string | undefined;
  rotation: boolean;
  /** Days between a deletion request and the deletion. */
  deletionWindowDays: number | undefined;
  /** Whether deleting what holds the key leaves the key (CloudFormation's DeletionPolicy Retain). */
  retainedOnDelete: boolean;
}

interface Template {
  Resources?: Record<string, { Type?: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value?: unknown }>;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The stack output whose value is the key's Arn attribute (Fn::GetAtt [logical id, Arn]). */
function arnOutput(template: Template, logicalId: string): string | undefined {
  return Object.entries(template.Outputs ?? {}).find(([, output]) => JSON.stringify(output.Value) === JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] }))?.[0];
}

export function keysInState(resources: readonly ShownResource[]): StateKey[] {
  return resources.flatMap((resource): StateKey[] => {
    // A data source only reads a key someone else holds (an existing cluster's secret key).
    if (resource.type === 'aws_kms_key' && resource.mode !== 'data') {
      const { values } = resource;
      return [{ address: resource.address, arn: text(values.arn), policy: text(values.policy), rotation: values.enable_key_rotation === true, deletionWindowDays: Number(values.deletion_window_in_days), retainedOnDelete: false }];
    }
    if (resource.type !== 'aws_cloudformation_stack' || text(resource.values.template_body) === undefined) return [];
    const template = JSON.parse(String(resource.values.template_body)) as Template;
    const outputs = (resource.values.outputs ?? {}) as Record<string, unknown>;
    return Object.entries(template.Resources ?? {})
      .filter(([, item]) => item.Type === 'AWS::KMS::Key')
      .map(([logicalId, item]) => {
        const output = arnOutput(template, logicalId);
        const properties = item.Properties ?? {};
        return {
          address: `${resource.address}/${logicalId}`,
          arn: output === undefined ? undefined : text(outputs[output]),
          policy: properties.KeyPolicy === undefined ? undefined : typeof properties.KeyPolicy === 'string' ? properties.KeyPolicy : JSON.stringify(properties.KeyPolicy),
          rotation: properties.EnableKeyRotation === true,
          deletionWindowDays: properties.PendingWindowInDays === undefined ? undefined : Number(properties.PendingWindowInDays),
          retainedOnDelete: item.DeletionPolicy === 'Retain',
        };
      });
  });
}
