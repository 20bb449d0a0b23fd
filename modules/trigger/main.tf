data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  package_path = coalesce(var.package_path, "${path.module}/../../lambda/dist/trigger.zip")
  # ARNs are built from names, so the role's policy is fully known at plan time and reviewable.
  arn_prefix     = "arn:${data.aws_partition.current.partition}"
  region_account = "${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"
  log_group_arn  = "${local.arn_prefix}:logs:${local.region_account}:log-group:/aws/lambda/${var.name}"
  queue_arn      = "${local.arn_prefix}:sqs:${local.region_account}:${var.name}-failures"
}

resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_338:Retention is the log_retention_days input; a year of trigger logs is rarely wanted for an idle pipeline.
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# Events that still fail after the retries land here, with the original event, so no upload
# is lost: inspect the message, fix the cause, and re-upload or re-drive it.
resource "aws_sqs_queue" "failures" {
  name                              = "${var.name}-failures"
  message_retention_seconds         = 1209600
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 3600
  tags                              = var.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

# Starting the sleeping host before a command is sent: the trigger's, and the uploader's for
# `aurora-flyway run` (the root adds this document to uploader_policy_json). StartInstances on
# this one instance.
data "aws_iam_policy_document" "start_host" {
  dynamic "statement" {
    for_each = var.start_stopped_host ? [var.instance_arn] : []
    content {
      sid       = "StartTheSleepingHost"
      actions   = ["ec2:StartInstances"]
      resources = [statement.value]
    }
  }
  # Starting an instance whose volume is under a customer managed key needs the caller's
  # kms:CreateGrant for EC2; without it the instance goes from pending back to stopped
  # ("Client.InternalError: Client error on launch").
  dynamic "statement" {
    for_each = var.start_stopped_host && var.kms_key_arn != null ? [var.kms_key_arn] : []
    content {
      sid       = "LetEc2DecryptTheHostsVolume"
      actions   = ["kms:CreateGrant"]
      resources = [statement.value]
      condition {
        test     = "Bool"
        variable = "kms:GrantIsForAWSResource"
        values   = ["true"]
      }
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ec2.${data.aws_region.current.region}.${data.aws_partition.current.dns_suffix}"]
      }
    }
  }
}

