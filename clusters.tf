# Existing Aurora clusters (var.clusters) as targets: what the runner needs comes from AWS at plan
# time, never from the user's copy of it: endpoint, port, engine and version, the RDS-managed
# master secret (or the secret_arn given) and the key that encrypts it, the cluster's security
# groups. The host reads exactly these clusters' secrets and reaches exactly their port.

data "aws_rds_cluster" "existing" {
  for_each           = var.clusters
  cluster_identifier = each.value.identifier

  lifecycle {
    postcondition {
      condition     = contains(["aurora-postgresql", "aurora-mysql"], self.engine)
      error_message = "The cluster ${each.value.identifier} (clusters.${each.key}) runs ${self.engine}; the module migrates Aurora PostgreSQL (aurora-postgresql) and Aurora MySQL (aurora-mysql) clusters."
    }
    postcondition {
      condition     = each.value.secret_arn != null || length(self.master_user_secret) > 0
      error_message = "The cluster ${each.value.identifier} (clusters.${each.key}) has no password managed by RDS in Secrets Manager: give clusters.${each.key}.secret_arn, a secret holding {\"username\": ..., \"password\": ...} of a user that may run the migrations (and create a missing PostgreSQL database)."
    }
    postcondition {
      condition     = each.value.security_group_id == null || contains(self.vpc_security_group_ids, coalesce(each.value.security_group_id, "none"))
      error_message = "clusters.${each.key}.security_group_id (${coalesce(each.value.security_group_id, "none")}) is not one of the security groups of the cluster ${each.value.identifier} (${join(", ", self.vpc_security_group_ids)}): a rule there would not let the host in."
    }
  }
}

# The key of a secret given by ARN, to grant the host kms:Decrypt on it when it is a customer key.
data "aws_secretsmanager_secret" "existing" {
  for_each = { for key, cluster in var.clusters : key => cluster if cluster.secret_arn != null }
  arn      = each.value.secret_arn
}

locals {
  existing_clusters = {
    for key, cluster in var.clusters : key => {
      endpoint       = data.aws_rds_cluster.existing[key].endpoint
      port           = data.aws_rds_cluster.existing[key].port
      engine         = data.aws_rds_cluster.existing[key].engine
      engine_version = data.aws_rds_cluster.existing[key].engine_version
      secret_arn     = cluster.secret_arn != null ? cluster.secret_arn : one(data.aws_rds_cluster.existing[key].master_user_secret[*].secret_arn)
    }
  }
  # The key of each secret as Secrets Manager or RDS names it. Empty: the secret is under
  # aws/secretsmanager, whose key policy lets the account's principals decrypt through Secrets
  # Manager; no grant is needed.
  existing_secret_key_id = {
    for key, cluster in var.clusters : key => (cluster.secret_arn != null ? data.aws_secretsmanager_secret.existing[key].kms_key_id : one(data.aws_rds_cluster.existing[key].master_user_secret[*].kms_key_id))
  }
  existing_secret_key_ids = toset([for id in values(local.existing_secret_key_id) : id if coalesce(id, "none") != "none"])
  # The key's ARN whatever form Secrets Manager or RDS name it in (key id, alias, ARN): IAM
  # statements match key ARNs only. An AWS managed key (aws/secretsmanager, which RDS reports by
  # its key ARN) needs no grant: its policy lets the account's principals use it through Secrets
  # Manager.
  existing_secret_kms_key_arns = sort(distinct([
    for id in local.existing_secret_key_ids : data.aws_kms_key.existing_secret[id].arn if data.aws_kms_key.existing_secret[id].key_manager == "CUSTOMER"
  ]))

  # The host's way in: one rule per cluster into the security group the user named.
  existing_cluster_ingress = { for key, cluster in var.clusters : key => cluster if cluster.security_group_id != null }
  # The host's way out: the cluster's port, to each of the cluster's security groups.
  existing_cluster_egress = merge([
    for key, cluster in var.clusters : {
      for group in data.aws_rds_cluster.existing[key].vpc_security_group_ids : "${key}/${group}" => { cluster = key, group = group, port = data.aws_rds_cluster.existing[key].port }
    }
  ]...)
}

data "aws_kms_key" "existing_secret" {
  for_each = local.existing_secret_key_ids
  key_id   = each.value
}

resource "aws_vpc_security_group_ingress_rule" "existing_cluster_from_host" {
  for_each                     = local.existing_cluster_ingress
  security_group_id            = each.value.security_group_id
  description                  = "Flyway host of ${var.name_prefix} (terraform-aws-aurora-flyway)"
  ip_protocol                  = "tcp"
  from_port                    = data.aws_rds_cluster.existing[each.key].port
  to_port                      = data.aws_rds_cluster.existing[each.key].port
  referenced_security_group_id = module.flyway_host.security_group_id
  tags                         = local.tags
}

resource "aws_vpc_security_group_egress_rule" "host_to_existing_cluster" {
  for_each                     = local.existing_cluster_egress
  security_group_id            = module.flyway_host.security_group_id
  description                  = "Database port of the cluster ${var.clusters[each.value.cluster].identifier}"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.group
  tags                         = local.tags
}
