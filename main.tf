data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  is_mysql       = var.engine == "aurora-mysql"
  engine_version = coalesce(var.engine_version, local.is_mysql ? "8.0.mysql_aurora.3.08.2" : "16.6")
  config_prefix  = "/${var.name_prefix}/flyway"
  # Maven's own client on the host fetches the pinned CLI archive (SHA-256 verified after download).
  flyway_source = coalesce(var.flyway_download_url, "maven:org.flywaydb:flyway-commandline:${var.flyway_version}:tar.gz")
  tags          = merge({ "flyway:pipeline" = var.name_prefix }, var.tags)

  # The clusters the host serves: the module's own ("default", with create_cluster) and the
  # existing ones (clusters.tf), each as the runner reaches it.
  clusters = merge(
    var.create_cluster ? {
      default = {
        endpoint       = module.aurora[0].endpoint
        port           = module.aurora[0].port
        engine         = var.engine
        engine_version = local.engine_version
        secret_arn     = module.aurora[0].master_user_secret_arn
      }
    } : {},
    local.existing_clusters,
  )

  # S3 bucket names allow no underscores; database keys do.
  databases = {
    for key, db in var.databases : key => {
      cluster              = db.cluster
      is_mysql             = local.clusters[db.cluster].engine == "aurora-mysql"
      bucket_name          = coalesce(db.bucket_name, "${var.name_prefix}-${replace(key, "_", "-")}-${data.aws_caller_identity.current.account_id}")
      database_name        = coalesce(db.database_name, key)
      schemas              = coalesce(db.schemas, local.clusters[db.cluster].engine == "aurora-mysql" ? [coalesce(db.database_name, key)] : ["public"])
      placeholders         = db.placeholders
      baseline_on_migrate  = db.baseline_on_migrate
      out_of_order         = db.out_of_order
      callbacks            = db.callbacks
      lock_timeout_ms      = floor(coalesce(db.lock_timeout_seconds, var.default_lock_timeout_seconds) * 1000)
      statement_timeout_ms = floor(coalesce(db.statement_timeout_seconds, var.default_statement_timeout_seconds) * 1000)
      lock_retries         = coalesce(db.lock_retries, var.default_lock_retries)
    }
  }
  # Tenant groups: one bucket each, like a database; every tenant a database of its own.
  groups = {
    for key, group in var.tenant_groups : key => {
      bucket_name          = coalesce(group.bucket_name, "${var.name_prefix}-${replace(key, "_", "-")}-${data.aws_caller_identity.current.account_id}")
      canary               = group.canary
      on_error             = group.on_error
      placeholders         = group.placeholders
      baseline_on_migrate  = group.baseline_on_migrate
      out_of_order         = group.out_of_order
      callbacks            = group.callbacks
      lock_timeout_ms      = floor(coalesce(group.lock_timeout_seconds, var.default_lock_timeout_seconds) * 1000)
      statement_timeout_ms = floor(coalesce(group.statement_timeout_seconds, var.default_statement_timeout_seconds) * 1000)
      lock_retries         = coalesce(group.lock_retries, var.default_lock_retries)
      clusters             = distinct(group.tenants[*].cluster)
      tenants = [
        for tenant in group.tenants : {
          tenant   = tenant.name
          database = coalesce(tenant.database_name, tenant.name)
          cluster  = tenant.cluster
          schemas  = local.clusters[tenant.cluster].engine == "aurora-mysql" ? [coalesce(tenant.database_name, tenant.name)] : coalesce(group.schemas, ["public"])
        }
      ]
    }
  }
  # Every bucket the module makes: a database's or a tenant group's.
  bucket_names = merge({ for key, db in local.databases : key => db.bucket_name }, { for key, group in local.groups : key => group.bucket_name })

  # What IAM grants name: the buckets named by the module (<name_prefix>-<key>-<account id>) through
  # one pattern, so that no role's policy grows with the databases (bucket ARNs listed one by one
  # pass IAM's 6,144-character managed-policy limit at about 40 databases); a bucket_name given by
  # the user is listed as is. See the README, "Quotas and policy sizes".
  default_bucket_pattern = "${var.name_prefix}-*-${data.aws_caller_identity.current.account_id}"
  custom_bucket_names    = sort([for target in concat(values(var.databases), values(var.tenant_groups)) : target.bucket_name if target.bucket_name != null])
  bucket_grant_arns = [
    for name in distinct(concat(length(local.custom_bucket_names) < length(var.databases) + length(var.tenant_groups) ? [local.default_bucket_pattern] : [], local.custom_bucket_names)) :
    "arn:${data.aws_partition.current.partition}:s3:::${name}"
  ]
}