data "aws_iam_policy_document" "this" {
  source_policy_documents = [data.aws_iam_policy_document.start_host.json]

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }
  # The database of each bucket lives in Parameter Store, not in the environment (4 KB in all).
  statement {
    sid       = "FindTheDatabaseOfABucket"
    actions   = ["ssm:GetParameter"]
    resources = ["${local.arn_prefix}:ssm:${local.region_account}:parameter${var.bucket_parameter_prefix}/*"]
  }
  statement {
    sid       = "RunTheFlywayDocumentOnTheHost"
    actions   = ["ssm:SendCommand"]
    resources = [var.document_arn, var.instance_arn]
  }
  # Tags are read first and merged, so the uploader's own tags survive (PutObjectTagging replaces the whole set).
  statement {
    sid       = "TagUploadedMigrations"
    actions   = ["s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"]
    resources = [for arn in var.bucket_arns : "${arn}/*"]
  }
  statement {
    sid       = "ReportRejectionsAndConfigErrors"
    actions   = ["sns:Publish"]
    resources = [var.topic_arn]
  }
  statement {
    sid       = "KeepFailedEvents"
    actions   = ["sqs:SendMessage"]
    resources = [local.queue_arn]
  }
  # A sleeping host is started again when it stopped while commands were waiting for it (starting
  # it: data.aws_iam_policy_document.start_host). ListCommandInvocations has no resource-level
  # permissions in AWS ("*" is the only resource it accepts) and reads no secrets.
  dynamic "statement" {
    for_each = var.start_stopped_host ? ["*"] : []
    content {
      sid       = "FindCommandsWaitingForTheHost"
      actions   = ["ssm:ListCommandInvocations"]
      resources = [statement.value]
    }
  }
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "UseTheModuleKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = var.name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
  lifecycle {
    # The role's only inline policy; IAM counts a role's inline policies together, minified.
    precondition {
      condition     = length(jsonencode(jsondecode(data.aws_iam_policy_document.this.json))) <= 10240
      error_message = "The trigger role's inline policy would exceed IAM's 10,240 characters: leave bucket_name unset for more databases (buckets the module names share one policy entry)."
    }
  }
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_117:The trigger only calls AWS APIs; outside a VPC it needs no NAT or endpoints.
  # checkov:skip=CKV_AWS_272:Code signing needs a signing profile; the package is a reproducible build checked by the tests.
  # checkov:skip=CKV_AWS_116:Asynchronous failures go to an on-failure destination (aws_lambda_function_event_invoke_config), which supersedes a DLQ.
  # checkov:skip=CKV_AWS_50:X-Ray tracing adds cost for a function that makes three API calls; its JSON logs carry the command ids.
  function_name                  = var.name
  role                           = aws_iam_role.this.arn
  filename                       = local.package_path
  source_code_hash               = filebase64sha256(local.package_path)
  handler                        = "index.handler"
  runtime                        = "nodejs22.x"
  architectures                  = ["arm64"]
  memory_size                    = 256
  timeout                        = 60
  reserved_concurrent_executions = var.reserved_concurrency
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = {
      DOCUMENT_NAME           = var.document_name
      INSTANCE_ID             = var.instance_id
      BUCKET_PARAMETER_PREFIX = var.bucket_parameter_prefix
      COMMAND_LOG_GROUP       = var.command_log_group_name
      COMMAND_TIMEOUT_SECONDS = tostring(var.command_timeout_seconds)
      NOTIFICATION_TOPIC_ARN  = var.topic_arn
      START_STOPPED_HOST      = tostring(var.start_stopped_host)
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags       = var.tags
  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = 21600
  destination_config {
    on_failure {
      destination = aws_sqs_queue.failures.arn
    }
  }
}

# An event in the on-failure queue is an upload that was not migrated: someone must look at it.
resource "aws_cloudwatch_metric_alarm" "failures" {
  count               = var.create_failure_alarm ? 1 : 0
  alarm_name          = "${var.name}-failed-events"
  alarm_description   = "Upload events the Flyway trigger could not process after its retries are waiting in ${aws_sqs_queue.failures.name}: fix the cause (see the trigger's log), then re-drive them."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.failures.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.topic_arn]
  tags                = var.tags
}

# One invoke permission for S3 in this account, not one per bucket: the function's resource policy
# holds 20 KB, which per-bucket statements (about 330 bytes each) exhaust at about 60 databases.
# A bucket that is not one of the module's has no bucket parameter, so its events are reported
# and never run.
resource "aws_lambda_permission" "s3" {
  statement_id   = "AllowS3InvokeFromThisAccount"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "s3.amazonaws.com"
  source_account = data.aws_caller_identity.current.account_id
}

# When the sleeping host has stopped, the function looks for commands that were sent while it shut
# down (they wait in Run Command) and starts it again for them.
resource "aws_cloudwatch_event_rule" "host_stopped" {
  count       = var.start_stopped_host ? 1 : 0
  name        = "${var.name}-host-stopped"
  description = "The Flyway host ${var.instance_id} stopped: start it again if commands wait for it."
  event_pattern = jsonencode({
    source        = ["aws.ec2"]
    "detail-type" = ["EC2 Instance State-change Notification"]
    detail        = { state = ["stopped"], "instance-id" = [var.instance_id] }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "host_stopped" {
  count     = var.start_stopped_host ? 1 : 0
  rule      = aws_cloudwatch_event_rule.host_stopped[0].name
  target_id = "flyway-trigger"
  arn       = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "host_stopped" {
  count         = var.start_stopped_host ? 1 : 0
  statement_id  = "AllowEventBridgeHostStopped"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.host_stopped[0].arn
}
