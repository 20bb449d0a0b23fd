variable "name_prefix" {
  description = "Prefix of every resource name (lowercase letters, digits and hyphens, 2-20 characters)."
  type        = string
  default     = "flyway"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name_prefix)) && !strcontains(var.name_prefix, "--")
    error_message = "name_prefix must be 2-20 characters: lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it starts RDS identifiers such as <name_prefix>-aurora, which allow neither)."
  }
  validation {
    condition     = !can(regex("^(aws|amazon|amzn)", var.name_prefix))
    error_message = "name_prefix must not start with aws, amazon or amzn: SSM refuses document names with those prefixes (the document is <name_prefix>-flyway)."
  }
}

variable "databases" {
  description = <<-EOT
    The databases to migrate, by key. Each key gets a bucket (named <name_prefix>-<key>-<account id>
    unless bucket_name is given) and a database of the same name in the cluster (or database_name).
    Keys: lowercase letters, digits and underscores, starting with a letter, at most 24 characters.
    Options: schemas (Flyway schemas; default ["public"] on PostgreSQL, [database name] on MySQL),
    placeholders (values for Flyway $${name} placeholders), baseline_on_migrate, out_of_order,
    callbacks (sync and run Flyway SQL callbacks such as afterMigrate.sql; off by default, so such a
    file is listed as not run instead of silently running around every migrate);
    lock_timeout_seconds, statement_timeout_seconds and lock_retries (override the default_* inputs
    for this database); cluster: "default" (the module's own cluster) or the key of one of
    var.clusters.
  EOT
  type = map(object({
    cluster             = optional(string, "default")
    database_name       = optional(string)
    bucket_name         = optional(string)
    schemas             = optional(list(string))
    placeholders        = optional(map(string), {})
    baseline_on_migrate = optional(bool, false)
    out_of_order        = optional(bool, false)
    callbacks           = optional(bool, false)
    # null: the module's default_* input.
    lock_timeout_seconds      = optional(number)
    statement_timeout_seconds = optional(number)
    lock_retries              = optional(number)
  }))
  default = {
    users    = {}
    products = {}
  }
  validation {
    condition     = length(var.databases) > 0
    error_message = "Give at least one database."
  }
  validation {
    condition     = alltrue([for key in keys(var.databases) : can(regex("^[a-z][a-z0-9_]{0,23}$", key))])
    error_message = "Database keys must be 1-24 characters: lowercase letters, digits and underscores, starting with a letter (for example users, order_history)."
  }
  validation {
    condition = alltrue([
      for db in values(var.databases) : db.database_name == null || can(regex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", db.database_name))
    ])
    error_message = "database_name must be a plain SQL identifier: letters, digits and underscores, not starting with a digit, at most 63 characters."
  }
  validation {
    condition = alltrue(flatten([
      for db in values(var.databases) : [for schema in coalesce(db.schemas, []) : can(regex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", schema))]
    ]))
    error_message = "Flyway schemas must be plain SQL identifiers (letters, digits, underscores)."
  }
  validation {
    condition = alltrue(flatten([
      for db in values(var.databases) : [for name in keys(db.placeholders) : can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", name))]
    ]))
    error_message = "Placeholder names must start with a letter and contain only letters, digits and underscores."
  }
  validation {
    condition     = length(distinct([for key, db in var.databases : "${db.cluster}/${coalesce(db.database_name, key)}"])) == length(var.databases)
    error_message = "Two databases would share one database in a cluster: give each a different key or database_name."
  }
  validation {
    condition     = alltrue([for db in values(var.databases) : db.cluster == "default" ? var.create_cluster : contains(keys(var.clusters), db.cluster)])
    error_message = "A database's cluster must be \"default\" (the module's cluster, with create_cluster = true) or a key of clusters: ${join(", ", distinct([for key, db in var.databases : "${key} names ${db.cluster}" if !(db.cluster == "default" ? var.create_cluster : contains(keys(var.clusters), db.cluster))]))}."
  }
  validation {
    condition = alltrue([
      for db in values(var.databases) : (db.lock_timeout_seconds == null || (try(db.lock_timeout_seconds >= 0 && db.lock_timeout_seconds <= 3600, false))) &&
      (db.statement_timeout_seconds == null || try(db.statement_timeout_seconds >= 0 && db.statement_timeout_seconds <= 172800, false)) &&
      (db.lock_retries == null || try(db.lock_retries >= 0 && db.lock_retries <= 20 && floor(db.lock_retries) == db.lock_retries, false))
    ])
    error_message = "Per database: lock_timeout_seconds from 0 to 3600, statement_timeout_seconds from 0 to 172800 (0 turns either off), lock_retries a whole number from 0 to 20."
  }
  validation {
    # Each database's settings are one Parameter Store value: 8 KB at most (Intelligent-Tiering
    # moves a value above 4 KB to the advanced tier); the rest of the settings take under 1 KB.
    # SSM counts bytes, not characters: the UTF-8 size is read off the base64 encoding (3 bytes
    # per 4 characters, less the padding).
    condition     = alltrue([for db in values(var.databases) : length(base64encode(jsonencode(db.placeholders))) / 4 * 3 - length(regexall("=", base64encode(jsonencode(db.placeholders)))) <= 7000])
    error_message = "A database's placeholders must stay under 7000 bytes as JSON (UTF-8; its settings parameter holds at most 8 KB)."
  }
}

variable "tenant_groups" {
  description = <<-EOT
    Tenant groups, by key (the same namespace as databases): one bucket whose migrations apply to
    every tenant database of the group, each with its own schema history. One upload migrates every
    tenant: the host syncs the files once and runs Flyway per tenant, side by side within
    max_parallel_migrations. Options: tenants (required, in order: name, cluster = "default" or a
    key of clusters, database_name = name by default), canary (the first N tenants migrate first,
    the rest only if they all succeeded; default 0), on_error ("stop", the default: no tenant starts
    after a failure; "continue": every tenant runs), bucket_name, and the databases' per-database
    options (schemas, for PostgreSQL tenants; a MySQL tenant's schema is its database). Adding a
    tenant changes the group's settings only: the next run brings it to the group's version. A
    removed tenant's database is left as it is. README, "Tenant groups".
  EOT
  type = map(object({
    tenants = list(object({
      name          = string
      cluster       = optional(string, "default")
      database_name = optional(string)
    }))
    canary                    = optional(number, 0)
    on_error                  = optional(string, "stop")
    bucket_name               = optional(string)
    schemas                   = optional(list(string))
    placeholders              = optional(map(string), {})
    baseline_on_migrate       = optional(bool, false)
    out_of_order              = optional(bool, false)
    callbacks                 = optional(bool, false)
    lock_timeout_seconds      = optional(number)
    statement_timeout_seconds = optional(number)
    lock_retries              = optional(number)
  }))
  default  = {}
  nullable = false
  validation {
    condition     = alltrue([for key in keys(var.tenant_groups) : can(regex("^[a-z][a-z0-9_]{0,23}$", key)) && !contains(keys(var.databases), key)])
    error_message = "Tenant group keys follow the database key rules (1-24 lowercase letters, digits and underscores, starting with a letter) and must differ from every database key: both name a bucket and a settings parameter."
  }
  validation {
    condition = alltrue([
      for group in values(var.tenant_groups) : length(group.tenants) > 0 && length(distinct(group.tenants[*].name)) == length(group.tenants) &&
      alltrue([for tenant in group.tenants : can(regex("^[a-z][a-z0-9_]{0,62}$", tenant.name)) && (tenant.database_name == null || can(regex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", coalesce(tenant.database_name, "x"))))])
    ])
    error_message = "A tenant group needs at least one tenant; tenant names are distinct within their group, lowercase letters, digits and underscores starting with a letter; database_name is a plain SQL identifier."
  }
  validation {
    condition     = alltrue([for group in values(var.tenant_groups) : contains(["stop", "continue"], group.on_error) && group.canary >= 0 && group.canary <= length(group.tenants) && floor(group.canary) == group.canary])
    error_message = "on_error must be stop or continue, and canary a whole number from 0 to the number of tenants."
  }
  validation {
    condition = alltrue(flatten([
      for group in values(var.tenant_groups) : [for tenant in group.tenants : tenant.cluster == "default" ? var.create_cluster : contains(keys(var.clusters), tenant.cluster)]
    ]))
    error_message = "A tenant's cluster must be \"default\" (the module's cluster, with create_cluster = true) or a key of clusters."
  }
  validation {
    # Two targets on one database would share one schema history.
    condition = length(distinct(concat(
      [for key, db in var.databases : "${db.cluster}/${coalesce(db.database_name, key)}"],
      flatten([for group in values(var.tenant_groups) : [for tenant in group.tenants : "${tenant.cluster}/${coalesce(tenant.database_name, tenant.name)}"]]),
    ))) == length(var.databases) + sum(concat([0], [for group in values(var.tenant_groups) : length(group.tenants)]))
    error_message = "Two databases or tenants would share one database in a cluster: give each a different database_name."
  }
}

variable "create_cluster" {
  description = "Create the module's Aurora Serverless v2 cluster, the \"default\" cluster of var.databases (engine, engine_version, serverless_* and the other cluster inputs describe it). False: every database lives on one of the existing clusters (var.clusters), and the module creates no cluster."
  type        = bool
  default     = true
  nullable    = false
}

variable "clusters" {
  description = <<-EOT
    Existing Aurora clusters (PostgreSQL or MySQL, Serverless v2 or provisioned) that databases may
    live on, by key (a database names one with cluster = "<key>"). The module reads endpoint, port,
    engine and version, and the RDS-managed master secret from AWS at plan time: the cluster must
    exist before the plan, in the host's VPC (or one routed and peered to it). Options:
    identifier: the DB cluster identifier (required).
    secret_arn: a Secrets Manager secret {"username": ..., "password": ...} to migrate with, instead
    of the cluster's RDS-managed master secret (required when the cluster has none).
    security_group_id: one of the cluster's security groups; the module adds the rule that lets
    the host in on the cluster's port. Null: you add that rule (README, "Existing clusters").
    The host may read exactly these secrets (and decrypt with their keys).
  EOT
  type = map(object({
    identifier        = string
    secret_arn        = optional(string)
    security_group_id = optional(string)
  }))
  default  = {}
  nullable = false
  validation {
    condition     = alltrue([for key in keys(var.clusters) : can(regex("^[a-z][a-z0-9_]{0,23}$", key)) && key != "default"])
    error_message = "Cluster keys must be 1-24 lowercase letters, digits and underscores, starting with a letter; \"default\" names the module's own cluster."
  }
  validation {
    condition     = alltrue([for cluster in values(var.clusters) : can(regex("^[A-Za-z][A-Za-z0-9-]{0,62}$", cluster.identifier))])
    error_message = "clusters.*.identifier must be a DB cluster identifier: a letter, then up to 62 letters, digits or hyphens."
  }
  validation {
    condition     = alltrue([for cluster in values(var.clusters) : cluster.secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+$", cluster.secret_arn))])
    error_message = "clusters.*.secret_arn must be a secret's full ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>): the host's IAM policy names it exactly."
  }
  validation {
    condition     = alltrue([for cluster in values(var.clusters) : cluster.security_group_id == null || can(regex("^sg-[0-9a-f]{8}([0-9a-f]{9})?$", cluster.security_group_id))])
    error_message = "clusters.*.security_group_id must be a security group id such as sg-0123456789abcdef0."
  }
  validation {
    condition     = length(distinct([for cluster in values(var.clusters) : lower(cluster.identifier)])) == length(var.clusters)
    error_message = "Two clusters entries name the same cluster identifier."
  }
}

variable "engine" {
  description = "Aurora engine: aurora-postgresql or aurora-mysql."
  type        = string
  default     = "aurora-postgresql"
  validation {
    condition     = contains(["aurora-postgresql", "aurora-mysql"], var.engine)
    error_message = "engine must be aurora-postgresql or aurora-mysql."
  }
}

variable "engine_version" {
  description = "Engine version. Null picks 16.6 (aurora-postgresql) or 8.0.mysql_aurora.3.08.2 (aurora-mysql); auto-pause (serverless_min_capacity = 0) needs Aurora PostgreSQL >= 13.15/14.12/15.7/16.3 or Aurora MySQL >= 3.08.0."
  type        = string
  default     = null
  validation {
    condition     = var.engine_version == null || can(regex("^([0-9]+\\.[0-9]+|8\\.0\\.mysql_aurora\\.[0-9]+\\.[0-9]+\\.[0-9]+)$", var.engine_version))
    error_message = "engine_version must look like 16.6 (Aurora PostgreSQL) or 8.0.mysql_aurora.3.08.2 (Aurora MySQL)."
  }
  validation {
    # Versions that support auto-pause (min capacity 0), from the Aurora User Guide's
    # "Scaling to zero ACUs with automatic pause and resume".
    condition = (
      var.engine_version == null || var.serverless_min_capacity > 0 ||
      (var.engine == "aurora-postgresql" && can(regex("^[0-9]+\\.[0-9]+$", var.engine_version)) && try(
        tonumber(split(".", var.engine_version)[0]) >= 17 ||
        (tonumber(split(".", var.engine_version)[0]) == 16 && tonumber(split(".", var.engine_version)[1]) >= 3) ||
        (tonumber(split(".", var.engine_version)[0]) == 15 && tonumber(split(".", var.engine_version)[1]) >= 7) ||
        (tonumber(split(".", var.engine_version)[0]) == 14 && tonumber(split(".", var.engine_version)[1]) >= 12) ||
        (tonumber(split(".", var.engine_version)[0]) == 13 && tonumber(split(".", var.engine_version)[1]) >= 15),
      false)) ||
      (var.engine == "aurora-mysql" && can(regex("^8\\.0\\.mysql_aurora\\.", var.engine_version)) && try(
        tonumber(split(".", var.engine_version)[3]) > 3 || (tonumber(split(".", var.engine_version)[3]) == 3 && tonumber(split(".", var.engine_version)[4]) >= 8),
      false))
    )
    error_message = "This engine_version cannot auto-pause, which serverless_min_capacity = 0 needs: use Aurora PostgreSQL >= 13.15, 14.12, 15.7 or 16.3 (or 17), or Aurora MySQL >= 8.0.mysql_aurora.3.08.0; or set serverless_min_capacity >= 0.5."
  }
}

variable "master_username" {
  description = "Master user of the cluster. Its password is generated and stored in Secrets Manager by RDS; it never enters Terraform state."
  type        = string
  default     = "flyway_admin"
  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,15}$", var.master_username))
    error_message = "master_username must start with a letter and have at most 16 letters, digits or underscores."
  }
}

variable "serverless_min_capacity" {
  description = "Serverless v2 minimum capacity in ACUs. 0 (default) pauses the cluster when idle, so it costs only storage."
  type        = number
  default     = 0
  validation {
    condition     = var.serverless_min_capacity >= 0 && var.serverless_min_capacity <= 256 && floor(var.serverless_min_capacity * 2) == var.serverless_min_capacity * 2
    error_message = "serverless_min_capacity must be between 0 and 256 in steps of 0.5."
  }
}

variable "serverless_max_capacity" {
  description = "Serverless v2 maximum capacity in ACUs."
  type        = number
  default     = 2
  validation {
    condition     = var.serverless_max_capacity >= 1 && var.serverless_max_capacity <= 256 && floor(var.serverless_max_capacity * 2) == var.serverless_max_capacity * 2
    error_message = "serverless_max_capacity must be between 1 and 256 in steps of 0.5."
  }
  validation {
    condition     = var.serverless_max_capacity >= var.serverless_min_capacity
    error_message = "serverless_max_capacity must not be below serverless_min_capacity."
  }
}

variable "seconds_until_auto_pause" {
  description = "Idle seconds before the cluster pauses (only with serverless_min_capacity = 0). The first run after a pause waits about 15 s for the resume; the runner retries the connection meanwhile."
  type        = number
  default     = 600
  validation {
    condition     = var.seconds_until_auto_pause >= 300 && var.seconds_until_auto_pause <= 86400
    error_message = "seconds_until_auto_pause must be between 300 and 86400."
  }
}

variable "create_vpc" {
  description = "Create a small VPC (two public subnets for the host, two private for the cluster). False uses vpc_id, host_subnet_id and database_subnet_ids."
  type        = bool
  default     = true
}

variable "vpc_cidr" {
  description = "CIDR of the created VPC."
  type        = string
  default     = "10.42.0.0/20"
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 24
    error_message = "vpc_cidr must be an IPv4 CIDR of size /24 or larger, for example 10.42.0.0/20."
  }
}

variable "vpc_id" {
  description = "Existing VPC (when create_vpc = false)."
  type        = string
  default     = null
  validation {
    # Without them the host and the cluster would land in the account's default VPC.
    condition     = var.create_vpc || (var.vpc_id != null && var.host_subnet_id != null && length(var.database_subnet_ids) >= 2)
    error_message = "With create_vpc = false, give vpc_id, host_subnet_id and at least two database_subnet_ids (in two availability zones)."
  }
  validation {
    condition     = var.vpc_id == null || can(regex("^vpc-[0-9a-f]{8}([0-9a-f]{9})?$", var.vpc_id))
    error_message = "vpc_id must be a VPC id such as vpc-0123456789abcdef0."
  }
}

variable "host_subnet_id" {
  description = "Existing subnet for the Flyway host (when create_vpc = false). It needs a route to SSM, Secrets Manager, CloudWatch Logs and S3."
  type        = string
  default     = null
}

variable "host_associate_public_ip" {
  description = "Give the host a public IP. Needed in a public subnet without NAT; set false in a private subnet with NAT or VPC endpoints."
  type        = bool
  default     = true
  validation {
    # The created VPC has no NAT gateway and no interface endpoints: without a public IP the host
    # could never reach SSM, Secrets Manager or CloudWatch Logs.
    condition     = !var.create_vpc || var.host_associate_public_ip
    error_message = "The VPC that create_vpc = true builds routes the host to AWS APIs through its internet gateway only: keep host_associate_public_ip = true, or bring your own VPC with NAT or VPC endpoints (create_vpc = false)."
  }
}

variable "database_subnet_ids" {
  description = "Existing private subnets in at least two availability zones for the cluster (when create_vpc = false)."
  type        = list(string)
  default     = []
}

variable "instance_type" {
  description = "Instance type of the Flyway host. The default arm64 t4g.small runs Flyway comfortably; use an x86_64 type together with host_architecture = \"x86_64\"."
  type        = string
  default     = "t4g.small"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be an EC2 instance type such as t4g.small."
  }
  validation {
    # Graviton (arm64) families carry a "g" after the generation digit: t4g, m7g, c6gn, r8gd; a1 is arm64 too.
    condition     = (var.host_architecture == "arm64") == can(regex("^([a-z]+[0-9]+g[a-z]*|a1)\\.", var.instance_type))
    error_message = "instance_type does not match host_architecture: Graviton types (t4g, m7g, c7gn, ...) are arm64, the others x86_64. Set both together, e.g. instance_type = \"t3.small\" with host_architecture = \"x86_64\"."
  }
}

variable "host_architecture" {
  description = "CPU architecture of instance_type: arm64 or x86_64."
  type        = string
  default     = "arm64"
  validation {
    condition     = contains(["arm64", "x86_64"], var.host_architecture)
    error_message = "host_architecture must be arm64 or x86_64."
  }
}

variable "host_ami_id" {
  description = "AMI of the host. Null uses the latest Amazon Linux 2023 at creation time (later releases do not replace the host)."
  type        = string
  default     = null
}

variable "flyway_version" {
  description = "Flyway CLI version the commands run (installed on the host on first use; changing it never replaces the host)."
  type        = string
  default     = "10.21.0"
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.flyway_version))
    error_message = "flyway_version must look like 10.21.0."
  }
}

variable "flyway_download_url" {
  description = "Flyway CLI archive (https URL or s3:// URI; the host's role gets s3:GetObject on exactly that object). Null: the host fetches org.flywaydb:flyway-commandline:<flyway_version>:tar.gz with Maven's own client (mvn, installed by the user data) from Maven Central, the archive Redgate publishes there; the SHA-256 is checked either way."
  type        = string
  default     = null
  validation {
    condition     = var.flyway_download_url == null || can(regex("^(https://[^/\\s'\"\\\\]+/|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/)[^\\s'\"\\\\]+$", var.flyway_download_url))
    error_message = "flyway_download_url must be an https:// URL or an s3://bucket/key URI, without spaces, quotes or backslashes."
  }
}

variable "flyway_sha256" {
  description = "SHA-256 of the Flyway CLI archive. The default matches the default version and URL; set it whenever you change either."
  type        = string
  default     = "2627c4f1cdd392beb6d16bc954e269f45369b64099d28246a87d9b9e449cb905"
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.flyway_sha256))
    error_message = "flyway_sha256 must be 64 lowercase hex characters."
  }
}

variable "notification_emails" {
  description = "E-mail addresses that get failed runs, rejected uploads and configuration errors (each confirms its subscription)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for email in var.notification_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "notification_emails must be e-mail addresses."
  }
}

variable "log_retention_days" {
  description = "Retention of the trigger's and the command output's log groups."
  type        = number
  default     = 90
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "create_kms_key" {
  description = "Create a customer managed KMS key (rotated yearly) for buckets, logs, queue, topic, cluster storage and its secret, with a key policy that lets CloudWatch Logs, EventBridge and the failure alarm (CloudWatch) use it. Costs about 1 USD a month. Mutually exclusive with kms_key_arn."
  type        = bool
  default     = false
  nullable    = false
  validation {
    condition     = !(var.create_kms_key && var.kms_key_arn != null)
    error_message = "Set either create_kms_key = true (the module creates the key) or kms_key_arn (your key), not both."
  }
}

variable "retain_kms_key_on_destroy" {
  description = "With create_kms_key: keep the module's key when the pipeline is destroyed, so that the cluster's final snapshot (encrypted with it) stays restorable. The key is then held by a CloudFormation stack whose DeletionPolicy is Retain (about 1 USD a month until you delete it; README, Teardown). False lets terraform destroy schedule the key's deletion (30 days), after which the final snapshot can never be restored. Choose before the first apply: changing it later makes a new key, and the cluster is replaced to use it."
  type        = bool
  default     = true
  nullable    = false
}

variable "kms_key_arn" {
  description = "Your customer managed KMS key (its key ARN, not an alias) for buckets, logs, queue, topic, cluster storage and its secret. Its key policy must hold the statements of the kms_key_policy_json output before apply (CloudWatch Logs, EventBridge and, with create_failure_alarm, CloudWatch alarms use the key). Null (and create_kms_key = false) uses AWS managed keys, and leaves the notification topic unencrypted at rest (neither EventBridge nor CloudWatch alarms can publish to alias/aws/sns)."
  type        = string
  default     = null
  validation {
    # IAM statements and key policies match key ARNs; an alias ARN or a bare key id matches nothing there.
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a key ARN such as arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias or a key id): IAM statements naming an alias match nothing."
  }
}

variable "command_execution_timeout_seconds" {
  description = "Longest a single Flyway run may take on the host."
  type        = number
  default     = 3600
  validation {
    condition     = var.command_execution_timeout_seconds >= 60 && var.command_execution_timeout_seconds <= 172800
    error_message = "command_execution_timeout_seconds must be between 60 and 172800."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete the migration buckets with their contents."
  type        = bool
  default     = false
}

variable "skip_final_snapshot" {
  description = "Delete the cluster without a final snapshot on terraform destroy."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Protect the cluster against deletion (terraform destroy fails until it is turned off)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "max_parallel_migrations" {
  description = "Host-wide limit of databases migrated at once. Each migration runs one Flyway JVM (about 150-250 MB); 2 keeps a t4g.small (2 vCPUs, 2 GiB) clear of memory pressure when many databases change at once. Further requests wait in a queue on the host without holding an SSM agent worker."
  type        = number
  default     = 2
  validation {
    condition     = var.max_parallel_migrations >= 1 && var.max_parallel_migrations <= 16 && floor(var.max_parallel_migrations) == var.max_parallel_migrations
    error_message = "max_parallel_migrations must be a whole number from 1 to 16."
  }
}

variable "host_idle_stop_minutes" {
  description = "The Flyway host powers itself off after this many minutes without a command (none running, none waiting), and the trigger starts it again for the next upload; an idle pipeline then pays for the host's disk only. Commands sent meanwhile wait in Run Command and run once the host is up (about one to two minutes later). 0 keeps the host always on."
  type        = number
  default     = 15
  validation {
    condition     = var.host_idle_stop_minutes == 0 || (var.host_idle_stop_minutes >= 5 && var.host_idle_stop_minutes <= 1440 && floor(var.host_idle_stop_minutes) == var.host_idle_stop_minutes)
    error_message = "host_idle_stop_minutes must be 0 (always on) or a whole number of minutes from 5 to 1440: a shorter time would stop the host between the uploads of one release, and each start costs a boot."
  }
}

variable "default_lock_timeout_seconds" {
  description = "The database's lock timeout on every migration session (PostgreSQL lock_timeout; MySQL lock_wait_timeout and innodb_lock_wait_timeout): a migration that waits longer for a lock (a long transaction on its table) gives up, instead of queueing every query on that table behind its own lock request. 0 turns it off. Per database: lock_timeout_seconds."
  type        = number
  default     = 10
  validation {
    condition     = var.default_lock_timeout_seconds >= 0 && var.default_lock_timeout_seconds <= 3600
    error_message = "default_lock_timeout_seconds must be from 0 to 3600."
  }
}

variable "default_statement_timeout_seconds" {
  description = "PostgreSQL statement_timeout on every migration session: how long one statement may run (and so hold its locks). 0 turns it off; either way no statement runs past the command's executionTimeout. MySQL has no timeout for DDL statements. Per database: statement_timeout_seconds."
  type        = number
  default     = 3600
  validation {
    condition     = var.default_statement_timeout_seconds >= 0 && var.default_statement_timeout_seconds <= 172800
    error_message = "default_statement_timeout_seconds must be from 0 to 172800."
  }
}

variable "default_lock_retries" {
  description = "How often a migration that gave up waiting for a lock, having applied nothing, is tried again (pauses of 2, 4, 8 ... s). A migration that still times out fails naming the sessions that blocked it. Per database: lock_retries."
  type        = number
  default     = 3
  validation {
    condition     = var.default_lock_retries >= 0 && var.default_lock_retries <= 20 && floor(var.default_lock_retries) == var.default_lock_retries
    error_message = "default_lock_retries must be a whole number from 0 to 20."
  }
}

variable "settle_seconds" {
  description = "A migrate pass starts once the database's bucket has been unchanged this long, so that a multi-file upload (aws s3 sync uploads files in parallel) is migrated as a whole, in version order. 0 turns the wait off."
  type        = number
  default     = 3
  validation {
    condition     = var.settle_seconds >= 0 && var.settle_seconds <= 300 && floor(var.settle_seconds) == var.settle_seconds
    error_message = "settle_seconds must be a whole number from 0 to 300."
  }
}

variable "auto_minor_version_upgrade" {
  description = "Let AWS apply minor engine upgrades to the cluster's instances. Off by default because the module pins engine_version, and an automatic upgrade makes Terraform plan a downgrade; upgrade by raising engine_version."
  type        = bool
  default     = false
}

variable "trigger_reserved_concurrency" {
  description = "Reserved concurrent executions of the trigger Lambda. -1 (default) reserves none: new accounts have a concurrency quota of 10 and Lambda refuses any reservation that leaves fewer than 10 unreserved."
  type        = number
  default     = -1
  validation {
    condition     = var.trigger_reserved_concurrency == -1 || (var.trigger_reserved_concurrency >= 1 && floor(var.trigger_reserved_concurrency) == var.trigger_reserved_concurrency)
    error_message = "trigger_reserved_concurrency must be -1 (no reservation) or a whole number of at least 1."
  }
}

variable "create_failure_alarm" {
  description = "Create the CloudWatch alarm that notifies the topic when an upload event waits in the trigger's on-failure queue; the topic's policy (and a customer managed key's, see kms_key_policy_json) then lets cloudwatch.amazonaws.com publish for exactly this alarm. Keep true on AWS (the local test stack applies it too, through a translator for the CloudWatch protocol its emulator lacks)."
  type        = bool
  default     = true
}

variable "rds_ca_bundle" {
  description = "The CA bundle the runner verifies the cluster's certificate with (sslmode=verify-full): aws (default) fetches AWS's current bundle for the region and partition (https://truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem, its GovCloud and China equivalents) at most once a day, and falls back to the bundle shipped in the runner when the host cannot reach it; or your own copy as an https:// URL or an s3://bucket/key object (the host's role may read exactly that object), for hosts without internet access."
  type        = string
  default     = "aws"
  validation {
    condition     = var.rds_ca_bundle == "aws" || can(regex("^https://[^\\s'\"]+$", var.rds_ca_bundle)) || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\\s'\"]+$", var.rds_ca_bundle))
    error_message = "rds_ca_bundle must be aws, an https:// URL or an s3://bucket/key URI (no spaces or quotes)."
  }
}
