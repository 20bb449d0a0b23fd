# Service names that differ by partition: in China (aws-cn) the DNS suffix is amazonaws.com.cn and
# endpoint services are named cn.com.amazonaws.<region>.<service>. Nothing here may assume the
# commercial partition's names (IAM, KMS and VPC refuse the wrong ones at apply).
provider "aws" {
  region                      = "cn-north-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
}

run "network_s3_endpoint_in_china" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    name               = "flyway"
    cidr_block         = "10.42.0.0/16"
    availability_zones = ["cn-north-1a", "cn-north-1b"]
  }

  assert {
    condition     = aws_vpc_endpoint.s3.service_name == "cn.com.amazonaws.cn-north-1.s3"
    error_message = "The S3 gateway endpoint in China is cn.com.amazonaws.cn-north-1.s3, not com.amazonaws.cn-north-1.s3."
  }
}

run "trigger_starts_the_host_through_ec2_in_china" {
  command = plan

  module {
    source = "./modules/trigger"
  }

  variables {
    name                    = "flyway-flyway-trigger"
    document_arn            = "arn:aws-cn:ssm:cn-north-1:123456789012:document/flyway-flyway"
    document_name           = "flyway-flyway"
    instance_arn            = "arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-0123456789abcdef0"
    instance_id             = "i-0123456789abcdef0"
    bucket_arns             = ["arn:aws-cn:s3:::flyway-*-123456789012"]
    bucket_parameter_prefix = "/flyway/flyway/buckets"
    command_log_group_name  = "/flyway/flyway-flyway/commands"
    topic_arn               = "arn:aws-cn:sns:cn-north-1:123456789012:flyway-flyway-failures"
    log_retention_days      = 90
    start_stopped_host      = true
    kms_key_arn             = "arn:aws-cn:kms:cn-north-1:123456789012:key/01234567-89ab-cdef-0123-456789abcdef"
  }

  assert {
    condition = [
      for statement in jsondecode(data.aws_iam_policy_document.start_host.json).Statement :
      statement.Condition.StringEquals["kms:ViaService"] if statement.Sid == "LetEc2DecryptTheHostsVolume"
    ] == ["ec2.cn-north-1.amazonaws.com.cn"]
    error_message = "kms:ViaService for EC2 in China is ec2.cn-north-1.amazonaws.com.cn."
  }
}

run "key_policy_names_the_china_logs_principal" {
  command = plan

  variables {
    create_kms_key = true
    # The emulator publishes no Amazon Linux parameters for China.
    host_ami_id = "ami-0123456789abcdef0"
  }

  assert {
    condition = [
      for statement in jsondecode(data.aws_iam_policy_document.kms_key_services[0].json).Statement :
      statement.Principal.Service if statement.Sid == "CloudWatchLogsUsesTheKeyForTheModuleLogGroups"
    ] == ["logs.cn-north-1.amazonaws.com.cn"]
    error_message = "CloudWatch Logs' principal in a China key policy is logs.cn-north-1.amazonaws.com.cn."
  }
}
