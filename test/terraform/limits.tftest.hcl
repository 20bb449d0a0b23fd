# AWS size limits with 100 databases, for what the root plan only knows after apply: each role's
# inline policies (10,240 characters in all, counted without whitespace), the command document
# (64 KB). The submodules get 100 buckets and known values for the instance, cluster and secret.
# test/terraform/limits.test.ts measures the rest on a plan of the root module and prints margins.
provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
}

run "trigger_with_100_buckets" {
  command = plan

  module {
    source = "./modules/trigger"
  }

  variables {
    name                    = "scale-flyway-trigger"
    document_arn            = "arn:aws:ssm:eu-central-1:123456789012:document/scale-flyway"
    document_name           = "scale-flyway"
    instance_arn            = "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0"
    instance_id             = "i-0123456789abcdef0"
    databases_by_bucket     = { for i in range(100) : format("scale-database-%03d-123456789012", i) => format("database_%03d", i) }
    bucket_parameter_prefix = "/scale/flyway/buckets"
    command_log_group_name  = "/flyway/scale-flyway/commands"
    topic_arn               = "arn:aws:sns:eu-central-1:123456789012:scale-flyway-failures"
    log_retention_days      = 90
  }

  assert {
    condition     = length(jsonencode(jsondecode(data.aws_iam_policy_document.this.json))) <= 10240 * 0.8
    error_message = "The trigger role's inline policy must stay under 80% of IAM's 10,240 characters with 100 buckets."
  }

  assert {
    condition     = sum([for name, value in aws_lambda_function.this.environment[0].variables : length(name) + length(value)]) <= 4096 / 4
    error_message = "The trigger's environment must not grow with the databases (4 KB in all)."
  }
}

run "host_with_100_buckets" {
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
    bucket_arns        = [for i in range(100) : format("arn:aws:s3:::scale-database-%03d-123456789012", i)]
    secret_arns        = ["arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-01234567-89ab-cdef-0123-456789abcdef-AbCdEf"]
    log_retention_days = 90
    database_endpoint  = "scale-aurora.cluster-abcdefghijkl.eu-central-1.rds.amazonaws.com"
    database_port      = 5432
  }

  assert {
    condition = sum([
      for document in [data.aws_iam_policy_document.agent.json, data.aws_iam_policy_document.this.json, data.aws_iam_policy_document.secret.json] :
      length(jsonencode(jsondecode(document)))
    ]) <= 10240 * 0.5
    error_message = "The host role's inline policies (agent, runner, secret) must stay under half of IAM's 10,240 characters: they do not grow with the databases."
  }

  assert {
    condition     = length(aws_iam_policy.buckets) == 4 && alltrue([for document in data.aws_iam_policy_document.buckets : length(jsonencode(jsondecode(document.json))) <= 6144 * 0.8])
    error_message = "100 buckets take 4 managed policies, each under 80% of IAM's 6,144 characters."
  }

  assert {
    condition     = length(aws_ssm_document.this.content) <= 65536 / 2
    error_message = "The command document must stay under half of SSM's 64 KB (the runner travels through S3, not inside it)."
  }
}
