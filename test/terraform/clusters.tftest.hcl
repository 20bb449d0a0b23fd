# Databases on existing Aurora clusters (var.clusters) beside the module's own, and a pipeline
# that creates no cluster at all. What AWS describes of an existing cluster is given with
# override_data (the e2e test reads a real one from the emulator: test/e2e/clusters.test.ts).
provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
}

variables {
  clusters = {
    legacy = { identifier = "legacy-mysql", security_group_id = "sg-0123456789abcdef0" }
  }
  databases = {
    users  = {}
    orders = { cluster = "legacy" }
  }
}

override_data {
  target = data.aws_rds_cluster.existing["legacy"]
  values = {
    endpoint               = "legacy-mysql.cluster-abc.eu-central-1.rds.amazonaws.com"
    port                   = 3306
    engine                 = "aurora-mysql"
    engine_version         = "8.0.mysql_aurora.3.05.2"
    vpc_security_group_ids = ["sg-0123456789abcdef0", "sg-0fedcba9876543210"]
    master_user_secret = [{
      secret_arn    = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-legacy-AbCdEf"
      kms_key_id    = "arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
      secret_status = "active"
    }]
  }
}

override_data {
  target = data.aws_kms_key.existing_secret
  values = {
    arn         = "arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    key_manager = "CUSTOMER"
  }
}

run "a_database_on_an_existing_cluster" {
  command = plan

  assert {
    condition = alltrue([
      jsondecode(aws_ssm_parameter.database_settings["orders"].value).host == "legacy-mysql.cluster-abc.eu-central-1.rds.amazonaws.com",
      jsondecode(aws_ssm_parameter.database_settings["orders"].value).port == 3306,
      jsondecode(aws_ssm_parameter.database_settings["orders"].value).engine == "mysql",
      jsondecode(aws_ssm_parameter.database_settings["orders"].value).engine_version == "8.0.mysql_aurora.3.05.2",
      jsondecode(aws_ssm_parameter.database_settings["orders"].value).cluster == "legacy",
      jsondecode(aws_ssm_parameter.database_settings["orders"].value).secret_id == "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-legacy-AbCdEf",
      jsondecode(aws_ssm_parameter.database_settings["orders"].value).flyway.schemas == ["orders"],
    ])
    error_message = "A database on an existing cluster is migrated where AWS says the cluster is, with its engine (MySQL: the schema is the database) and its RDS-managed master secret."
  }

  assert {
    condition     = local.databases["users"].cluster == "default" && !local.databases["users"].is_mysql
    error_message = "A database names the module's own cluster by default, with that cluster's engine."
  }

  assert {
    condition     = local.existing_secret_kms_key_arns == tolist(["arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"])
    error_message = "The host may decrypt with the customer key of the existing cluster's secret."
  }

  assert {
    condition     = length(module.aurora) == 1 && keys(local.clusters) == ["default", "legacy"]
    error_message = "The module still creates its own cluster, and serves both."
  }

  assert {
    condition = alltrue([
      aws_vpc_security_group_ingress_rule.existing_cluster_from_host["legacy"].security_group_id == "sg-0123456789abcdef0",
      aws_vpc_security_group_ingress_rule.existing_cluster_from_host["legacy"].from_port == 3306,
      aws_vpc_security_group_ingress_rule.existing_cluster_from_host["legacy"].to_port == 3306,
      aws_vpc_security_group_ingress_rule.existing_cluster_from_host["legacy"].ip_protocol == "tcp",
      keys(aws_vpc_security_group_egress_rule.host_to_existing_cluster) == ["legacy/sg-0123456789abcdef0", "legacy/sg-0fedcba9876543210"],
      alltrue([for rule in aws_vpc_security_group_egress_rule.host_to_existing_cluster : rule.from_port == 3306 && rule.to_port == 3306]),
    ])
    error_message = "The host is let into the named security group on the cluster's port only, and may leave for each of the cluster's groups on that port only."
  }
}

