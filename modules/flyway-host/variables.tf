variable "name" {
  description = "Name of the host, its role, security group, document and command log group."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}[a-z0-9]$", var.name)) && !can(regex("^(aws|amazon|amzn)", var.name))
    error_message = "name must be lowercase letters, digits and hyphens (it names the document, the role and a bucket) and must not start with aws, amazon or amzn."
  }
}

variable "vpc_id" {
  description = "VPC of the host."
  type        = string
}

variable "subnet_id" {
  description = "Subnet of the host. It needs a route to SSM, Secrets Manager, CloudWatch Logs and S3 (internet gateway with a public IP, NAT, or VPC endpoints)."
  type        = string
}

variable "associate_public_ip_address" {
  description = "Give the host a public IP (needed in a public subnet without NAT)."
  type        = bool
  default     = true
}

variable "instance_type" {
  description = "EC2 instance type (arm64 types need an arm64 AMI, which is the default)."
  type        = string
}

variable "ami_id" {
  description = "AMI of the host. Null uses the latest Amazon Linux 2023 for the instance type's architecture, read once (later AMI releases do not replace the host)."
  type        = string
  default     = null
}

variable "architecture" {
  description = "CPU architecture of the instance type: arm64 or x86_64 (selects the default AMI)."
  type        = string
  default     = "arm64"
}

variable "root_volume_size" {
  description = "Root volume size in GiB."
  type        = number
  default     = 16
}

variable "flyway_version" {
  description = "Flyway CLI version installed on the host."
  type        = string
  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+){1,3}$", var.flyway_version))
    error_message = "flyway_version must be a version such as 10.21.0."
  }
}

variable "flyway_source" {
  description = "Where the host downloads the Flyway CLI archive: https URL or s3:// URI."
  type        = string
  validation {
    condition     = (can(regex("^(https://|s3://)[A-Za-z0-9._~:/?#@!$&()*+,;=%-]+$", var.flyway_source)) || can(regex("^maven:[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[0-9][A-Za-z0-9_.-]*:tar\\.gz$", var.flyway_source))) && !strcontains(var.flyway_source, "'")
    error_message = "flyway_source must be an https:// URL, an s3:// URI or maven:<group>:<artifact>:<version>:tar.gz, without quotes or spaces (it is written into the command document's shell script)."
  }
}

variable "flyway_sha256" {
  description = "SHA-256 of the Flyway CLI archive."
  type        = string
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.flyway_sha256))
    error_message = "flyway_sha256 must be 64 lowercase hexadecimal characters."
  }
}

variable "config_prefix" {
  description = "SSM Parameter Store path under which the module writes each database's settings."
  type        = string
  validation {
    condition     = can(regex("^(/[A-Za-z0-9_.-]+)+$", var.config_prefix))
    error_message = "config_prefix must be a Parameter Store path such as /shop/flyway."
  }
}

variable "rds_ca_bundle" {
  description = "Where the runner gets the CA bundle it verifies database certificates with: aws (AWS's bundle for the region), an https:// URL or an s3://bucket/key object."
  type        = string
  default     = "aws"
  validation {
    condition     = var.rds_ca_bundle == "aws" || can(regex("^https://[^\\s'\"]+$", var.rds_ca_bundle)) || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\\s'\"]+$", var.rds_ca_bundle))
    error_message = "rds_ca_bundle must be aws, an https:// URL or an s3://bucket/key URI (no spaces or quotes)."
  }
}

variable "network_dependencies" {
  description = "IDs the host's first boot must wait for: what gives its subnet a way out (route, route table association, endpoint), when created in the same apply."
  type        = list(string)
  default     = []
}