module "network" {
  source     = "./modules/network"
  count      = var.create_vpc ? 1 : 0
  name       = var.name_prefix
  cidr_block = var.vpc_cidr
  tags       = local.tags
}

locals {
  vpc_id              = var.create_vpc ? module.network[0].vpc_id : var.vpc_id
  host_subnet_id      = var.create_vpc ? module.network[0].public_subnet_ids[0] : var.host_subnet_id
  database_subnet_ids = var.create_vpc ? module.network[0].private_subnet_ids : var.database_subnet_ids
}

module "flyway_host" {
  source                            = "./modules/flyway-host"
  name                              = "${var.name_prefix}-flyway"
  vpc_id                            = local.vpc_id
  subnet_id                         = local.host_subnet_id
  associate_public_ip_address       = var.host_associate_public_ip
  instance_type                     = var.instance_type
  architecture                      = var.host_architecture
  ami_id                            = var.host_ami_id
  flyway_version                    = var.flyway_version
  flyway_source                     = local.flyway_source
  flyway_sha256                     = var.flyway_sha256
  config_prefix                     = local.config_prefix
  bucket_arns                       = local.bucket_grant_arns
  network_dependencies              = var.create_vpc ? module.network[0].host_network_ready : []
  rds_ca_bundle                     = var.rds_ca_bundle
  command_execution_timeout_seconds = var.command_execution_timeout_seconds
  # Every cluster the host serves, in the key order of local.clusters: the document names each
  # endpoint with its login's secret, and the host may read exactly these secrets.
  database_targets    = [for key, cluster in local.clusters : { endpoint = cluster.endpoint, port = cluster.port, secret_arn = cluster.secret_arn }]
  secret_kms_key_arns = local.existing_secret_kms_key_arns
  # Only a tenant group's run publishes (which tenants failed), so only with groups may the host.
  # Built from the topic's name (modules/notifications), whose rule names the host's document: the
  # topic cannot wait for the host.
  notification_topic_arn  = length(var.tenant_groups) == 0 ? null : "${local.arn_prefix}:sns:${local.region_account}:${var.name_prefix}-flyway-failures"
  max_parallel_migrations = var.max_parallel_migrations
  settle_seconds          = var.settle_seconds
  idle_stop_minutes       = var.host_idle_stop_minutes
  log_retention_days      = var.log_retention_days
  kms_key_arn             = local.kms_key_arn
  tags                    = local.tags
}

module "aurora" {
  source                     = "./modules/aurora"
  count                      = var.create_cluster ? 1 : 0
  name                       = "${var.name_prefix}-aurora"
  engine                     = var.engine
  engine_version             = local.engine_version
  master_username            = var.master_username
  min_capacity               = var.serverless_min_capacity
  max_capacity               = var.serverless_max_capacity
  seconds_until_auto_pause   = var.seconds_until_auto_pause
  vpc_id                     = local.vpc_id
  subnet_ids                 = local.database_subnet_ids
  client_security_group_id   = module.flyway_host.security_group_id
  kms_key_arn                = local.kms_key_arn
  deletion_protection        = var.deletion_protection
  skip_final_snapshot        = var.skip_final_snapshot
  log_retention_days         = var.log_retention_days
  auto_minor_version_upgrade = var.auto_minor_version_upgrade
  tags                       = local.tags
}

# 0.2 called the cluster module once; it is counted now (create_cluster), and the one cluster moves
# to index 0 without being touched.
moved {
  from = module.aurora
  to   = module.aurora[0]
}

# The trigger's alarm notifies the topic, so the topic's policy (and a customer key's policy) must
# name the alarm. Its ARN is built from the name modules/trigger gives it ("<name>-failed-events"),
# not taken from the alarm: the trigger needs the topic's ARN, and the topic's policy needing the
# alarm's would make a cycle. test/terraform/root.tftest.hcl checks that the two names agree.
locals {
  failure_alarm_arns = var.create_failure_alarm ? ["${local.arn_prefix}:cloudwatch:${local.region_account}:alarm:${var.name_prefix}-flyway-trigger-failed-events"] : []
}