run "no_cluster_of_its_own" {
  command = plan

  variables {
    create_cluster = false
    databases      = { orders = { cluster = "legacy" }, billing = { cluster = "legacy", database_name = "billing_v2" } }
  }

  assert {
    condition     = length(module.aurora) == 0 && keys(local.clusters) == ["legacy"]
    error_message = "create_cluster = false creates no cluster."
  }

  assert {
    condition     = output.cluster_endpoint == null && output.master_user_secret_arn == null && output.clusters.legacy.port == 3306
    error_message = "Without a cluster of its own, the module's cluster outputs are null and clusters describes the existing one."
  }

  assert {
    condition     = jsondecode(aws_ssm_parameter.database_settings["billing"].value).database == "billing_v2"
    error_message = "database_name works on existing clusters too."
  }
}

run "a_user_secret_instead_of_the_rds_one" {
  command = plan

  variables {
    clusters = {
      legacy = { identifier = "legacy-mysql", secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:flyway/legacy-AbCdEf" }
    }
  }

  override_data {
    target = data.aws_secretsmanager_secret.existing["legacy"]
    values = {
      kms_key_id = "arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    }
  }

  assert {
    condition     = jsondecode(aws_ssm_parameter.database_settings["orders"].value).secret_id == "arn:aws:secretsmanager:eu-central-1:123456789012:secret:flyway/legacy-AbCdEf"
    error_message = "secret_arn replaces the cluster's RDS-managed secret."
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.existing_cluster_from_host) == 0 && length(aws_vpc_security_group_egress_rule.host_to_existing_cluster) == 2
    error_message = "Without security_group_id the module adds no rule to the cluster's groups (the user does), only the host's way out."
  }
}

run "no_grant_for_an_aws_managed_secret_key" {
  command = plan

  override_data {
    target = data.aws_kms_key.existing_secret
    values = {
      arn         = "arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
      key_manager = "AWS"
    }
  }

  assert {
    condition     = length(local.existing_secret_kms_key_arns) == 0
    error_message = "aws/secretsmanager (which RDS reports by its key ARN) needs no grant: its key policy lets the account use it through Secrets Manager."
  }
}

run "rejects_a_database_on_an_unknown_cluster" {
  command = plan
  variables {
    databases = { orders = { cluster = "legazy" } }
  }
  expect_failures = [var.databases]
}

run "rejects_the_default_cluster_without_create_cluster" {
  command = plan
  variables {
    create_cluster = false
    databases      = { users = {} }
  }
  expect_failures = [var.databases]
}

run "rejects_a_cluster_named_default" {
  command = plan
  variables {
    clusters = { default = { identifier = "legacy-mysql" } }
  }
  expect_failures = [var.clusters]
}

run "rejects_a_secret_name_instead_of_its_arn" {
  command = plan
  variables {
    clusters = { legacy = { identifier = "legacy-mysql", secret_arn = "flyway/legacy" } }
  }
  expect_failures = [var.clusters]
}

run "two_databases_of_one_name_on_two_clusters" {
  command = plan
  variables {
    databases = { users = {}, legacy_users = { cluster = "legacy", database_name = "users" } }
  }
  assert {
    condition     = jsondecode(aws_ssm_parameter.database_settings["legacy_users"].value).database == "users"
    error_message = "A database name needs to be distinct per cluster only."
  }
}

run "rejects_a_security_group_of_another_cluster" {
  command = plan
  variables {
    clusters = { legacy = { identifier = "legacy-mysql", security_group_id = "sg-99999999" } }
  }
  expect_failures = [data.aws_rds_cluster.existing]
}

run "rejects_a_cluster_that_is_not_aurora" {
  command = plan
  override_data {
    target = data.aws_rds_cluster.existing["legacy"]
    values = {
      endpoint               = "legacy-mysql.cluster-abc.eu-central-1.rds.amazonaws.com"
      port                   = 5432
      engine                 = "postgres"
      engine_version         = "16.4"
      vpc_security_group_ids = ["sg-0123456789abcdef0"]
      master_user_secret     = []
    }
  }
  expect_failures = [data.aws_rds_cluster.existing]
}
