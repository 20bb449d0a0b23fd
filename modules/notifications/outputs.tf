output "topic_arn" {
  description = "ARN of the SNS topic that receives failure notifications."
  value       = aws_sns_topic.this.arn
}

output "rule_name" {
  description = "Name of the EventBridge rule that forwards failed runs."
  value       = aws_cloudwatch_event_rule.this.name
}