module "notifications" {
  source          = "./modules/notifications"
  name            = "${var.name_prefix}-flyway-failures"
  document_name   = module.flyway_host.document_name
  email_addresses = var.notification_emails
  alarm_arns      = local.failure_alarm_arns
  kms_key_arn     = local.kms_key_arn
  tags            = local.tags
}

module "trigger" {
  source                  = "./modules/trigger"
  name                    = "${var.name_prefix}-flyway-trigger"
  document_arn            = module.flyway_host.document_arn
  document_name           = module.flyway_host.document_name
  instance_arn            = module.flyway_host.instance_arn
  instance_id             = module.flyway_host.instance_id
  bucket_arns             = local.bucket_grant_arns
  bucket_parameter_prefix = "${local.config_prefix}/buckets"
  command_log_group_name  = module.flyway_host.command_log_group_name
  topic_arn               = module.notifications.topic_arn
  log_retention_days      = var.log_retention_days
  kms_key_arn             = local.kms_key_arn
  reserved_concurrency    = var.trigger_reserved_concurrency
  create_failure_alarm    = var.create_failure_alarm
  start_stopped_host      = var.host_idle_stop_minutes > 0
  tags                    = local.tags
}

module "database_bucket" {
  source               = "./modules/database-bucket"
  for_each             = local.bucket_names
  bucket_name          = each.value
  database_key         = each.key
  trigger_function_arn = module.trigger.function_arn
  kms_key_arn          = local.kms_key_arn
  force_destroy        = var.force_destroy
  tags                 = local.tags
}

# Each database's settings, read by the runner on the host at run time. Adding a database adds a
# parameter; the host itself is untouched. The secret is referenced by ARN, never copied.
resource "aws_ssm_parameter" "database_settings" {
  # checkov:skip=CKV2_AWS_34:Holds no secret (endpoint, names, the secret's ARN); a String keeps it readable in the console.
  for_each = local.databases
  name     = "${local.config_prefix}/databases/${each.key}"
  type     = "String"
  # Standard parameters hold 4 KB; a large placeholder map moves to the advanced tier (8 KB) by itself.
  tier = "Intelligent-Tiering"
  value = jsonencode(merge({
    key       = each.key
    bucket    = each.value.bucket_name
    database  = each.value.database_name
    engine    = each.value.is_mysql ? "mysql" : "postgresql"
    host      = local.clusters[each.value.cluster].endpoint
    port      = local.clusters[each.value.cluster].port
    secret_id = local.clusters[each.value.cluster].secret_arn
    flyway = {
      schemas              = each.value.schemas
      placeholders         = each.value.placeholders
      baseline_on_migrate  = each.value.baseline_on_migrate
      out_of_order         = each.value.out_of_order
      callbacks            = each.value.callbacks
      connect_retries      = 120
      lock_timeout_seconds = 900
      # The database's own timeouts on every migration session (lock_timeout, statement_timeout).
      db_lock_timeout_ms      = each.value.lock_timeout_ms
      db_statement_timeout_ms = each.value.statement_timeout_ms
      lock_retries            = each.value.lock_retries
    }
    },
    # Where a database on an existing cluster lives (its engine version for the client's linter);
    # left out for the module's own cluster, so that configurations of 0.2 plan no change.
    { for name, value in { cluster = each.value.cluster, engine_version = local.clusters[each.value.cluster].engine_version } : name => value if each.value.cluster != "default" },
  ))
  tags = local.tags
}

# A tenant group's settings, where a database's would be: the runner and the client find a group by
# its key like a database. Each cluster's connection is written once; tenants name their cluster.
resource "aws_ssm_parameter" "group_settings" {
  # checkov:skip=CKV2_AWS_34:Holds no secret (endpoints, names, the secrets' ARNs); a String keeps it readable in the console.
  for_each = local.groups
  name     = "${local.config_prefix}/databases/${each.key}"
  type     = "String"
  tier     = "Intelligent-Tiering"
  value    = local.group_settings[each.key]
  tags     = local.tags

  lifecycle {
    precondition {
      # SSM counts bytes: the UTF-8 size is read off the base64 encoding (3 bytes per 4 characters, less the padding).
      condition     = length(base64encode(local.group_settings[each.key])) / 4 * 3 - length(regexall("=", base64encode(local.group_settings[each.key]))) <= 8192
      error_message = "The settings of the tenant group ${each.key} take more than 8 KB, the most a parameter holds: split the group (each tenant takes its name, database and schemas; each cluster its endpoint and secret ARN once)."
    }
  }
}

