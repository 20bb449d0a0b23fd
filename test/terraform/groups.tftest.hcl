# Tenant groups (var.tenant_groups): one bucket, the tenants' databases on one or several clusters,
# and the settings the runner fans out from. The clusters are existing ones described with
# override_data, so that every value is known at plan time.
provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
}

variables {
  create_cluster = false
  clusters = {
    pg    = { identifier = "tenants-pg" }
    mysql = { identifier = "tenants-mysql" }
  }
  databases = { billing = { cluster = "pg" } }
  tenant_groups = {
    shop = {
      tenants = [
        { name = "acme", cluster = "pg" },
        { name = "globex", cluster = "mysql" },
        { name = "initech", cluster = "pg", database_name = "initech_prod" },
      ]
      canary   = 1
      on_error = "continue"
    }
  }
}

override_data {
  target = data.aws_rds_cluster.existing["pg"]
  values = {
    endpoint               = "tenants-pg.cluster-abc.eu-central-1.rds.amazonaws.com"
    port                   = 5432
    engine                 = "aurora-postgresql"
    engine_version         = "16.6"
    vpc_security_group_ids = ["sg-0123456789abcdef0"]
    master_user_secret     = [{ secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-pg-AbCdEf", kms_key_id = "", secret_status = "active" }]
  }
}

override_data {
  target = data.aws_rds_cluster.existing["mysql"]
  values = {
    endpoint               = "tenants-mysql.cluster-abc.eu-central-1.rds.amazonaws.com"
    port                   = 3306
    engine                 = "aurora-mysql"
    engine_version         = "8.0.mysql_aurora.3.08.2"
    vpc_security_group_ids = ["sg-0fedcba9876543210"]
    master_user_secret     = [{ secret_arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-mysql-AbCdEf", kms_key_id = "", secret_status = "active" }]
  }
}

run "a_group_is_one_bucket_and_one_settings_parameter" {
  command = plan

  assert {
    condition     = keys(module.database_bucket) == ["billing", "shop"] && aws_ssm_parameter.bucket_database["shop"].value == "shop"
    error_message = "A tenant group gets one bucket (its events name the group) beside the databases' buckets."
  }

  assert {
    condition     = aws_ssm_parameter.group_settings["shop"].name == "/flyway/flyway/databases/shop" && !contains(keys(aws_ssm_parameter.database_settings), "shop")
    error_message = "A group's settings live where a database's would, so the runner and the client find it by its key."
  }

  assert {
    condition = jsondecode(aws_ssm_parameter.group_settings["shop"].value).tenants == [
      { tenant = "acme", database = "acme", cluster = "pg", schemas = ["public"] },
      { tenant = "globex", database = "globex", cluster = "mysql", schemas = ["globex"] },
      { tenant = "initech", database = "initech_prod", cluster = "pg", schemas = ["public"] },
    ]
    error_message = "Tenants keep the group's order (canary order), each with its database, cluster and schemas (on MySQL the database itself)."
  }

  assert {
    condition = alltrue([
      jsondecode(aws_ssm_parameter.group_settings["shop"].value).group == { canary = 1, on_error = "continue" },
      keys(jsondecode(aws_ssm_parameter.group_settings["shop"].value).clusters) == ["mysql", "pg"],
      jsondecode(aws_ssm_parameter.group_settings["shop"].value).clusters.mysql == {
        engine    = "mysql", engine_version = "8.0.mysql_aurora.3.08.2", host = "tenants-mysql.cluster-abc.eu-central-1.rds.amazonaws.com", port = 3306,
        secret_id = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-mysql-AbCdEf"
      },
    ])
    error_message = "The group's options, and each cluster's connection written once."
  }
}

run "rejects_a_group_named_like_a_database" {
  command = plan
  variables {
    tenant_groups = { billing = { tenants = [{ name = "acme", cluster = "pg" }] } }
  }
  expect_failures = [var.tenant_groups]
}

run "rejects_a_tenant_named_twice" {
  command = plan
  variables {
    tenant_groups = { shop = { tenants = [{ name = "acme", cluster = "pg" }, { name = "acme", cluster = "mysql" }] } }
  }
  expect_failures = [var.tenant_groups]
}

run "rejects_a_canary_larger_than_the_group" {
  command = plan
  variables {
    tenant_groups = { shop = { tenants = [{ name = "acme", cluster = "pg" }], canary = 2 } }
  }
  expect_failures = [var.tenant_groups]
}

run "rejects_an_unknown_on_error" {
  command = plan
  variables {
    tenant_groups = { shop = { tenants = [{ name = "acme", cluster = "pg" }], on_error = "ignore" } }
  }
  expect_failures = [var.tenant_groups]
}

run "rejects_a_tenant_on_an_unknown_cluster" {
  command = plan
  variables {
    tenant_groups = { shop = { tenants = [{ name = "acme", cluster = "default" }] } }
  }
  expect_failures = [var.tenant_groups]
}

run "rejects_a_tenant_on_a_database_of_another_target" {
  command = plan
  variables {
    tenant_groups = { shop = { tenants = [{ name = "acme", cluster = "pg", database_name = "billing" }] } }
  }
  expect_failures = [var.tenant_groups]
}

run "rejects_a_group_too_large_for_its_parameter" {
  command = plan
  variables {
    tenant_groups = {
      shop = { tenants = [for i in range(120) : { name = "tenant_with_a_long_name_number_${i}", cluster = "pg", database_name = "database_with_a_long_name_of_tenant_number_${i}" }] }
    }
  }
  expect_failures = [aws_ssm_parameter.group_settings]
}
