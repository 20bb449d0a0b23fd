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

run "rejects_a_negative_settle_time" {
  command = plan
  variables {
    settle_seconds = -1
  }
  expect_failures = [var.settle_seconds]
}