locals {
  group_settings = {
    for key, group in local.groups : key => jsonencode({
      key   = key
      group = { canary = group.canary, on_error = group.on_error }
      clusters = {
        for cluster in group.clusters : cluster => {
          engine         = local.clusters[cluster].engine == "aurora-mysql" ? "mysql" : "postgresql"
          engine_version = local.clusters[cluster].engine_version
          host           = local.clusters[cluster].endpoint
          port           = local.clusters[cluster].port
          secret_id      = local.clusters[cluster].secret_arn
        }
      }
      tenants = group.tenants
      bucket  = group.bucket_name
      flyway = {
        placeholders            = group.placeholders
        baseline_on_migrate     = group.baseline_on_migrate
        out_of_order            = group.out_of_order
        callbacks               = group.callbacks
        connect_retries         = 120
        lock_timeout_seconds    = 900
        db_lock_timeout_ms      = group.lock_timeout_ms
        db_statement_timeout_ms = group.statement_timeout_ms
        lock_retries            = group.lock_retries
      }
    })
  }
}

# What the aurora-flyway client needs to find the pipeline from its name_prefix alone: where to
# send commands and where their output and the trigger's failed events go.
resource "aws_ssm_parameter" "pipeline" {
  # checkov:skip=CKV2_AWS_34:Holds names and ids, no secret.
  name = "${local.config_prefix}/pipeline"
  type = "String"
  value = jsonencode({
    name_prefix           = var.name_prefix
    engine                = local.is_mysql ? "mysql" : "postgresql"
    engine_version        = local.engine_version
    document_name         = module.flyway_host.document_name
    instance_id           = module.flyway_host.instance_id
    command_log_group     = module.flyway_host.command_log_group_name
    failure_queue_url     = module.trigger.failure_queue_url
    trigger_function_name = module.trigger.function_name
    host_sleeps           = var.host_idle_stop_minutes > 0
  })
  tags = local.tags
}

# Which database a bucket belongs to, for the trigger: one small parameter per bucket, so any
# number of databases fits (the function's environment holds 4 KB in all).
resource "aws_ssm_parameter" "bucket_database" {
  # checkov:skip=CKV2_AWS_34:Holds a database key, no secret.
  for_each = local.bucket_names
  name     = "${local.config_prefix}/buckets/${each.value}"
  type     = "String"
  value    = each.key
  tags     = local.tags
}

# What a customer managed key's policy must grant the services that write to the module's
# encrypted resources with it (the module's roles are granted by their IAM policies): CloudWatch
# Logs for each log group, EventBridge and the trigger's CloudWatch alarm for the failure topic.
# Built from names only, never from the resources that use the key, so the key and its policy can
# exist before them (AWS refuses to create a log group under a key whose policy does not let
# CloudWatch Logs use it).
locals {
  # ARNs built from names: known at plan time, the same on AWS and the emulator.
  arn_prefix     = "arn:${data.aws_partition.current.partition}"
  region_account = "${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"
  kms_key_arn = (
    !var.create_kms_key ? var.kms_key_arn :
    var.retain_kms_key_on_destroy ? aws_cloudformation_stack.kms_key[0].outputs["KeyArn"] : aws_kms_key.deleted_on_destroy[0].arn
  )
  kms_key_description = "Flyway pipeline ${var.name_prefix}: migration buckets, logs, failure queue and topic, cluster storage and its secret"
  uses_kms            = var.create_kms_key || var.kms_key_arn != null
  # The log groups the submodules create: the host's command output, the trigger's, the cluster's exports.
  log_group_names = concat(
    ["/flyway/${var.name_prefix}-flyway/commands", "/aws/lambda/${var.name_prefix}-flyway-trigger"],
    [for log in(!var.create_cluster ? [] : local.is_mysql ? ["audit", "error", "slowquery"] : ["postgresql"]) : "/aws/rds/cluster/${var.name_prefix}-aurora/${log}"],
  )
}

