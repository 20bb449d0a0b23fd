# The root module as a user applies it: one bucket, notification and invoke permission per
# database, and settings for the runner per database.
provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
}

run "defaults" {
  command = plan

  assert {
    condition     = keys(module.database_bucket) == ["products", "users"]
    error_message = "The default databases are users and products, one bucket module each."
  }

  assert {
    condition     = keys(aws_ssm_parameter.database_settings) == ["products", "users"]
    error_message = "Each database gets exactly one settings parameter."
  }

  assert {
    condition     = aws_ssm_parameter.database_settings["users"].name == "/flyway/flyway/databases/users" && aws_ssm_parameter.database_settings["users"].type == "String"
    error_message = "Settings live under /<name_prefix>/flyway/databases/<key>."
  }

  assert {
    condition     = local.databases["users"].schemas == tolist(["public"]) && local.databases["users"].database_name == "users"
    error_message = "On PostgreSQL a database's default schema is public and its name is its key."
  }

  assert {
    condition     = var.host_idle_stop_minutes == 15
    error_message = "By default the host sleeps after 15 idle minutes."
  }
}

# The root's own defaults, not the aurora module's (test/terraform/aurora.tftest.hcl sets
# min_capacity itself): nothing set, the cluster it plans pauses when idle.
run "the_cluster_pauses_when_idle_by_default" {
  command = plan

  assert {
    condition     = module.aurora[0].serverless_scaling.min_capacity == 0
    error_message = "By default the cluster's Serverless v2 minimum capacity is 0 ACUs, so that it pauses when idle and costs only storage; the root planned min_capacity = ${module.aurora[0].serverless_scaling.min_capacity}."
  }

  assert {
    condition     = module.aurora[0].serverless_scaling.seconds_until_auto_pause == 600
    error_message = "By default the cluster pauses after 600 idle seconds; the root planned seconds_until_auto_pause = ${coalesce(module.aurora[0].serverless_scaling.seconds_until_auto_pause, "null")}."
  }
}

run "one_bucket_notification_and_permission_per_database" {
  command = plan

  variables {
    databases = {
      users         = {}
      products      = {}
      order_history = { database_name = "orders", placeholders = { owner = "app" } }
    }
  }

  assert {
    condition     = length(module.database_bucket) == 3
    error_message = "Three databases, three bucket modules (bucket + notification + permission each)."
  }

  assert {
    condition     = local.databases["order_history"].bucket_name == "flyway-order-history-123456789012"
    error_message = "Bucket names replace underscores (not allowed in S3) with hyphens and end in the account id."
  }

  assert {
    condition     = local.databases["order_history"].placeholders == tomap({ owner = "app" }) && local.databases["order_history"].database_name == "orders"
    error_message = "Per-database Flyway options and names are taken from the input."
  }
}

run "mysql_schema_is_the_database" {
  command = plan

  variables {
    engine = "aurora-mysql"
  }

  assert {
    condition     = local.databases["users"].schemas == tolist(["users"]) && local.engine_version == "8.0.mysql_aurora.3.08.2"
    error_message = "On MySQL the Flyway schema is the database itself."
  }
}

run "rejects_bad_database_keys" {
  command = plan

  variables {
    databases = { "Users-DB" = {} }
  }

  expect_failures = [var.databases]
}

run "rejects_bad_capacity" {
  command = plan

  variables {
    serverless_min_capacity = 0.3
  }

  expect_failures = [var.serverless_min_capacity]
}

run "rejects_bad_cidr" {
  command = plan

  variables {
    vpc_cidr = "10.42.0.0/28"
  }

  expect_failures = [var.vpc_cidr]
}

# The URL ends up single-quoted in the command document's script.
run "rejects_a_flyway_url_with_a_quote" {
  command = plan

  variables {
    flyway_download_url = "https://example.com/flyway'$(reboot)'.tar.gz"
  }

  expect_failures = [var.flyway_download_url]
}

run "rejects_a_plain_http_flyway_url" {
  command = plan

  variables {
    flyway_download_url = "http://example.com/flyway-commandline-10.21.0.tar.gz"
  }

  expect_failures = [var.flyway_download_url]
}

run "accepts_an_s3_flyway_source" {
  command = plan

  variables {
    flyway_download_url = "s3://artifacts-123456789012/flyway/flyway-commandline-10.21.0.tar.gz"
  }

  assert {
    condition     = local.flyway_source == "s3://artifacts-123456789012/flyway/flyway-commandline-10.21.0.tar.gz"
    error_message = "An s3:// source is passed through."
  }
}

