# One database bucket, as modules/database-bucket plans it: private, encrypted, versioned,
# TLS-only, old versions expire, and only uploads ending in .sql (in any case: S3 matches suffixes
# case-sensitively, and the trigger must see V1__x.SQL to reject it) invoke the trigger.
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
    condition     = length(aws_s3_bucket_notification.this.lambda_function) == 8
    error_message = "One notification configuration per case variant of the .sql suffix (eight), and no other."
  }

  assert {
    condition = toset([for config in aws_s3_bucket_notification.this.lambda_function : config.filter_suffix]) == toset([
      ".sql", ".sqL", ".sQl", ".sQL", ".Sql", ".SqL", ".SQl", ".SQL",
    ])
    error_message = "Every case variant of .sql must invoke the trigger, so that V1__x.SQL is rejected and reported instead of never seen."
  }

  assert {
    # AWS refuses overlapping suffixes for one event type: two overlap when a key can end with both,
    # that is when one ends with the other (S3 User Guide, notification-how-to-filtering).
    condition = alltrue(flatten([
      for a in aws_s3_bucket_notification.this.lambda_function : [
        for b in aws_s3_bucket_notification.this.lambda_function : a.filter_suffix == b.filter_suffix || !endswith(a.filter_suffix, b.filter_suffix)
      ]
    ]))
    error_message = "No two notification suffixes may overlap: S3 would refuse the configuration."
  }

  assert {
    condition = alltrue([
      for config in aws_s3_bucket_notification.this.lambda_function :
      config.events == toset(["s3:ObjectCreated:*"]) && config.lambda_function_arn == var.trigger_function_arn && (config.filter_prefix == null || config.filter_prefix == "")
    ])
    error_message = "Only created objects may invoke the trigger, each configuration on the suffix alone."
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