data "aws_iam_policy_document" "kms_key_services" {
  # checkov:skip=CKV_AWS_111:A key policy's "*" resource is the key itself; the statements are scoped by service principal (and log group, or alarm and account).
  # checkov:skip=CKV_AWS_356:A key policy's "*" resource is the key itself; a key policy cannot name another resource.
  count = local.uses_kms ? 1 : 0
  statement {
    sid       = "CloudWatchLogsUsesTheKeyForTheModuleLogGroups"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.region}.${data.aws_partition.current.dns_suffix}"]
    }
    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [for group in local.log_group_names : "${local.arn_prefix}:logs:${local.region_account}:log-group:${group}"]
    }
  }
  # EventBridge publishes failed runs to the encrypted topic; SNS asks KMS on its behalf. No
  # aws:SourceAccount/aws:SourceArn here: the SNS Developer Guide says they are "not supported for
  # EventBridge-to-encrypted topics" in a key policy (link below).
  statement {
    sid       = "EventBridgePublishesToTheEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
  # The trigger's alarm publishes to the encrypted topic as cloudwatch.amazonaws.com, which needs
  # exactly kms:Decrypt and kms:GenerateDataKey* on the topic's key: SNS Developer Guide, "Enable
  # compatibility between event sources from AWS services and encrypted topics"
  # (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services),
  # whose table names cloudwatch.amazonaws.com for Amazon CloudWatch. Its step 3 adds
  # aws:SourceAccount and aws:SourceArn against confused deputies (supported for every source but
  # EventBridge): here the account, and the alarm's ARN, the one the topic policy names.
  dynamic "statement" {
    for_each = var.create_failure_alarm ? [local.failure_alarm_arns] : []
    content {
      sid       = "CloudWatchAlarmPublishesToTheEncryptedTopic"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["cloudwatch.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = statement.value
      }
    }
  }
}

