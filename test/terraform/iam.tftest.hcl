# Least privilege: no IAM statement with "*" actions, and "*" resources only where AWS offers no
# resource-level permissions (the SSM agent's message channels). The trigger may run exactly one
# document on exactly one instance.
provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
}

# A caller's provider with default_tags: the instance carries them as well.
provider "aws" {
  alias                       = "with_default_tags"
  region                      = "eu-central-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  default_tags {
    tags = { "cost center" = "data" }
  }
}

run "trigger_role" {
  command = plan

  module {
    source = "./modules/trigger"
  }

  variables {
    name                    = "flyway-flyway-trigger"
    document_arn            = "arn:aws:ssm:eu-central-1:123456789012:document/flyway-flyway"
    document_name           = "flyway-flyway"
    instance_arn            = "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0"
    instance_id             = "i-0123456789abcdef0"
    bucket_arns             = ["arn:aws:s3:::flyway-*-123456789012"]
    bucket_parameter_prefix = "/flyway/flyway/buckets"
    command_log_group_name  = "/flyway/flyway-flyway/commands"
    topic_arn               = "arn:aws:sns:eu-central-1:123456789012:flyway-flyway-failures"
    log_retention_days      = 90
  }

  assert {
    condition = alltrue(flatten([
      for statement in jsondecode(data.aws_iam_policy_document.this.json).Statement :
      [for action in flatten([statement.Action]) : !strcontains(action, "*")]
    ]))
    error_message = "The trigger's policy must not use wildcard actions."
  }

  assert {
    condition = alltrue(flatten([
      for statement in jsondecode(data.aws_iam_policy_document.this.json).Statement :
      [for resource in flatten([statement.Resource]) : resource != "*"]
    ]))
    error_message = "The trigger's policy must not grant on every resource."
  }

  assert {
    condition = one([
      for statement in jsondecode(data.aws_iam_policy_document.this.json).Statement :
      toset(flatten([statement.Resource])) if contains(flatten([statement.Action]), "ssm:SendCommand")
      ]) == toset([
      "arn:aws:ssm:eu-central-1:123456789012:document/flyway-flyway",
      "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0",
    ])
    error_message = "ssm:SendCommand must be allowed on the module's document and host only."
  }

  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs22.x" && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "The trigger runs on Node.js 22, arm64."
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 2 && length(aws_lambda_function_event_invoke_config.this.destination_config[0].on_failure) == 1
    error_message = "Failed asynchronous invocations are retried, then kept in the on-failure queue."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 90
    error_message = "The trigger's log group has the configured retention."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.START_STOPPED_HOST == "false" && length(aws_cloudwatch_event_rule.host_stopped) == 0 && !strcontains(data.aws_iam_policy_document.this.json, "ec2:StartInstances")
    error_message = "An always-on host is never started by the trigger: no EC2 permission, no stop rule."
  }

  assert {
    condition     = aws_lambda_permission.s3.principal == "s3.amazonaws.com" && aws_lambda_permission.s3.source_account == "123456789012"
    error_message = "S3 of this account (only) may invoke the trigger, with one statement for every bucket (the function policy holds 20 KB)."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "No reserved concurrency by default: accounts with the starting quota of 10 refuse any reservation."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.failures[0].alarm_actions == toset(["arn:aws:sns:eu-central-1:123456789012:flyway-flyway-failures"]) && aws_cloudwatch_metric_alarm.failures[0].threshold == 0 && aws_cloudwatch_metric_alarm.failures[0].dimensions.QueueName == "flyway-flyway-trigger-failures"
    error_message = "An event in the on-failure queue raises an alarm on the notification topic."
  }

  assert {
    condition = one([
      for statement in jsondecode(data.aws_iam_policy_document.this.json).Statement : toset(flatten([statement.Action]))
      if statement.Sid == "TagUploadedMigrations"
    ]) == toset(["s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"])
    error_message = "The trigger reads an object's tags before it adds its own, so the uploader's tags survive."
  }
}

