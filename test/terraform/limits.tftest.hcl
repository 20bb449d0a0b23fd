# AWS size limits for what the root plan only knows after apply, on the submodules with known
# inputs: each role's inline policies (10,240 characters in all, counted without whitespace), the
# host's managed bucket policies (6,144 each, 10 per role), the command document (64 KB).
# The root passes one ARN pattern for every bucket it names, so these grow only with buckets the
# user names (bucket_name): here up to the bound the module states, with 63-character names (S3's
# maximum) in the longest partition name, and one past it, refused at plan with a clear error.
# test/terraform/limits.test.ts measures the root module with 250 databases and prints margins.
provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
}

run "trigger_with_80_custom_max_length_buckets" {
  command = plan

  module {
    source = "./modules/trigger"
  }

  variables {
    name                    = "abcdefghijklmnopqrst-flyway-trigger"
    document_arn            = "arn:aws:ssm:eu-central-1:123456789012:document/abcdefghijklmnopqrst-flyway"
    document_name           = "abcdefghijklmnopqrst-flyway"
    instance_arn            = "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0"
    instance_id             = "i-0123456789abcdef0"
    bucket_arns             = [for i in range(80) : format("arn:aws-us-gov:s3:::%s-%03d", join("", [for c in range(59) : "b"]), i)]
    bucket_parameter_prefix = "/abcdefghijklmnopqrst/flyway/buckets"
    command_log_group_name  = "/flyway/abcdefghijklmnopqrst-flyway/commands"
    topic_arn               = "arn:aws:sns:eu-central-1:123456789012:abcdefghijklmnopqrst-flyway-failures"
    log_retention_days      = 90
    start_stopped_host      = true
    kms_key_arn             = "arn:aws:kms:eu-central-1:123456789012:key/01234567-89ab-cdef-0123-456789abcdef"
  }

  assert {
    condition     = length(jsonencode(jsondecode(data.aws_iam_policy_document.this.json))) <= 10240
    error_message = "The trigger role's inline policy must fit IAM's 10,240 characters with 80 custom 63-character bucket names."
  }

  assert {
    condition     = sum([for name, value in aws_lambda_function.this.environment[0].variables : length(name) + length(value)]) <= 4096 / 4
    error_message = "The trigger's environment must not grow with the databases (4 KB in all)."
  }
}

run "trigger_with_too_many_custom_buckets" {
  command = plan

  module {
    source = "./modules/trigger"
  }

  variables {
    name                    = "abcdefghijklmnopqrst-flyway-trigger"
    document_arn            = "arn:aws:ssm:eu-central-1:123456789012:document/abcdefghijklmnopqrst-flyway"
    document_name           = "abcdefghijklmnopqrst-flyway"
    instance_arn            = "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0"
    instance_id             = "i-0123456789abcdef0"
    bucket_arns             = [for i in range(120) : format("arn:aws-us-gov:s3:::%s-%03d", join("", [for c in range(59) : "b"]), i)]
    bucket_parameter_prefix = "/abcdefghijklmnopqrst/flyway/buckets"
    command_log_group_name  = "/flyway/abcdefghijklmnopqrst-flyway/commands"
    topic_arn               = "arn:aws:sns:eu-central-1:123456789012:abcdefghijklmnopqrst-flyway-failures"
    log_retention_days      = 90
  }

  # Refused at plan by the policy's precondition, with what to do, not by IAM halfway through apply.
  expect_failures = [aws_iam_role_policy.this]
}

run "host_with_200_custom_max_length_buckets" {
  command = plan

  module {
    source = "./modules/flyway-host"
  }

  variables {
    name               = "scale-flyway"
    vpc_id             = "vpc-12345678"
    subnet_id          = "subnet-11111111"
    instance_type      = "t4g.small"
    flyway_version     = "10.21.0"
    flyway_source      = "maven:org.flywaydb:flyway-commandline:10.21.0:tar.gz"
    flyway_sha256      = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
    config_prefix      = "/scale/flyway"
    bucket_arns        = [for i in range(200) : format("arn:aws-us-gov:s3:::%s-%03d", join("", [for c in range(59) : "b"]), i)]
    database_targets   = [{ endpoint = "scale-aurora.cluster-abcdefghijkl.eu-central-1.rds.amazonaws.com", port = 5432, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-01234567-89ab-cdef-0123-456789abcdef-AbCdEf" }]
    log_retention_days = 90
  }

  assert {
    condition = sum([
      for document in [data.aws_iam_policy_document.agent.json, data.aws_iam_policy_document.this.json, data.aws_iam_policy_document.secret.json] :
      length(jsonencode(jsondecode(document)))
    ]) <= 10240 * 0.5
    error_message = "The host role's inline policies (agent, runner, secret) must stay under half of IAM's 10,240 characters: they do not grow with the databases."
  }

  assert {
    condition     = length(aws_iam_policy.buckets) == 10 && alltrue([for document in data.aws_iam_policy_document.buckets : length(jsonencode(jsondecode(document.json))) <= 6144])
    error_message = "200 custom 63-character bucket names take the role's 10 managed policies, each within IAM's 6,144 characters."
  }

  assert {
    condition     = length(aws_ssm_document.this.content) <= 65536 / 2
    error_message = "The command document must stay under half of SSM's 64 KB (the runner travels through S3, not inside it)."
  }
}

run "host_with_too_many_custom_buckets" {
  command = plan

  module {
    source = "./modules/flyway-host"
  }

  variables {
    name               = "scale-flyway"
    vpc_id             = "vpc-12345678"
    subnet_id          = "subnet-11111111"
    instance_type      = "t4g.small"
    flyway_version     = "10.21.0"
    flyway_source      = "maven:org.flywaydb:flyway-commandline:10.21.0:tar.gz"
    flyway_sha256      = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
    config_prefix      = "/scale/flyway"
    bucket_arns        = [for i in range(201) : format("arn:aws-us-gov:s3:::%s-%03d", join("", [for c in range(59) : "b"]), i)]
    database_targets   = [{ endpoint = "scale-aurora.cluster-abcdefghijkl.eu-central-1.rds.amazonaws.com", port = 5432, secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-01234567-89ab-cdef-0123-456789abcdef-AbCdEf" }]
    log_retention_days = 90
  }

  # 201 entries need an 11th managed policy: refused at plan with what to do.
  expect_failures = [aws_iam_policy.buckets]
}