run "callbacks_are_off_unless_enabled" {
  command = plan

  variables {
    databases               = { users = {}, audit = { callbacks = true } }
    max_parallel_migrations = 3
    settle_seconds          = 0
  }

  assert {
    condition     = local.databases["audit"].callbacks && !local.databases["users"].callbacks
    error_message = "SQL callbacks are off unless a database enables them."
  }
}

run "rejects_no_parallelism" {
  command = plan
  variables {
    max_parallel_migrations = 0
  }
  expect_failures = [var.max_parallel_migrations]
}

run "rejects_an_idle_time_shorter_than_a_release" {
  command = plan
  variables {
    host_idle_stop_minutes = 3
  }
  expect_failures = [var.host_idle_stop_minutes]
}

run "accepts_an_always_on_host" {
  command = plan
  variables {
    host_idle_stop_minutes = 0
  }
}

run "rejects_a_negative_settle_time" {
  command = plan
  variables {
    settle_seconds = -1
  }
  expect_failures = [var.settle_seconds]
}

# What AWS refuses at apply time (or silently gets wrong), refused at plan time with a message.

run "rejects_a_prefix_ending_in_a_hyphen" {
  command = plan
  variables {
    name_prefix = "ab-"
  }
  expect_failures = [var.name_prefix]
}

run "rejects_a_prefix_with_a_double_hyphen" {
  command = plan
  variables {
    name_prefix = "a--b"
  }
  expect_failures = [var.name_prefix]
}

run "rejects_a_prefix_starting_with_aws" {
  command = plan
  variables {
    name_prefix = "awsome"
  }
  expect_failures = [var.name_prefix]
}

run "rejects_an_existing_vpc_without_its_ids" {
  command = plan
  variables {
    create_vpc = false
  }
  expect_failures = [var.vpc_id]
}

run "rejects_a_created_vpc_host_without_public_ip" {
  command = plan
  variables {
    host_associate_public_ip = false
  }
  expect_failures = [var.host_associate_public_ip]
}

run "rejects_min_capacity_above_max" {
  command = plan
  variables {
    serverless_min_capacity = 4
    serverless_max_capacity = 2
  }
  expect_failures = [var.serverless_max_capacity]
}

run "rejects_two_keys_for_one_database" {
  command = plan
  variables {
    databases = { users = {}, people = { database_name = "users" } }
  }
  expect_failures = [var.databases]
}

run "rejects_an_engine_version_without_auto_pause" {
  command = plan
  variables {
    engine_version = "16.1"
  }
  expect_failures = [var.engine_version]
}

run "rejects_a_mysql_version_without_auto_pause" {
  command = plan
  variables {
    engine         = "aurora-mysql"
    engine_version = "8.0.mysql_aurora.3.05.2"
  }
  expect_failures = [var.engine_version]
}

run "rejects_an_x86_type_on_arm64" {
  command = plan
  variables {
    instance_type = "t3.small"
  }
  expect_failures = [var.instance_type]
}

run "rejects_an_arm_type_on_x86_64" {
  command = plan
  variables {
    instance_type     = "t4g.small"
    host_architecture = "x86_64"
  }
  expect_failures = [var.instance_type]
}

