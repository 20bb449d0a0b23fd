data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# The topic's and the rule's ARNs built from their names, so that the topic policy is known at
# plan time (test/terraform/root.tftest.hcl reads it from a plan).
locals {
  arn_prefix = "arn:${data.aws_partition.current.partition}"
  topic_arn  = "${local.arn_prefix}:sns:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:${var.name}"
  rule_arn   = "${local.arn_prefix}:events:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:rule/${var.name}"
}

resource "aws_sns_topic" "this" {
  # checkov:skip=CKV_AWS_26:Without a customer managed key the topic is not encrypted at rest on purpose: neither EventBridge nor CloudWatch alarms can publish to a topic under the AWS managed key alias/aws/sns (its key policy cannot grant events.amazonaws.com or cloudwatch.amazonaws.com), so failure e-mails would never arrive. With kms_key_arn the topic uses that key, whose policy must allow both (see the README).
  name              = var.name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.email_addresses)
  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

# Run Command reports every status change of a command; only the ones a person must act on
# (the run failed, timed out or was cancelled) reach the topic.
resource "aws_cloudwatch_event_rule" "this" {
  name        = var.name
  description = "Failed, timed-out or cancelled Flyway runs of ${var.document_name}"
  event_pattern = jsonencode({
    source        = ["aws.ssm"]
    "detail-type" = ["EC2 Command Status-change Notification"]
    detail = {
      "document-name" = [var.document_name]
      status          = ["Failed", "TimedOut", "Cancelled"]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  rule      = aws_cloudwatch_event_rule.this.name
  target_id = "sns"
  arn       = aws_sns_topic.this.arn
  input_transformer {
    input_paths = {
      command  = "$.detail.command-id"
      status   = "$.detail.status"
      document = "$.detail.document-name"
      time     = "$.time"
    }
    input_template = "\"Flyway run <command> (document <document>) ended with status <status> at <time>. Its output is in the command log group; fix the migration or the host and upload again.\""
  }
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "AllowEventBridgeRule"
    actions   = ["sns:Publish"]
    resources = [local.topic_arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [local.rule_arn]
    }
  }
  # CloudWatch alarms publish as the service principal cloudwatch.amazonaws.com, which this policy
  # (it replaces SNS's default one) would otherwise refuse: the alarm's history then shows
  # "...:alarm:<name> is not authorized to perform: SNS:Publish" and no e-mail goes out. Scoped to
  # the module's own alarms by aws:SourceArn and to this account by aws:SourceAccount, as in AWS's
  # examples for alarms (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
  # and the SNS Developer Guide's "Example cases for Amazon SNS access control",
  # https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html).
  dynamic "statement" {
    for_each = length(var.alarm_arns) > 0 ? [var.alarm_arns] : []
    content {
      sid       = "AllowCloudWatchAlarms"
      actions   = ["sns:Publish"]
      resources = [local.topic_arn]
      principals {
        type        = "Service"
        identifiers = ["cloudwatch.amazonaws.com"]
      }
      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = statement.value
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
    }
  }
  statement {
    sid       = "AllowAccountPrincipals"
    actions   = ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes"]
    resources = [local.topic_arn]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic.json
}