run "trigger_role_for_a_sleeping_host" {
  command = plan

  module {
    source = "./modules/trigger"
  }

  variables {
    name                    = "flyway-flyway-trigger"
    document_arn            = "arn:aws:ssm:eu-central-1:123456789012:document/flyway-flyway"
    document_name           = "flyway-flyway"
    instance_arn            = "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0"
    instance_id             = "i-0123456789abcdef0"
    bucket_arns             = ["arn:aws:s3:::flyway-*-123456789012"]
    bucket_parameter_prefix = "/flyway/flyway/buckets"
    command_log_group_name  = "/flyway/flyway-flyway/commands"
    topic_arn               = "arn:aws:sns:eu-central-1:123456789012:flyway-flyway-failures"
    log_retention_days      = 90
    start_stopped_host      = true
  }

  assert {
    condition = [
      for statement in jsondecode(data.aws_iam_policy_document.this.json).Statement : statement
      if contains(["StartTheSleepingHost", "FindCommandsWaitingForTheHost"], statement.Sid)
      ] == [
      { Sid = "StartTheSleepingHost", Effect = "Allow", Action = "ec2:StartInstances", Resource = "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0" },
      { Sid = "FindCommandsWaitingForTheHost", Effect = "Allow", Action = "ssm:ListCommandInvocations", Resource = "*" },
    ]
    error_message = "The trigger may start exactly its host; ListCommandInvocations accepts only \"*\"."
  }

  assert {
    condition = alltrue([
      aws_lambda_function.this.environment[0].variables.START_STOPPED_HOST == "true",
      jsondecode(aws_cloudwatch_event_rule.host_stopped[0].event_pattern) == { source = ["aws.ec2"], "detail-type" = ["EC2 Instance State-change Notification"], detail = { state = ["stopped"], "instance-id" = ["i-0123456789abcdef0"] } },
      aws_lambda_permission.host_stopped[0].principal == "events.amazonaws.com",
    ])
    error_message = "The trigger starts the sleeping host, and hears when that one instance has stopped (EventBridge, allowed by the rule's ARN)."
  }
}

