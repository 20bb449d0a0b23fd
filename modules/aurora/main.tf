locals {
  is_mysql = var.engine == "aurora-mysql"
  port     = local.is_mysql ? 3306 : 5432
  # Audit-relevant logs only; both engines export to CloudWatch at no extra cost beyond storage.
  log_exports = local.is_mysql ? ["audit", "error", "slowquery"] : ["postgresql"]
}

# RDS would create the export log groups itself, without retention, and leave them behind on
# destroy; made here they expire and go with the module.
resource "aws_cloudwatch_log_group" "exports" {
  # checkov:skip=CKV_AWS_338:Retention is the log_retention_days input.
  for_each          = toset(local.log_exports)
  name              = "/aws/rds/cluster/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# Aurora MySQL writes its audit and slow query logs only when the cluster's parameters turn them on
# (Aurora User Guide, "Publishing Aurora MySQL logs to Amazon CloudWatch Logs"): exporting them
# alone leaves both log groups empty. Audit: connections and the statements that change schema
# or data (the migrations), not reads. Slow queries: over 2 seconds, to the file RDS exports.
resource "aws_rds_cluster_parameter_group" "mysql_logs" {
  count       = local.is_mysql ? 1 : 0
  name        = "${var.name}-mysql-logs"
  family      = "aurora-mysql${split(".mysql_aurora.", var.engine_version)[0]}"
  description = "Aurora ${var.name}: audit and slow query logs on, for their CloudWatch exports"
  tags        = var.tags

  parameter {
    name  = "server_audit_logging"
    value = "1"
  }
  parameter {
    name  = "server_audit_events"
    value = "CONNECT,QUERY_DCL,QUERY_DDL,QUERY_DML_NO_SELECT"
  }
  parameter {
    name  = "slow_query_log"
    value = "1"
  }
  parameter {
    name  = "long_query_time"
    value = "2"
  }
  parameter {
    name  = "log_output"
    value = "FILE"
  }
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_security_group" "this" {
  name        = "${var.name}-db"
  description = "Aurora ${var.name}: reachable only from the Flyway host"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "from_host" {
  security_group_id            = aws_security_group.this.id
  description                  = "Database port from the Flyway host"
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
  referenced_security_group_id = var.client_security_group_id
}

# The client's only way out besides HTTPS: the database port of this cluster's group.
resource "aws_vpc_security_group_egress_rule" "client_to_database" {
  security_group_id            = var.client_security_group_id
  description                  = "Database port of ${var.name}"
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
  referenced_security_group_id = aws_security_group.this.id
}

# The version the cluster runs, once it exists. AWS upgrades a minor version by itself when it
# reaches the end of standard support (and with auto_minor_version_upgrade); a plan back to the
# older engine_version would then fail at apply, since RDS cannot downgrade, after the other
# changes of that apply. The cluster's precondition stops the plan instead, naming the version.
data "aws_rds_clusters" "this" {
  filter {
    name   = "db-cluster-id"
    values = [var.name]
  }
}

data "aws_rds_cluster" "running" {
  count              = length(data.aws_rds_clusters.this.cluster_identifiers)
  cluster_identifier = var.name
}

locals {
  running_version = one(data.aws_rds_cluster.running[*].engine_version)
  # A version as one number to compare: its first five numeric parts, three digits each
  # (16.6 -> 016006000000000; 8.0.mysql_aurora.3.08.2 -> 008000003008002).
  version_rank = {
    for version in distinct(compact([var.engine_version, local.running_version])) :
    version => tonumber(join("", [for part in slice(concat([for digits in regexall("[0-9]+", version) : tonumber(digits)], [0, 0, 0, 0, 0]), 0, 5) : format("%03d", part)]))
  }
}

resource "aws_rds_cluster" "this" {
  # checkov:skip=CKV_AWS_162:Flyway logs in with the managed master secret; IAM database authentication would need token refresh on the host.
  # checkov:skip=CKV2_AWS_8:Backups are the cluster's automated backups (backup_retention_days); an AWS Backup plan is the account's choice.
  # checkov:skip=CKV_AWS_139:deletion_protection is an input (default false so terraform destroy works); set it true for production.
  # checkov:skip=CKV_AWS_327:Encrypted with the AWS managed key unless kms_key_arn is set.
  cluster_identifier            = var.name
  engine                        = var.engine
  engine_mode                   = "provisioned"
  engine_version                = var.engine_version
  master_username               = var.master_username
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.kms_key_arn
  storage_encrypted             = true
  kms_key_id                    = var.kms_key_arn
  db_subnet_group_name          = aws_db_subnet_group.this.name
  vpc_security_group_ids        = [aws_security_group.this.id]
  port                          = local.port
  backup_retention_period       = var.backup_retention_days
  copy_tags_to_snapshot         = true
  deletion_protection           = var.deletion_protection
  skip_final_snapshot           = var.skip_final_snapshot
  # Unique per cluster, so a second create/destroy cycle does not collide with the first snapshot;
  # fixed at creation (ignore_changes), so plans do not churn. Set even when skip_final_snapshot is
  # true (RDS then ignores it): turned to false later, the destroy still has a name to snapshot to.
  final_snapshot_identifier           = "${var.name}-final-${formatdate("YYYYMMDDhhmmss", plantimestamp())}"
  enabled_cloudwatch_logs_exports     = local.log_exports
  db_cluster_parameter_group_name     = local.is_mysql ? aws_rds_cluster_parameter_group.mysql_logs[0].name : null
  iam_database_authentication_enabled = false

  serverlessv2_scaling_configuration {
    min_capacity             = var.min_capacity
    max_capacity             = var.max_capacity
    seconds_until_auto_pause = var.min_capacity == 0 ? var.seconds_until_auto_pause : null
  }

  tags = var.tags

  lifecycle {
    ignore_changes = [final_snapshot_identifier]
    precondition {
      condition     = local.running_version == null || local.version_rank[coalesce(local.running_version, var.engine_version)] <= local.version_rank[var.engine_version]
      error_message = "The cluster ${var.name} runs ${coalesce(local.running_version, "?")}, newer than engine_version ${var.engine_version}: AWS upgraded it (the end of that minor version's standard support, or auto_minor_version_upgrade), and RDS cannot go back. Set engine_version = \"${coalesce(local.running_version, "?")}\"."
    }
  }

  depends_on = [aws_cloudwatch_log_group.exports]
}

resource "aws_rds_cluster_instance" "this" {
  # checkov:skip=CKV_AWS_118:Enhanced monitoring needs an extra role and costs per instance; CloudWatch metrics and log exports are on.
  # checkov:skip=CKV_AWS_353:Performance Insights is not available while a Serverless v2 cluster can pause.
  # checkov:skip=CKV_AWS_226:Automatic minor upgrades make a pinned engine_version drift (Terraform then plans a downgrade); auto_minor_version_upgrade turns them on.
  count                      = var.instance_count
  identifier                 = "${var.name}-${count.index + 1}"
  cluster_identifier         = aws_rds_cluster.this.id
  engine                     = aws_rds_cluster.this.engine
  engine_version             = aws_rds_cluster.this.engine_version
  instance_class             = "db.serverless"
  publicly_accessible        = false
  auto_minor_version_upgrade = var.auto_minor_version_upgrade
  tags                       = var.tags
}
