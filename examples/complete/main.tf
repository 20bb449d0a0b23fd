provider "aws" {
  region = var.region
}

module "flyway_pipeline" {
  source = "../.."

  name_prefix = "shop"
  databases = {
    users    = {}
    products = { placeholders = { owner = "catalog" } }
    orders   = { database_name = "order_history", out_of_order = true }
  }

  engine                  = "aurora-postgresql"
  serverless_min_capacity = 0
  serverless_max_capacity = 4
  notification_emails     = var.notification_emails
  log_retention_days      = 30

  # One customer managed key for buckets, logs, queue, topic and cluster, with a key policy that
  # lets CloudWatch Logs and EventBridge use it. With a key of your own, pass kms_key_arn instead
  # and add the kms_key_policy_json output's statements to its policy first.
  create_kms_key = true

  # For a disposable environment: destroy removes buckets with their contents and skips the
  # final snapshot. Keep the defaults (false) for anything that matters.
  force_destroy       = true
  skip_final_snapshot = true

  tags = {
    Environment = "example"
  }
}