run "rejects_a_kms_alias" {
  command = plan
  variables {
    kms_key_arn = "arn:aws:kms:eu-central-1:123456789012:alias/flyway"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_a_bare_kms_key_id" {
  command = plan
  variables {
    kms_key_arn = "1234abcd-12ab-34cd-56ef-1234567890ab"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_placeholders_too_large_for_a_parameter" {
  command = plan
  variables {
    databases = { users = { placeholders = { big = join("", [for i in range(800) : "0123456789"]) } } }
  }
  expect_failures = [var.databases]
}

# 2,400 characters, 7,200 bytes in UTF-8: SSM counts the bytes.
run "rejects_placeholders_over_the_limit_in_bytes_not_characters" {
  command = plan
  variables {
    databases = { users = { placeholders = { big = join("", [for i in range(800) : "€€€"]) } } }
  }
  expect_failures = [var.databases]
}

run "accepts_an_old_engine_version_without_auto_pause" {
  command = plan
  variables {
    engine_version          = "16.1"
    serverless_min_capacity = 0.5
  }
}

run "accepts_x86_64_together" {
  command = plan
  variables {
    instance_type     = "t3.small"
    host_architecture = "x86_64"
  }
}

run "defaults_reach_aws_safely" {
  command = plan

  assert {
    condition     = module.notifications.topic_kms_key_id == null
    error_message = "Without a customer key the topic is not under alias/aws/sns, whose key policy EventBridge can never use."
  }

  assert {
    condition     = module.trigger.reserved_concurrency == -1
    error_message = "The trigger reserves no concurrency: new accounts (quota 10) refuse any reservation."
  }

  assert {
    condition     = aws_ssm_parameter.database_settings["users"].tier == "Intelligent-Tiering"
    error_message = "Settings move to the advanced tier (8 KB) by themselves when they outgrow 4 KB."
  }

  assert {
    condition     = var.serverless_min_capacity == 0
    error_message = "The root's default is auto-pause: min capacity 0."
  }
}

# CloudWatch alarms publish as cloudwatch.amazonaws.com, which the topic's own policy (it replaces
# SNS's default) must allow, for exactly the module's alarm; AWS would refuse the publish ("is not
# authorized to perform: SNS:Publish") and the emulator checks nothing. The policy is built from
# names, so a plan shows it.
run "the_failure_alarm_may_publish_to_the_topic" {
  command = plan

  assert {
    condition     = tolist(local.failure_alarm_arns) == tolist(["arn:aws:cloudwatch:eu-central-1:123456789012:alarm:${module.trigger.failure_alarm_name}"])
    error_message = "The alarm ARN the policies name is built from a name; it must be the alarm the trigger module creates (${module.trigger.failure_alarm_name}), not ${jsonencode(local.failure_alarm_arns)}."
  }

  assert {
    condition = [
      for statement in jsondecode(module.notifications.topic_policy_json).Statement : statement
      if try(statement.Principal.Service, null) == "cloudwatch.amazonaws.com"
      ] == [{
        Sid       = "AllowCloudWatchAlarms"
        Effect    = "Allow"
        Action    = "sns:Publish"
        Resource  = "arn:aws:sns:eu-central-1:123456789012:flyway-flyway-failures"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Condition = {
          ArnEquals    = { "aws:SourceArn" = "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:flyway-flyway-trigger-failed-events" }
          StringEquals = { "aws:SourceAccount" = "123456789012" }
        }
    }]
    error_message = "The topic policy must let cloudwatch.amazonaws.com publish (sns:Publish on the topic) for the trigger's alarm only (aws:SourceArn) and this account only (aws:SourceAccount); it holds ${module.notifications.topic_policy_json}."
  }
}

run "no_alarm_no_cloudwatch_statements" {
  command = plan

  variables {
    create_failure_alarm = false
    kms_key_arn          = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = !strcontains(module.notifications.topic_policy_json, "cloudwatch.amazonaws.com") && !strcontains(output.kms_key_policy_json, "cloudwatch.amazonaws.com")
    error_message = "Without the alarm neither the topic policy nor the key policy lets CloudWatch in."
  }
}

# With a customer managed key, SNS asks KMS on the alarm's behalf: the key policy must let
# cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey* (SNS Developer Guide,
# "compatibility between event sources from AWS services and encrypted topics"), scoped by
# aws:SourceAccount and aws:SourceArn as its step 3 recommends for every source but EventBridge.
run "a_customer_key_lets_the_failure_alarm_publish_to_the_topic" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = [
      for statement in jsondecode(output.kms_key_policy_json).Statement : merge(statement, { Action = toset(flatten([statement.Action])) })
      if try(statement.Principal.Service, null) == "cloudwatch.amazonaws.com"
      ] == [{
        Sid       = "CloudWatchAlarmPublishesToTheEncryptedTopic"
        Effect    = "Allow"
        Action    = toset(["kms:Decrypt", "kms:GenerateDataKey*"])
        Resource  = "*"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Condition = {
          ArnEquals    = { "aws:SourceArn" = "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:flyway-flyway-trigger-failed-events" }
          StringEquals = { "aws:SourceAccount" = "123456789012" }
        }
    }]
    error_message = "kms_key_policy_json must let cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey* for the trigger's alarm (aws:SourceArn) of this account (aws:SourceAccount); it holds ${output.kms_key_policy_json}."
  }

  assert {
    condition     = [for statement in jsondecode(output.kms_key_policy_json).Statement : try(statement.Condition, null) if try(statement.Principal.Service, null) == "events.amazonaws.com"] == [null]
    error_message = "The EventBridge statement carries no source condition: SNS does not support them for EventBridge-to-encrypted topics."
  }
}

run "the_key_the_module_creates_lets_the_failure_alarm_use_it" {
  command = plan

  variables {
    create_kms_key = true
  }

  assert {
    condition = contains(
      [for statement in jsondecode(data.aws_iam_policy_document.kms_key[0].json).Statement : statement.Sid if try(statement.Principal.Service, null) == "cloudwatch.amazonaws.com"],
      "CloudWatchAlarmPublishesToTheEncryptedTopic",
    )
    error_message = "The key the module creates holds the CloudWatch alarm's statement too."
  }
}
