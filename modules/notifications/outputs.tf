output "topic_arn" {
  description = "ARN of the SNS topic that receives failure notifications."
  value       = aws_sns_topic.this.arn
}

output "rule_name" {
  description = "Name of the EventBridge rule that forwards failed runs."
  value       = aws_cloudwatch_event_rule.this.name
}

output "topic_kms_key_id" {
  description = "KMS key of the topic (null: not encrypted at rest, so EventBridge and CloudWatch alarms can publish without a key policy)."
  value       = aws_sns_topic.this.kms_master_key_id
}

output "topic_policy_json" {
  description = "The topic's access policy: who may publish (the EventBridge rule, the given alarms, the account's principals) and subscribe."
  value       = data.aws_iam_policy_document.topic.json
}