# The key the module creates: the account's IAM policies decide who uses it (the module's roles
# are granted exactly what they need), plus the services above.
data "aws_iam_policy_document" "kms_key" {
  # checkov:skip=CKV_AWS_109:The account root statement is AWS's default key policy: it hands the decision to the account's IAM policies instead of granting anyone anything.
  # checkov:skip=CKV_AWS_111:The account root statement is AWS's default key policy (see above); "*" in a key policy is the key itself.
  # checkov:skip=CKV_AWS_356:A key policy's "*" resource is the key itself; a key policy cannot name another resource.
  count                   = var.create_kms_key ? 1 : 0
  source_policy_documents = [data.aws_iam_policy_document.kms_key_services[0].json]
  statement {
    sid       = "AccountIamPoliciesGrantUse"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

# The module's key outlives `terraform destroy` by default (retain_kms_key_on_destroy): the
# cluster's final snapshot is encrypted with it, and "after a KMS key is deleted, you can no longer
# decrypt the data that was encrypted under that KMS key" (KMS Developer Guide, deleting keys).
# Terraform has no way to leave a resource behind on destroy, and aws_kms_key's destroy always
# schedules the key's deletion; so the key is held by a CloudFormation stack whose DeletionPolicy
# and UpdateReplacePolicy are Retain: destroying the stack leaves the key enabled (about 1 USD a
# month) and the snapshot restorable. The README says how to delete it once the snapshot is gone.
resource "aws_cloudformation_stack" "kms_key" {
  # checkov:skip=CKV_AWS_124:The stack only holds the module's key; its events (the key's creation and release) are in CloudTrail, and the module's topic is encrypted with this very key.
  count = var.create_kms_key && var.retain_kms_key_on_destroy ? 1 : 0
  name  = "${var.name_prefix}-flyway-kms-key"
  template_body = jsonencode({
    Description = "Flyway pipeline ${var.name_prefix}: its KMS key, kept when the stack is deleted so the final snapshot stays restorable"
    Resources = {
      Key = {
        Type                = "AWS::KMS::Key"
        DeletionPolicy      = "Retain"
        UpdateReplacePolicy = "Retain"
        Properties = {
          Description         = local.kms_key_description
          EnableKeyRotation   = true
          PendingWindowInDays = 30
          KeyPolicy           = jsondecode(data.aws_iam_policy_document.kms_key[0].json)
        }
      }
    }
    Outputs = {
      KeyArn = { Value = { "Fn::GetAtt" = ["Key", "Arn"] } }
    }
  })
  # CloudFormation gives the stack's tags to the key it creates.
  tags = local.tags
}

# With retain_kms_key_on_destroy = false: Terraform owns the key, and destroy schedules its
# deletion (30 days), after which the final snapshot can never be restored.
resource "aws_kms_key" "deleted_on_destroy" {
  count                   = var.create_kms_key && !var.retain_kms_key_on_destroy ? 1 : 0
  description             = local.kms_key_description
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms_key[0].json
  tags                    = local.tags
}

# Where versions before 0.2 kept the module's key. Never created; it is here so that an upgrade
# stops at plan time instead of replacing the cluster (and scheduling the deletion of the key its
# final snapshot would need): README, "Upgrading from 0.1: the module's key".
resource "aws_kms_key" "this" { # Upgrading from 0.1 with create_kms_key = true? Read the README, "Upgrading from 0.1: the module's key".
  # checkov:skip=CKV2_AWS_64:Never created (count = 0): it only guards 0.1 state; the keys the module creates have their policy.
  count               = 0
  enable_key_rotation = true
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_kms_alias" "this" {
  count         = var.create_kms_key ? 1 : 0
  name          = "alias/${var.name_prefix}-flyway"
  target_key_id = local.kms_key_arn
}

# What an uploader's role (a CI job, a developer) needs to run aurora-flyway against this
# pipeline: find it, push to the buckets and follow the runs (push, status, logs), run Flyway
# actions (run), and re-drive failed events (replay). Built from names, so known at plan time.
data "aws_iam_policy_document" "uploader" {
  # `aurora-flyway run` starts the sleeping host before it sends its command, as the trigger does.
  source_policy_documents = [module.trigger.start_host_policy_json]

  statement {
    sid     = "FindThePipeline"
    actions = ["ssm:GetParameter", "ssm:GetParametersByPath"]
    resources = [
      "${local.arn_prefix}:ssm:${local.region_account}:parameter${local.config_prefix}/pipeline",
      "${local.arn_prefix}:ssm:${local.region_account}:parameter${local.config_prefix}/databases",
      "${local.arn_prefix}:ssm:${local.region_account}:parameter${local.config_prefix}/databases/*",
    ]
  }
  # ListBucketVersions and GetObjectVersion: push judges its upload by the outcome record's
  # history (each pass's record is a version of .flyway/outcome.json), not by the latest record.
  statement {
    sid       = "ListMigrationBuckets"
    actions   = ["s3:ListBucket", "s3:ListBucketVersions"]
    resources = local.bucket_grant_arns
  }
  statement {
    sid       = "PushMigrationsAndReadOutcomes"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetObjectTagging", "s3:GetObjectVersionTagging"]
    resources = [for arn in local.bucket_grant_arns : "${arn}/*"]
  }
  # Run Command's read actions support no resource types: "*" is the only resource they accept.
  statement {
    sid       = "FollowCommands"
    actions   = ["ssm:GetCommandInvocation", "ssm:ListCommands"]
    resources = ["*"]
  }
  statement {
    sid       = "RunFlywayActions"
    actions   = ["ssm:SendCommand"]
    resources = [module.flyway_host.document_arn, module.flyway_host.instance_arn]
  }
  # AWS authorizes DescribeLogStreams on the group's ARN or on "log-group:<name>:log-stream:".
  statement {
    sid     = "ReadCommandOutput"
    actions = ["logs:DescribeLogStreams", "logs:GetLogEvents"]
    resources = [
      "${local.arn_prefix}:logs:${local.region_account}:log-group:${module.flyway_host.command_log_group_name}",
      "${local.arn_prefix}:logs:${local.region_account}:log-group:${module.flyway_host.command_log_group_name}:*",
    ]
  }
  statement {
    sid       = "ReplayFailedEvents"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
    resources = ["${local.arn_prefix}:sqs:${local.region_account}:${var.name_prefix}-flyway-trigger-failures"]
  }
  statement {
    sid       = "ReinvokeTheTrigger"
    actions   = ["lambda:InvokeFunction"]
    resources = [module.trigger.function_arn]
  }
  dynamic "statement" {
    for_each = local.uses_kms ? [local.kms_key_arn] : []
    content {
      sid       = "UseTheModuleKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}