variable "bucket_arns" {
  description = "Migration buckets the host may read: bucket ARNs, or ARN patterns with * (the root passes one pattern for the buckets it names)."
  type        = list(string)
  validation {
    condition     = length(var.bucket_arns) > 0 && alltrue([for arn in var.bucket_arns : can(regex("^arn:[a-z-]+:s3:::[a-z0-9*.-]+$", arn))])
    error_message = "bucket_arns must be S3 bucket ARNs (arn:<partition>:s3:::<name>, * allowed in the name)."
  }
}

variable "secret_kms_key_arns" {
  description = "Customer managed keys of the clusters' secrets besides kms_key_arn (existing clusters): the host may decrypt with them through Secrets Manager only."
  type        = list(string)
  default     = []
}

variable "command_execution_timeout_seconds" {
  description = "Maximum run time of one Flyway run on the host before Run Command stops it."
  type        = number
  default     = 3600
}

variable "log_retention_days" {
  description = "Retention of the command output log group."
  type        = number
}

variable "kms_key_arn" {
  description = "KMS key for the log group and root volume. Null uses AWS managed keys."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "database_targets" {
  description = "The clusters the host serves: writer endpoint, port and the secret of the login to migrate with. The document names each endpoint with its secret, and the runner refuses settings that name another endpoint, or another cluster's secret; the host may read exactly these secrets."
  type = list(object({
    endpoint   = string
    port       = number
    secret_arn = string
  }))
  validation {
    condition     = length(var.database_targets) > 0 && alltrue([for target in var.database_targets : can(regex("^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$", target.endpoint))])
    error_message = "database_targets must name at least one cluster, each by its host name."
  }
  validation {
    condition     = alltrue([for target in var.database_targets : target.port >= 1 && target.port <= 65535 && floor(target.port) == target.port])
    error_message = "database_targets[*].port must be a port number."
  }
  validation {
    # The document quotes each pair in single quotes: the secret's ARN may hold none.
    condition     = alltrue([for target in var.database_targets : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+$", target.secret_arn))])
    error_message = "database_targets[*].secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "max_parallel_migrations" {
  description = "Host-wide limit of databases migrated at once; further requests wait in a queue that needs no SSM agent worker."
  type        = number
  default     = 2
  validation {
    condition     = var.max_parallel_migrations >= 1 && var.max_parallel_migrations <= 16 && floor(var.max_parallel_migrations) == var.max_parallel_migrations
    error_message = "max_parallel_migrations must be a whole number from 1 to 16."
  }
}

variable "settle_seconds" {
  description = "A migrate pass starts once the bucket has been unchanged this long, so a multi-file upload is taken as a whole."
  type        = number
  default     = 3
  validation {
    condition     = var.settle_seconds >= 0 && var.settle_seconds <= 300 && floor(var.settle_seconds) == var.settle_seconds
    error_message = "settle_seconds must be a whole number from 0 to 300."
  }
}

variable "host_ready_timeout_seconds" {
  description = "How long a command waits for the host's first boot (user data) to finish before it fails."
  type        = number
  default     = 900
  validation {
    condition     = var.host_ready_timeout_seconds >= 60 && var.host_ready_timeout_seconds <= 3600 && floor(var.host_ready_timeout_seconds) == var.host_ready_timeout_seconds
    error_message = "host_ready_timeout_seconds must be a whole number from 60 to 3600."
  }
}

variable "idle_stop_minutes" {
  description = "The host powers itself off after this many minutes without a command; 0 keeps it on. Read by the host from its instance tag, so a change takes effect without replacing it."
  type        = number
  default     = 0
  validation {
    condition     = var.idle_stop_minutes >= 0 && floor(var.idle_stop_minutes) == var.idle_stop_minutes
    error_message = "idle_stop_minutes must be a whole number of minutes, 0 for always on."
  }
}

variable "notification_topic_arn" {
  description = "The module's failure topic: the runner publishes there which tenants of a tenant group were not migrated, and why (null: it does not)."
  type        = string
  default     = null
  validation {
    condition     = var.notification_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.notification_topic_arn))
    error_message = "notification_topic_arn must be an SNS topic ARN."
  }
}