run "host_role_and_instance" {
  command = plan

  module {
    source = "./modules/flyway-host"
  }

  variables {
    name               = "flyway-flyway"
    vpc_id             = "vpc-12345678"
    subnet_id          = "subnet-11111111"
    instance_type      = "t4g.small"
    flyway_version     = "10.21.0"
    flyway_source      = "maven:org.flywaydb:flyway-commandline:10.21.0:tar.gz"
    flyway_sha256      = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
    config_prefix      = "/flyway/flyway"
    bucket_arns        = ["arn:aws:s3:::flyway-users-123456789012"]
    database_targets   = [{ endpoint = "flyway-aurora.cluster-abc.eu-central-1.rds.amazonaws.com", port = 5432, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-123456" }]
    log_retention_days = 90
    idle_stop_minutes  = 15
  }

  assert {
    condition = alltrue(flatten([
      for statement in concat(jsondecode(data.aws_iam_policy_document.this.json).Statement, jsondecode(data.aws_iam_policy_document.agent.json).Statement, jsondecode(data.aws_iam_policy_document.secret.json).Statement, jsondecode(data.aws_iam_policy_document.buckets[0].json).Statement) :
      [for action in flatten([statement.Action]) : !strcontains(action, "*")]
    ]))
    error_message = "The host's policies must not use wildcard actions."
  }

  assert {
    condition = alltrue(flatten([
      for statement in concat(jsondecode(data.aws_iam_policy_document.this.json).Statement, jsondecode(data.aws_iam_policy_document.agent.json).Statement, jsondecode(data.aws_iam_policy_document.secret.json).Statement, jsondecode(data.aws_iam_policy_document.buckets[0].json).Statement) :
      [for resource in flatten([statement.Resource]) : resource != "*" || statement.Sid == "SsmAgentMessages"]
    ]))
    error_message = "Only the SSM agent's actions without resource-level permissions in AWS may use resource \"*\"."
  }

  assert {
    condition = one([
      for statement in jsondecode(data.aws_iam_policy_document.agent.json).Statement : toset(flatten([statement.Action]))
      if statement.Sid == "SsmAgentRegistration"
    ]) == toset(["ssm:UpdateInstanceInformation", "ssm:ListInstanceAssociations"])
    error_message = "ssm:ListAssociations supports no resource type, so it is not scoped to instance ARNs (where it would match nothing)."
  }

  assert {
    condition = alltrue([
      for action in ["logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:CreateLogStream", "logs:PutLogEvents"] :
      contains(flatten([for statement in jsondecode(data.aws_iam_policy_document.agent.json).Statement : flatten([statement.Action])]), action)
    ])
    error_message = "The SSM agent streams command output only when it may create or find the log group (amazon-ssm-agent iohandler.go)."
  }

  assert {
    condition     = !strcontains(data.aws_iam_policy_document.agent.json, "secretsmanager") && !strcontains(data.aws_iam_policy_document.agent.json, "rds!")
    error_message = "The agent's policy names nothing of the cluster, so it exists before the host boots instead of waiting for the cluster's secret."
  }

  assert {
    condition     = aws_instance.this.metadata_options[0].http_tokens == "required" && aws_instance.this.root_block_device[0].encrypted
    error_message = "The host requires IMDSv2 and has an encrypted root volume."
  }

  assert {
    condition     = jsondecode(aws_ssm_document.this.content).parameters.DatabaseKey.allowedPattern == "^[a-z][a-z0-9_]{0,62}$" && jsondecode(aws_ssm_document.this.content).parameters.Action.allowedValues == ["migrate", "info", "validate", "repair"]
    error_message = "The document validates its parameters; clean is never an allowed action."
  }

  assert {
    condition     = !strcontains(aws_instance.this.user_data, "password")
    error_message = "No password in user data."
  }

  assert {
    condition     = !contains([for statement in jsondecode(data.aws_iam_policy_document.this.json).Statement : statement.Sid], "ReadFlywayArchive")
    error_message = "An https Flyway source needs no S3 permission."
  }

  assert {
    condition = [
      for statement in concat(jsondecode(data.aws_iam_policy_document.buckets[0].json).Statement, jsondecode(data.aws_iam_policy_document.this.json).Statement) : statement
      if contains(["WriteOutcomeRecords", "ReadRunner"], statement.Sid)
      ] == [
      {
        Sid      = "WriteOutcomeRecords"
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "arn:aws:s3:::flyway-users-123456789012/.flyway/outcome.json"
      },
      {
        Sid      = "ReadRunner"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "arn:aws:s3:::flyway-flyway-artifacts-123456789012/runner/flyway-runner-${filesha256("runner/dist/flyway-runner.js")}.js"
      },
    ]
    error_message = "The host may write only each bucket's outcome record (never a migration) and read only the runner bundle of this version."
  }

  assert {
    condition = alltrue([
      aws_s3_object.runner.source_hash == filesha256("runner/dist/flyway-runner.js"),
      strcontains(aws_ssm_document.this.content, "'${filesha256("runner/dist/flyway-runner.js")}'"),
      strcontains(aws_ssm_document.this.content, "--db-endpoint 'flyway-aurora.cluster-abc.eu-central-1.rds.amazonaws.com:5432=arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-123456' --max-parallel '2' --settle-seconds '3'"),
    ])
    error_message = "The document runs the committed runner bundle, checksum verified, with the cluster endpoint from the module paired with its secret, the parallelism limit and the settle time."
  }

  assert {
    condition = alltrue([
      strcontains(aws_instance.this.user_data, "nodejs22"),
      strcontains(aws_instance.this.user_data, "host_dir=\"$root/var/lib/flyway-host\""),
      strcontains(aws_instance.this.user_data, "touch \"$host_dir/ready\""),
      strcontains(aws_instance.this.user_data, "systemctl enable flyway-host-setup.service"),
      strcontains(aws_ssm_document.this.content, "FLYWAY_HOST_DIR:-/var/lib/flyway-host"),
      strcontains(aws_ssm_document.this.content, "$host_dir/ready"),
      strcontains(aws_ssm_document.this.content, "$host_dir/setup-failed"),
    ])
    error_message = "User data installs Node.js 22 and marks the end of the first boot (ready), or its failure (setup-failed, retried at boot); commands wait for the first and fail at once on the second."
  }

  assert {
    condition = alltrue([
      aws_instance.this.instance_initiated_shutdown_behavior == "stop",
      aws_instance.this.metadata_options[0].instance_metadata_tags == "enabled",
      aws_instance.this.tags["FlywayHostIdleStopMinutes"] == "15",
      strcontains(aws_instance.this.user_data, file("modules/flyway-host/idle-stop.sh")),
      !strcontains(aws_instance.this.user_data, "#@idle-stop.sh@"),
      strcontains(aws_instance.this.user_data, "systemctl enable --now flyway-host-boot.service flyway-host-idle-stop.timer"),
    ])
    error_message = "The idle stop: the script from idle-stop.sh and its timer in the user data, the minutes in a tag the host reads from instance metadata, and a power-off that stops (never terminates) the instance."
  }

  assert {
    # EC2 refuses user data over 16 KB (before base64).
    condition     = length(aws_instance.this.user_data) < 16384
    error_message = "The user data must stay under EC2's 16 KB limit."
  }

  assert {
    condition     = strcontains(aws_ssm_document.this.content, "flock -s 9") && strcontains(aws_ssm_document.this.content, "touch \\\"$host_dir/last-activity\\\"")
    error_message = "Each command holds the host's busy lock while it runs (the idle stop waits for it) and counts as activity when it ends."
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.artifacts.restrict_public_buckets && aws_s3_bucket_versioning.artifacts.versioning_configuration[0].status == "Enabled" && strcontains(data.aws_iam_policy_document.artifacts.json, "aws:SecureTransport")
    error_message = "The artifacts bucket is private, versioned and TLS-only."
  }
}

run "flyway_host_reads_an_s3_flyway_source" {
  command = plan

  module {
    source = "./modules/flyway-host"
  }

  variables {
    name               = "flyway-flyway"
    vpc_id             = "vpc-12345678"
    subnet_id          = "subnet-11111111"
    instance_type      = "t4g.small"
    flyway_version     = "10.21.0"
    flyway_source      = "s3://artifacts-123456789012/flyway/flyway-commandline-10.21.0.tar.gz"
    flyway_sha256      = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
    config_prefix      = "/flyway/flyway"
    bucket_arns        = ["arn:aws:s3:::flyway-users-123456789012"]
    database_targets   = [{ endpoint = "flyway-aurora.cluster-abc.eu-central-1.rds.amazonaws.com", port = 5432, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-123456" }]
    log_retention_days = 90
    rds_ca_bundle      = "s3://artifacts-123456789012/rds/global-bundle.pem"
  }

  assert {
    condition = [
      for statement in jsondecode(data.aws_iam_policy_document.this.json).Statement : statement
      if statement.Sid == "ReadCaBundle"
      ] == [{
        Sid      = "ReadCaBundle"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "arn:aws:s3:::artifacts-123456789012/rds/global-bundle.pem"
    }] && strcontains(aws_ssm_document.this.content, "--ca-bundle 's3://artifacts-123456789012/rds/global-bundle.pem'")
    error_message = "An s3:// CA bundle is passed to the runner, and the host may read exactly that object."
  }

  assert {
    condition = [
      for statement in jsondecode(data.aws_iam_policy_document.this.json).Statement : statement
      if statement.Sid == "ReadFlywayArchive"
      ] == [{
        Sid      = "ReadFlywayArchive"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "arn:aws:s3:::artifacts-123456789012/flyway/flyway-commandline-10.21.0.tar.gz"
    }]
    error_message = "The host may read exactly the s3:// Flyway archive, nothing else of that bucket."
  }

  assert {
    condition     = strcontains(aws_ssm_document.this.content, "--source 's3://artifacts-123456789012/flyway/flyway-commandline-10.21.0.tar.gz'") && !strcontains(aws_instance.this.user_data, "flyway-commandline")
    error_message = "The document installs Flyway from the configured source; the user data does not depend on it."
  }
}

# The flyway-host module writes its string inputs into a root shell script (the command document):
# it refuses unsafe values itself, whoever calls it.
run "flyway_host_refuses_a_quote_in_its_flyway_source" {
  command = plan

  module {
    source = "./modules/flyway-host"
  }

  variables {
    name               = "flyway-flyway"
    vpc_id             = "vpc-12345678"
    subnet_id          = "subnet-11111111"
    instance_type      = "t4g.small"
    flyway_version     = "10.21.0"
    flyway_source      = "https://example.com/x'; reboot; '.tar.gz"
    flyway_sha256      = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
    config_prefix      = "/flyway/flyway"
    bucket_arns        = ["arn:aws:s3:::flyway-users-123456789012"]
    database_targets   = [{ endpoint = "flyway-aurora.cluster-abc.eu-central-1.rds.amazonaws.com", port = 5432, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-123456" }]
    log_retention_days = 90
  }

  expect_failures = [var.flyway_source]
}

run "flyway_host_refuses_shell_text_in_its_version_and_prefix" {
  command = plan

  module {
    source = "./modules/flyway-host"
  }

  variables {
    name               = "flyway-flyway"
    vpc_id             = "vpc-12345678"
    subnet_id          = "subnet-11111111"
    instance_type      = "t4g.small"
    flyway_version     = "10.21.0$(reboot)"
    flyway_source      = "https://example.com/flyway.tar.gz"
    flyway_sha256      = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
    config_prefix      = "/flyway/flyway'x"
    bucket_arns        = ["arn:aws:s3:::flyway-users-123456789012"]
    database_targets   = [{ endpoint = "flyway-aurora.cluster-abc.eu-central-1.rds.amazonaws.com", port = 5432, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-123456" }]
    log_retention_days = 90
  }

  expect_failures = [var.flyway_version, var.config_prefix]
}

run "sleeping_host_refuses_tag_keys_instance_metadata_cannot_show" {
  command = plan

  module {
    source = "./modules/flyway-host"
  }

  variables {
    name               = "flyway-flyway"
    vpc_id             = "vpc-12345678"
    subnet_id          = "subnet-11111111"
    instance_type      = "t4g.small"
    flyway_version     = "10.21.0"
    flyway_source      = "maven:org.flywaydb:flyway-commandline:10.21.0:tar.gz"
    flyway_sha256      = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
    config_prefix      = "/flyway/flyway"
    bucket_arns        = ["arn:aws:s3:::flyway-users-123456789012"]
    database_targets   = [{ endpoint = "flyway-aurora.cluster-abc.eu-central-1.rds.amazonaws.com", port = 5432, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-123456" }]
    log_retention_days = 90
    idle_stop_minutes  = 15
    tags               = { "team/owner" = "data" }
  }

  expect_failures = [aws_instance.this]
}

run "sleeping_host_refuses_provider_default_tag_keys_instance_metadata_cannot_show" {
  command = plan

  providers = {
    aws = aws.with_default_tags
  }

  module {
    source = "./modules/flyway-host"
  }

  variables {
    name               = "flyway-flyway"
    vpc_id             = "vpc-12345678"
    subnet_id          = "subnet-11111111"
    instance_type      = "t4g.small"
    flyway_version     = "10.21.0"
    flyway_source      = "maven:org.flywaydb:flyway-commandline:10.21.0:tar.gz"
    flyway_sha256      = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
    config_prefix      = "/flyway/flyway"
    bucket_arns        = ["arn:aws:s3:::flyway-users-123456789012"]
    database_targets   = [{ endpoint = "flyway-aurora.cluster-abc.eu-central-1.rds.amazonaws.com", port = 5432, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-123456" }]
    log_retention_days = 90
    idle_stop_minutes  = 15
  }

  expect_failures = [aws_instance.this]
}

# A host serving the module's cluster and an existing one whose secret is under the user's key.
run "host_serving_two_clusters" {
  command = plan

  module {
    source = "./modules/flyway-host"
  }

  variables {
    name           = "flyway-flyway"
    vpc_id         = "vpc-12345678"
    subnet_id      = "subnet-11111111"
    instance_type  = "t4g.small"
    flyway_version = "10.21.0"
    flyway_source  = "maven:org.flywaydb:flyway-commandline:10.21.0:tar.gz"
    flyway_sha256  = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
    config_prefix  = "/flyway/flyway"
    bucket_arns    = ["arn:aws:s3:::flyway-users-123456789012"]
    database_targets = [
      { endpoint = "flyway-aurora.cluster-abc.eu-central-1.rds.amazonaws.com", port = 5432, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-123456" },
      { endpoint = "legacy-mysql.cluster-abc.eu-central-1.rds.amazonaws.com", port = 3306, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:flyway/legacy=admin-AbCdEf" },
    ]
    secret_kms_key_arns = ["arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"]
    log_retention_days  = 90
  }

  assert {
    condition = alltrue([
      length(jsondecode(data.aws_iam_policy_document.secret.json).Statement) == 2,
      jsondecode(data.aws_iam_policy_document.secret.json).Statement[0].Action == "secretsmanager:GetSecretValue",
      toset(jsondecode(data.aws_iam_policy_document.secret.json).Statement[0].Resource) == toset([
        "arn:aws:secretsmanager:eu-central-1:123456789012:secret:flyway/legacy=admin-AbCdEf",
        "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-123456",
      ]),
      jsondecode(data.aws_iam_policy_document.secret.json).Statement[1] == {
        Sid       = "DecryptDatabaseSecrets"
        Effect    = "Allow"
        Action    = "kms:Decrypt"
        Resource  = "arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.eu-central-1.amazonaws.com" } }
      },
    ])
    error_message = "The host reads exactly the secrets of the clusters it serves, and decrypts with their keys only through Secrets Manager."
  }

  assert {
    condition     = strcontains(aws_ssm_document.this.content, "--db-endpoint 'flyway-aurora.cluster-abc.eu-central-1.rds.amazonaws.com:5432=arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-123456' --db-endpoint 'legacy-mysql.cluster-abc.eu-central-1.rds.amazonaws.com:3306=arn:aws:secretsmanager:eu-central-1:123456789012:secret:flyway/legacy=admin-AbCdEf' --max-parallel")
    error_message = "The document names each cluster's endpoint with its own secret."
  }
}

run "host_refuses_a_secret_arn_with_a_quote" {
  command = plan

  module {
    source = "./modules/flyway-host"
  }

  variables {
    name               = "flyway-flyway"
    vpc_id             = "vpc-12345678"
    subnet_id          = "subnet-11111111"
    instance_type      = "t4g.small"
    flyway_version     = "10.21.0"
    flyway_source      = "maven:org.flywaydb:flyway-commandline:10.21.0:tar.gz"
    flyway_sha256      = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
    config_prefix      = "/flyway/flyway"
    bucket_arns        = ["arn:aws:s3:::flyway-users-123456789012"]
    database_targets   = [{ endpoint = "legacy.example", port = 3306, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:x';reboot;'-AbCdEf" }]
    log_retention_days = 90
  }

  expect_failures = [var.database_targets]
}
