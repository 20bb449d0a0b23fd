provider "aws" {
  region = var.region
}

# A pipeline for clusters that already run: the module creates no cluster of its own
# (create_cluster = false); each database names the existing cluster it lives on.
module "flyway_pipeline" {
  source = "../.."

  name_prefix         = var.name_prefix
  create_vpc          = false
  vpc_id              = var.vpc_id
  host_subnet_id      = var.host_subnet_id
  database_subnet_ids = var.database_subnet_ids

  create_cluster = false
  clusters = {
    orders = { identifier = var.orders_cluster_identifier, security_group_id = var.orders_cluster_security_group_id }
  }
  databases = {
    orders  = { cluster = "orders" }
    billing = { cluster = "orders", database_name = "billing" }
  }

  notification_emails = var.notification_emails
}
