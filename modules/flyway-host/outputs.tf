output "instance_id" {
  description = "ID of the Flyway host."
  value       = aws_instance.this.id
}

output "instance_arn" {
  description = "ARN of the Flyway host."
  # Built like every ARN the module's policies name (the emulator answers ARNs without account).
  value = "${local.arn_prefix}:ec2:${local.region_account}:instance/${aws_instance.this.id}"
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
  # Built like every ARN the module's policies name, from the name (known at plan time).
  value = "${local.arn_prefix}:ssm:${local.region_account}:document/${aws_ssm_document.this.name}"
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
