output "buckets" {
  description = "Migration bucket of each database (upload versioned SQL here)."
  value       = { for key, bucket in module.database_bucket : key => bucket.bucket_name }
}

output "upload_commands" {
  description = "A ready command per database that uploads a folder of migrations to its bucket."
  value       = { for key, bucket in module.database_bucket : key => "aws s3 sync ./migrations/${key} s3://${bucket.bucket_name}/ --exclude '*' --include '*.sql'" }
}

output "trigger_function_name" {
  description = "Name of the trigger Lambda function."
  value       = module.trigger.function_name
}

output "trigger_failure_queue_url" {
  description = "SQS queue that keeps upload events the trigger could not process after its retries."
  value       = module.trigger.failure_queue_url
}

output "document_name" {
  description = "Name of the SSM Command document that runs Flyway on the host."
  value       = module.flyway_host.document_name
}

output "instance_id" {
  description = "ID of the Flyway host (EC2)."
  value       = module.flyway_host.instance_id
}

output "host_security_group_id" {
  description = "Security group of the Flyway host (no inbound rules), for granting it access to other resources."
  value       = module.flyway_host.security_group_id
}

output "cluster_endpoint" {
  description = "Writer endpoint of the module's Aurora Serverless v2 cluster (null with create_cluster = false)."
  value       = one(module.aurora[*].endpoint)
}

output "cluster_port" {
  description = "Port of the module's cluster (null with create_cluster = false)."
  value       = one(module.aurora[*].port)
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the master user's password of the module's cluster (managed by RDS; null with create_cluster = false)."
  value       = one(module.aurora[*].master_user_secret_arn)
}

output "clusters" {
  description = "Every cluster the host serves, by key (\"default\": the module's own): endpoint, port, engine, engine version and the ARN of the secret the host logs in with."
  value       = local.clusters
}

output "command_log_group_name" {
  description = "CloudWatch log group with the output of every Flyway run."
  value       = module.flyway_host.command_log_group_name
}

output "notification_topic_arn" {
  description = "SNS topic for failed runs, rejected uploads and configuration errors."
  value       = module.notifications.topic_arn
}

output "config_prefix" {
  description = "SSM Parameter Store path of the per-database settings the runner reads."
  value       = local.config_prefix
}

output "artifacts_bucket_name" {
  description = "Bucket holding the host runner bundle that the command document fetches (checksum verified)."
  value       = module.flyway_host.artifacts_bucket_name
}

output "kms_key_policy_json" {
  description = "With kms_key_arn: the statements (a policy document) your key's policy must hold before apply, so that CloudWatch Logs can use the key for the module's log groups, and EventBridge and the failure alarm (cloudwatch.amazonaws.com, with create_failure_alarm) for the topic. Null without a customer managed key."
  value       = one(data.aws_iam_policy_document.kms_key_services[*].json)
}

output "kms_key_arn" {
  description = "The customer managed key everything is encrypted with (created with create_kms_key, or kms_key_arn); null for AWS managed keys."
  value       = local.kms_key_arn
}

output "uploader_policy_json" {
  description = "IAM policy (JSON) for the roles that run aurora-flyway against this pipeline (CI jobs, developers): find it, push and follow runs, run Flyway actions, replay failed events. Attach it to those roles; drop the statements a role should not have."
  value       = data.aws_iam_policy_document.uploader.json
}
