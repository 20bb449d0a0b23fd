output "instance_id" {
  description = "ID of the Flyway host."
  value       = aws_instance.this.id
}

output "instance_arn" {
  description = "ARN of the Flyway host."
  value       = aws_instance.this.arn
}

output "security_group_id" {
  description = "Security group of the Flyway host."
  value       = aws_security_group.this.id
}

output "role_arn" {
  description = "ARN of the host's IAM role."
  value       = aws_iam_role.this.arn
}

output "document_name" {
  description = "Name of the SSM Command document that runs Flyway."
  value       = aws_ssm_document.this.name
}

output "document_arn" {
  description = "ARN of the SSM Command document."
  value       = aws_ssm_document.this.arn
}

output "command_log_group_name" {
  description = "Log group that receives the output of each run."
  value       = aws_cloudwatch_log_group.commands.name
}

output "document_content" {
  description = "Content of the SSM Command document (for review and tests)."
  value       = aws_ssm_document.this.content
}

output "artifacts_bucket_name" {
  description = "Bucket holding the runner bundle the document fetches."
  value       = aws_s3_bucket.artifacts.id
}
