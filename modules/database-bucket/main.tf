data "aws_partition" "current" {}

locals {
  # Built from the name, so the policy is known at plan time and reviewable there.
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"

  # Every case variant of the suffix: .sql, .sqL, .sQl, .sQL, .Sql, .SqL, .SQl, .SQL. S3 compares a
  # suffix filter with the key as a string, so ".sql" alone never sends V1__x.SQL to the trigger,
  # which must see it to reject and report it (common/src/flyway-name.ts says why it is rejected).
  sql_suffixes = [for letters in setproduct(["s", "S"], ["q", "Q"], ["l", "L"]) : ".${join("", letters)}"]
}

resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV_AWS_18:Access logging needs a separate log bucket; uploads are already audited by the object tags, the command log group and CloudTrail.
  # checkov:skip=CKV_AWS_144:Cross-region replication of migration sources is out of scope; the SQL lives in version control.
  # checkov:skip=CKV2_AWS_62:Event notifications are configured in aws_s3_bucket_notification.this (checkov cannot link them).
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { "flyway:database" = var.database_key })
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  # checkov:skip=CKV2_AWS_67:Key rotation is the key owner's setting; without a key SSE-S3 is used.
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "tls_only" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.bucket_arn,
      "${local.bucket_arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket     = aws_s3_bucket.this.id
  policy     = data.aws_iam_policy_document.tls_only.json
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_notification" "this" {
  bucket = aws_s3_bucket.this.id
  # One configuration per suffix variant, all to the same function. S3 refuses configurations of the
  # same event type whose filters overlap, and two suffixes overlap when one string can end with both
  # ("Configuring event notifications using object key name filtering", Amazon S3 User Guide,
  # https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html). These
  # eight have the same length and differ as strings, so no key ends with two of them and a key
  # invokes the trigger at most once. The emulator does not check overlaps (moto 5.2.1 accepts any);
  # test/terraform/buckets.tftest.hcl does, with the rule above.
  dynamic "lambda_function" {
    for_each = local.sql_suffixes
    content {
      lambda_function_arn = var.trigger_function_arn
      events              = ["s3:ObjectCreated:*"]
      filter_suffix       = lambda_function.value
    }
  }
  # trigger_function_arn comes from the trigger module only once S3 may invoke the function.
}
