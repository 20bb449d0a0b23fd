# One database bucket, as modules/database-bucket plans it: private, encrypted, versioned,
# TLS-only, old versions expire, and only .sql uploads invoke the trigger, from this bucket only.
provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
}

run "database_bucket" {
  command = plan

  module {
    source = "./modules/database-bucket"
  }

  variables {
    bucket_name          = "flyway-users-123456789012"
    database_key         = "users"
    trigger_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:flyway-flyway-trigger"
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy && aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets
    error_message = "The bucket must block every kind of public access."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning must be on: the trigger tags object versions and nothing may be lost by an overwrite."
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_server_side_encryption_configuration.this.rule : one(rule.apply_server_side_encryption_by_default).sse_algorithm]) == "AES256"
    error_message = "Without a KMS key the bucket must use SSE-S3."
  }

  assert {
    condition = anytrue([
      for statement in jsondecode(data.aws_iam_policy_document.tls_only.json).Statement :
      statement.Effect == "Deny" && statement.Condition.Bool["aws:SecureTransport"] == "false"
    ])
    error_message = "The bucket policy must deny requests without TLS."
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.rule[0].noncurrent_version_expiration[0].noncurrent_days == 90
    error_message = "Old object versions must expire (90 days by default)."
  }

  assert {
    condition     = length(aws_s3_bucket_notification.this.lambda_function) == 1
    error_message = "Exactly one notification per bucket."
  }

  assert {
    condition     = aws_s3_bucket_notification.this.lambda_function[0].filter_suffix == ".sql" && aws_s3_bucket_notification.this.lambda_function[0].events == toset(["s3:ObjectCreated:*"])
    error_message = "Only created .sql objects may invoke the trigger."
  }
}

run "customer_managed_key" {
  command = plan

  module {
    source = "./modules/database-bucket"
  }

  variables {
    bucket_name          = "flyway-users-123456789012"
    database_key         = "users"
    trigger_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:flyway-flyway-trigger"
    kms_key_arn          = "arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_server_side_encryption_configuration.this.rule : one(rule.apply_server_side_encryption_by_default).sse_algorithm]) == "aws:kms"
    error_message = "With a KMS key the bucket must use SSE-KMS."
  }
}
