output "function_name" {
  description = "Name of the trigger Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the trigger Lambda function (available once S3 may invoke it, so bucket notifications can be configured)."
  value       = aws_lambda_function.this.arn
  depends_on  = [aws_lambda_permission.s3]
}

output "log_group_name" {
  description = "Log group of the trigger function."
  value       = aws_cloudwatch_log_group.this.name
}

output "failure_queue_url" {
  description = "SQS queue that keeps upload events the trigger could not process."
  value       = aws_sqs_queue.failures.url
}

output "role_arn" {
  description = "ARN of the trigger's IAM role."
  value       = aws_iam_role.this.arn
}

output "reserved_concurrency" {
  description = "Reserved concurrent executions of the function (-1: none)."
  value       = aws_lambda_function.this.reserved_concurrent_executions
}

output "failure_alarm_name" {
  description = "CloudWatch alarm that notifies the topic when an event waits in the on-failure queue."
  value       = one(aws_cloudwatch_metric_alarm.failures[*].alarm_name)
}

output "start_host_policy_json" {
  description = "The statements that let a caller start the sleeping Flyway host (ec2:StartInstances on it, and kms:CreateGrant for EC2 when its volume is under a customer managed key); empty when the host does not sleep."
  value       = data.aws_iam_policy_document.start_host.json
}
